// The AI SDK (`ai` + `@ai-sdk/openai`, chat completions) streaming the benchmark's answer, each delta written as it comes.
import { streamText } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';

const [baseURL, model = 'bench'] = process.argv.slice(2);
const openai = createOpenAI({ baseURL, apiKey: 'sk-bench' });
const result = streamText({ model: openai.chat(model), prompt: 'hi', maxRetries: 0 });
for await (const text of result.textStream) process.stdout.write(text);
process.stdout.write('\n');
