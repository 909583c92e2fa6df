import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anthropicBaseUrl, openaiBaseUrl, startFakeServer, type FakeServer } from '../fake/server.js';
import { frugalIn } from '../helpers/in-process.js';

let server: FakeServer;
let dir: string;

const POLICY = `
baseline: flagship
default: balanced
models:
  flagship: { provider: anthropic, model: claude-opus-5-5 }
  balanced: { provider: openai, model: gpt-5.4-mini }
  quick: { provider: anthropic, model: claude-haiku-4-5, options: { temperature: 0.1, top_k: 3 } }
classes:
  - name: lookup
    when: { keywords: [what] }
    route: quick
`;

beforeAll(async () => {
  server = await startFakeServer({ defaults: { text: 'Santiago is the capital of Chile.', usage: { input: 10, output: 5 } } });
  dir = mkdtempSync(join(tmpdir(), 'frugal-flags-'));
  writeFileSync(join(dir, 'routes.yaml'), POLICY);
  writeFileSync(join(dir, 'system.txt'), 'Answer in French.\n');
  writeFileSync(join(dir, 'schema.json'), JSON.stringify({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }));
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const env = () => ({ OPENAI_API_KEY: 'sk-test', ANTHROPIC_API_KEY: 'sk-ant-test', OPENAI_BASE_URL: openaiBaseUrl(server), ANTHROPIC_BASE_URL: anthropicBaseUrl(server), FRUGAL_HOME: join(dir, 'home') });
const run = (args: string[], stdin?: string, extra = {}) => frugalIn(['run', '--no-ledger', ...args], { cwd: dir, env: env(), stdin, ...extra });

describe('-s/--system and --system-file', () => {
  it("sends the system prompt with every prompt; a record's own system wins", async () => {
    const jsonl = [{ id: 'a', prompt: 'Say hi' }, { id: 'b', prompt: 'Say bye', system: 'Be terse.' }].map((r) => JSON.stringify(r)).join('\n');
    const r = await run(['-s', 'Answer in French.', '-c', '1'], jsonl);
    expect(r.code).toBe(0);
    const bodies = server.requests.map((q) => q.body as { instructions?: string });
    expect(bodies.map((b) => b.instructions)).toEqual(['Answer in French.', 'Be terse.']);
  });

  it('reads it from a file', async () => {
    const r = await run(['--system-file', 'system.txt', '-p', 'Say hi']);
    expect(r.code).toBe(0);
    expect((server.requests[0]!.body as { instructions?: string }).instructions).toBe('Answer in French.');
  });

  it('refuses a missing file and both flags at once, sending nothing', async () => {
    expect(await run(['--system-file', 'nope.txt', '-p', 'x'])).toMatchObject({ code: 2, stderr: expect.stringContaining('frugal: --system-file nope.txt: cannot read (ENOENT)') });
    expect(await run(['-s', 'a', '--system-file', 'system.txt', '-p', 'x'])).toMatchObject({ code: 2 });
    expect(server.requests).toHaveLength(0);
  });
});

describe('--option', () => {
  it('is refused before anything is sent when a model the run can reach does not take it', async () => {
    const r = await run(['--option', 'top_k=5', '-p', 'Say hi']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('frugal: option top_k (from --option) is not accepted by model balanced: its API (OpenAI Responses) takes temperature, top_p, reasoning_effort, service_tier');
    expect(server.requests).toHaveLength(0);
  });

  it('is accepted when every reachable model takes it (-m narrows the run to one model)', async () => {
    expect((await run(['--option', 'top_k=5', '-m', 'quick', '-p', 'Say hi'])).code).toBe(0);
    expect((await run(['--option', 'temperature=0.2', '-p', 'Say hi'])).code).toBe(0);
  });

  it('rejects unknown keys and bad values', async () => {
    expect((await run(['--option', 'temprature=1', '-p', 'x'])).stderr).toContain('unknown option (did you mean "temperature"?)');
    expect((await run(['--option', 'temperature=9', '-p', 'x'])).stderr).toContain('frugal: --option temperature: must be a number from 0 to 2');
  });

  it('warns once per run about record keys that look like options it does not know', async () => {
    const jsonl = [1, 2, 3].map((i) => JSON.stringify({ id: `p${i}`, prompt: 'Say hi', frequency_penalty: 0.5 })).join('\n');
    const r = await run([], jsonl);
    expect(r.stderr.match(/frequency_penalty/g)).toHaveLength(1);
    expect(r.stderr).toContain('frugal: warning: <stdin>:1: "frequency_penalty" is not a model option frugal knows, so it is not sent');
  });

  it('reports a record option with a bad value as an unreadable line', async () => {
    const r = await run([], JSON.stringify({ id: 'x', prompt: 'Say hi', temperature: 'hot' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('frugal: <stdin>:1: "temperature" must be a number from 0 to 2');
  });
});

describe('--schema', () => {
  it('refuses a schema file that is not JSON or not a schema', async () => {
    writeFileSync(join(dir, 'bad.json'), '{"type": "objekt"}');
    expect((await run(['--schema', 'bad.json', '-p', 'x'])).stderr).toContain('frugal: --schema bad.json: not a valid JSON Schema');
    writeFileSync(join(dir, 'bad.json'), 'nope');
    expect((await run(['--schema', 'bad.json', '-p', 'x'])).stderr).toContain('frugal: --schema bad.json: not JSON');
    expect(server.requests).toHaveLength(0);
  });
});

describe('--stream', () => {
  it('streams a one-shot answer into a pipe', async () => {
    const plain = await run(['-p', 'Say hi']);
    expect(plain.stdoutWrites).toBe(1);
    expect(server.requests[0]!.stream).toBe(false);
    const streamed = await run(['--stream', '-p', 'Say hi']);
    expect(streamed.stdout).toBe('Santiago is the capital of Chile.\n');
    expect(server.requests[1]!.stream).toBe(true);
    expect(streamed.stdoutWrites).toBeGreaterThan(2);
  });
});
