// The official `openai` package streaming the benchmark's answer, each delta written as it comes.
import OpenAI from 'openai';

const [baseURL, model = 'bench'] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: 'sk-bench', maxRetries: 0 });
const stream = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], stream: true });
for await (const chunk of stream) {
  const text = chunk.choices[0]?.delta?.content;
  if (text) process.stdout.write(text);
}
process.stdout.write('\n');
