// The 20-line client of the benchmark: built-in fetch, split on blank lines, JSON.parse, write each delta.
const [url, model = 'bench'] = process.argv.slice(2);
const res = await fetch(url, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
  body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], stream: true }),
});
const decoder = new TextDecoder();
let buf = '';
for await (const chunk of res.body) {
  buf += decoder.decode(chunk, { stream: true });
  let i;
  while ((i = buf.indexOf('\n\n')) >= 0) {
    const event = buf.slice(0, i);
    buf = buf.slice(i + 2);
    if (!event.startsWith('data: ') || event === 'data: [DONE]') continue;
    const text = JSON.parse(event.slice(6)).choices[0]?.delta?.content;
    if (text) process.stdout.write(text);
  }
}
process.stdout.write('\n');
