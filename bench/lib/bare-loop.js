// The yardstick for frugal's throughput: the same prompts, the same SDK, the same API and
// concurrency, and nothing else. `node bare-loop.js BASE_URL FILE CONCURRENCY [turn]`: with
// `turn`, each worker lets the event loop turn (setImmediate) before its next request, as frugal
// does, so the connection that carried the answer is back in the pool when the next one goes out.
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';

const [baseURL, file, concurrency, mode] = process.argv.slice(2);
const turn = mode === 'turn';
const prompts = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const client = new OpenAI({ apiKey: 'bench', baseURL, maxRetries: 0 });
let next = 0;
let done = 0;
async function worker() {
  while (next < prompts.length) {
    const p = prompts[next++];
    const input = p.messages ?? [{ role: 'user', content: p.prompt }];
    const res = await client.responses.create({ model: 'gpt-5.4-mini', input, store: false });
    if (res.usage) done++;
    if (turn) await new Promise((resolve) => setImmediate(resolve));
  }
}
await Promise.all(Array.from({ length: Number(concurrency) }, worker));
process.stdout.write(`${done}\n`);
