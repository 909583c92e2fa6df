import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anthropicBaseUrl, openaiBaseUrl, startFakeServer, type FakeServer } from '../fake/server.js';
import { jsonLines, ROOT, runCli } from '../helpers/cli.js';
import { maxCost } from '../../src/core/money/budget.js';
import { picoToUsd } from '../../src/core/money/money.js';
import { parsePolicy } from '../../src/core/policy/parse.js';
import { userPrompt } from '../support.js';

const OPENAI_KEY = 'sk-test-OPENAI-SECRET-1234567890';
const ANTHROPIC_KEY = 'sk-ant-test-ANTHROPIC-SECRET-0987654321';

let server: FakeServer;
let dir: string;
let routes: string;

const policyYaml = (localUrl: string) => `
baseline: flagship
default: balanced
models:
  flagship: { provider: anthropic, model: claude-opus-5-5 }
  balanced: { provider: openai, model: gpt-5.4-mini }
  chatty: { provider: openai, model: gpt-5.4-mini, api: chat }
  quick: { provider: anthropic, model: claude-haiku-4-5 }
  local:
    provider: openai-compatible
    model: llama3.2:3b
    base_url: ${localUrl}
    price: { input: 0, output: 0 }
classes:
  - name: code
    when: { keywords: [refactor, segfault] }
    route: flagship
  - name: lookup
    when: { keywords: [what, who] }
    route: quick
  - name: tiny
    when: { keywords: [translate] }
    route: local
  - name: chat
    when: { field: { api: chat } }
    route: chatty
`;

// Catalogue prices (USD per million tokens) of the models above, as billed.
// gpt-5.4-mini: input 0.75, cache read 0.075, output 4.5
// claude-opus-5-5: input 4, cache write 5, cache read 0.2, output 20
// claude-haiku-4-5: input 1, cache write 1.25, cache read 0.1, output 5
const OPENAI_USAGE = { input: 1000, output: 200, cacheRead: 100 };
const ANTHROPIC_USAGE = { input: 1000, output: 200, cacheRead: 100, cacheWrite: 50 };
const EXPECTED: Record<string, { cost: number; baseline: number }> = {
  balanced: { cost: (900 * 0.75 + 100 * 0.075 + 200 * 4.5) / 1e6, baseline: (900 * 4 + 100 * 0.2 + 200 * 20) / 1e6 },
  chatty: { cost: (900 * 0.75 + 100 * 0.075 + 200 * 4.5) / 1e6, baseline: (900 * 4 + 100 * 0.2 + 200 * 20) / 1e6 },
  flagship: { cost: (850 * 4 + 50 * 5 + 100 * 0.2 + 200 * 20) / 1e6, baseline: (850 * 4 + 50 * 5 + 100 * 0.2 + 200 * 20) / 1e6 },
  quick: { cost: (850 * 1 + 50 * 1.25 + 100 * 0.1 + 200 * 5) / 1e6, baseline: (850 * 4 + 50 * 5 + 100 * 0.2 + 200 * 20) / 1e6 },
  local: { cost: 0, baseline: (900 * 4 + 100 * 0.2 + 200 * 20) / 1e6 },
};

const prompts = [
  { id: 'a', prompt: 'Please refactor this loop' },
  { id: 'b', prompt: 'What is the capital of Chile?' },
  { id: 'c', prompt: 'Translate hello to French' },
  { id: 'd', prompt: 'Summarize the meeting notes below' },
  { id: 'e', prompt: 'Say something via chat completions', api: 'chat' },
];

function env(extra: Record<string, string> = {}) {
  return {
    OPENAI_API_KEY: OPENAI_KEY,
    ANTHROPIC_API_KEY: ANTHROPIC_KEY,
    OPENAI_BASE_URL: openaiBaseUrl(server),
    ANTHROPIC_BASE_URL: anthropicBaseUrl(server),
    ...extra,
  };
}

function writeJsonl(name: string, records: object[]): string {
  const file = join(dir, name);
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

beforeAll(async () => {
  server = await startFakeServer();
  dir = mkdtempSync(join(tmpdir(), 'frugal-live-'));
  routes = join(dir, 'routes.yaml');
  writeFileSync(routes, policyYaml(openaiBaseUrl(server)));
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.reset();
  server.setDefaults({ usage: (_p, ctx) => (ctx.api === 'messages' ? ANTHROPIC_USAGE : OPENAI_USAGE) });
  server.setLatency(0);
});

describe('frugal run (live, against the fake provider)', () => {
  it('prices every record exactly from the usage the server reported', async () => {
    const file = writeJsonl('in.jsonl', prompts);
    const summary = join(dir, 'summary.json');
    const res = await runCli(['run', '--routes', routes, file, '--summary-json', summary], { env: env() });
    expect(res.stderr).not.toContain('    at ');
    expect(res.code).toBe(0);
    const records = jsonLines(res.stdout);
    expect(records.map((r) => r.id).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    const byId = Object.fromEntries(records.map((r) => [r.id, r]));
    expect(byId.a!.route).toBe('flagship');
    expect(byId.b!.route).toBe('quick');
    expect(byId.c!.route).toBe('local');
    expect(byId.d!.route).toBe('balanced');
    expect(byId.e!.route).toBe('chatty');
    for (const r of records) {
      const want = EXPECTED[r.route as string]!;
      expect(r.cost_usd, `${r.id} cost`).toBe(want.cost);
      expect(r.baseline_cost_usd, `${r.id} baseline`).toBe(want.baseline);
      expect(r.error).toBeNull();
      expect(typeof r.output).toBe('string');
      expect(r).toHaveProperty('latency_ms');
      expect(r.usage).toEqual(
        r.provider === 'anthropic'
          ? { input_tokens: 1000, output_tokens: 200, cache_read_tokens: 100, cache_write_tokens: 50 }
          : { input_tokens: 1000, output_tokens: 200, cache_read_tokens: 100, cache_write_tokens: 0 },
      );
    }
    // Each API was used as documented.
    const paths = server.requests.map((r) => `${r.api}:${r.model}`).sort();
    expect(paths).toEqual(['chat:gpt-5.4-mini', 'chat:llama3.2:3b', 'messages:claude-haiku-4-5', 'messages:claude-opus-5-5', 'responses:gpt-5.4-mini']);

    const s = JSON.parse(readFileSync(summary, 'utf8'));
    expect(s.prompts).toBe(5);
    expect(s.succeeded).toBe(5);
    expect(s.failed).toBe(0);
    const total = records.reduce((sum, r) => sum + Math.round((r.cost_usd as number) * 1e12), 0) / 1e12;
    const baseline = records.reduce((sum, r) => sum + Math.round((r.baseline_cost_usd as number) * 1e12), 0) / 1e12;
    expect(s.cost_usd).toBe(total);
    expect(s.baseline_cost_usd).toBe(baseline);
    expect(s.savings_usd).toBe(Math.round((baseline - total) * 1e12) / 1e12);
    expect(s.savings_pct).toBeCloseTo(((baseline - total) / baseline) * 100, 10);
    expect(s.models.map((m: { route: string }) => m.route).sort()).toEqual(['balanced', 'chatty', 'flagship', 'local', 'quick']);
    for (const m of s.models) expect(Object.keys(m)).toEqual(expect.arrayContaining(['route', 'provider', 'model', 'calls', 'input_tokens', 'output_tokens', 'cost_usd']));
    // stderr carries the table, stdout only records
    expect(res.stderr).toContain('baseline');
    expect(res.stderr).toContain('savings');
  });

  it('retries 429 (retry-after-ms) and 500 at no cost, and keeps a dropped attempt at its reservation', async () => {
    server.enqueueFaults([{ status: 429, retryAfterMs: 20 }, { status: 500 }, { kind: 'reset' }]);
    const file = writeJsonl('one.jsonl', [prompts[3]!]);
    const summary = join(dir, 'retry-summary.json');
    const res = await runCli(['run', '--routes', routes, file, '--summary-json', summary, '-c', '1'], { env: env() });
    expect(res.code).toBe(0);
    const [record] = jsonLines(res.stdout);
    expect(record!.attempts).toBe(4);
    expect(server.requests.length).toBe(4);
    expect(server.billed().length).toBe(1);
    // The reset came after the request reached the server: it may be billed, so it keeps its
    // reservation (UTF-8 bytes + framing at the input price, 4096 answer tokens at the output price).
    const prompt = userPrompt(prompts[3]!.prompt);
    const policy = parsePolicy(readFileSync(routes, 'utf8'), 'r.yaml', { now: new Date() });
    const reserved = picoToUsd(maxCost(prompt, policy.models.get('balanced')!, 4096));
    const [call] = record!.calls as { cost_usd: number; unsettled_usd: number; cost_exact: boolean; attempts: number }[];
    expect(call).toMatchObject({ unsettled_usd: reserved, cost_exact: false, attempts: 4 });
    expect(call!.cost_usd).toBeCloseTo(EXPECTED.balanced!.cost + reserved, 12);
    expect(record!.cost_usd).toBe(call!.cost_usd);
    expect(record!.cost_exact).toBe(false);
    const s = JSON.parse(readFileSync(summary, 'utf8'));
    expect(s.retries).toBe(3);
    expect(s.cost_usd).toBe(record!.cost_usd);
    expect(s.models[0].calls).toBe(1);
  });

  it('does not retry a 400; the failed prompt is a record with error, the rest run, exit 1', async () => {
    server.addFaultRule({ fault: { status: 400, message: 'context length exceeded' }, promptIncludes: 'meeting' });
    const file = writeJsonl('bad.jsonl', prompts);
    const res = await runCli(['run', '--routes', routes, file], { env: env() });
    expect(res.code).toBe(1);
    const records = jsonLines(res.stdout);
    expect(records).toHaveLength(5);
    const failed = records.find((r) => r.id === 'd')!;
    expect(failed.error).toMatchObject({ status: 400 });
    expect(String((failed.error as { message: string }).message)).toContain('context length exceeded');
    expect(failed.cost_usd).toBe(0);
    expect(failed.attempts).toBe(1);
    expect(server.requests.filter((r) => r.prompt.includes('meeting'))).toHaveLength(1);
  });

  it('gives up after --retries and records the last error', async () => {
    server.addFaultRule({ fault: { status: 503 }, promptIncludes: 'meeting' });
    const file = writeJsonl('down.jsonl', [prompts[3]!]);
    const res = await runCli(['run', '--routes', routes, file, '--retries', '2'], { env: env() });
    expect(res.code).toBe(1);
    const [record] = jsonLines(res.stdout);
    expect(record!.attempts).toBe(3);
    expect((record!.error as { status: number }).status).toBe(503);
    expect(server.requests).toHaveLength(3);
  });

  it('prints a single piped prompt as plain text and keeps stderr quiet', async () => {
    server.setModel('gpt-5.4-mini', { text: 'Santiago is the capital.', usage: OPENAI_USAGE });
    const res = await runCli(['run', '--routes', routes], { env: env(), stdin: 'Summarize: Chile has a capital.\n' });
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('Santiago is the capital.\n');
    expect(res.stderr).toBe('');
  });

  it('--summary prints the one-line cost summary for a single prompt', async () => {
    const res = await runCli(['run', '--routes', routes, '--summary', '-p', 'Summarize this please'], { env: env() });
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/^frugal: balanced \(gpt-5\.4-mini\) 1,000 in \/ 200 out tokens, \$0\.001583; baseline \$0\.007620; saved \$0\.006038 \(79\.2%\)\n$/);
  });

  it('a missing key fails the prompt naming the variable, sends nothing, and exits 2 for a single prompt', async () => {
    const res = await runCli(['run', '--routes', routes, '-p', 'Summarize this please'], { env: { ...env(), OPENAI_API_KEY: '' } });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('OPENAI_API_KEY is not set');
    expect(res.stdout).toBe('');
    expect(server.requests).toHaveLength(0);
  });

  it('-o /dev/null is a sink like any other (it cannot be fsynced)', async () => {
    const file = writeJsonl('devnull.jsonl', prompts);
    const res = await runCli(['run', '--routes', routes, file, '-o', '/dev/null'], { env: env() });
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('│ balanced │ openai/gpt-5.4-mini');
  });

  it('never prints or writes the API keys', async () => {
    server.addFaultRule({ fault: { status: 401, message: 'invalid x-api-key' }, promptIncludes: 'capital' });
    const file = writeJsonl('keys.jsonl', prompts);
    const out = join(dir, 'keys-out.jsonl');
    const summary = join(dir, 'keys-summary.json');
    const res = await runCli(['run', '--routes', routes, file, '-o', out, '--summary-json', summary], { env: env() });
    const everything = res.stdout + res.stderr + readFileSync(out, 'utf8') + readFileSync(summary, 'utf8');
    expect(everything).not.toContain(OPENAI_KEY);
    expect(everything).not.toContain(ANTHROPIC_KEY);
    expect(everything).not.toContain('SECRET');
    // ...but the keys were sent to the server
    expect(JSON.stringify(server.requests.map((r) => r.headers))).toContain(OPENAI_KEY);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s (Ctrl-C, or what `timeout` and CI send) stops sending, finishes what is in flight, prints the summary and exits 130 with valid JSONL', async (signal) => {
    server.setLatency(300);
    const many = Array.from({ length: 20 }, (_, i) => ({ id: `q${i}`, prompt: `Summarize document ${i}` }));
    const file = writeJsonl('many.jsonl', many);
    const res = await runCli(['run', '--routes', routes, file, '-c', '2'], {
      env: env(),
      onSpawn: (child) => {
        const timer = setInterval(() => {
          if (server.requests.length >= 3) {
            clearInterval(timer);
            child.kill(signal);
          }
        }, 10);
      },
    });
    expect(res.code).toBe(130);
    const records = jsonLines(res.stdout);
    expect(records.length).toBeGreaterThanOrEqual(3);
    expect(records.length).toBeLessThan(20);
    // everything that was sent finished and was written; nothing else was sent
    expect(records.length).toBe(server.requests.length);
    expect(records.every((r) => r.error === null)).toBe(true);
    expect(res.stderr).toContain('savings');
  });

  it('a second Ctrl-C aborts what is in flight; the output is still whole JSONL lines', async () => {
    server.setLatency(2000);
    const many = Array.from({ length: 6 }, (_, i) => ({ id: `s${i}`, prompt: `Summarize slow document ${i}` }));
    const file = writeJsonl('slow.jsonl', many);
    const res = await runCli(['run', '--routes', routes, file, '-c', '3'], {
      env: env(),
      onSpawn: (child) => {
        const timer = setInterval(() => {
          if (server.requests.length >= 3) {
            clearInterval(timer);
            child.kill('SIGINT');
            setTimeout(() => child.kill('SIGINT'), 100);
          }
        }, 10);
      },
    });
    expect(res.code).toBe(130);
    // Dropped by the client before their 2 s answers came: the server saw them go (not a wall-clock
    // bound, which a loaded machine's process start-up would eat into).
    expect(server.requests.map((r) => r.outcome)).toEqual(['client-aborted', 'client-aborted', 'client-aborted']);
    const records = jsonLines(res.stdout);
    expect(records).toHaveLength(3);
    expect(records.every((r) => (r.error as { type: string }).type === 'aborted')).toBe(true);
    // The provider bills work the client stopped waiting for: each aborted call keeps its reservation.
    expect(records.every((r) => (r.cost_usd as number) > 0 && r.cost_exact === false)).toBe(true);
    expect(server.requests).toHaveLength(3);
  });

  it('--model forces one route and keeps the policy baseline', async () => {
    const file = writeJsonl('forced.jsonl', prompts.slice(0, 2));
    const res = await runCli(['run', '--routes', routes, file, '--model', 'quick'], { env: env() });
    expect(res.code).toBe(0);
    const records = jsonLines(res.stdout);
    expect(records.every((r) => r.route === 'quick')).toBe(true);
    expect(records.every((r) => r.baseline_cost_usd === EXPECTED.quick!.baseline)).toBe(true);
    const bad = await runCli(['run', '--routes', routes, file, '--model', 'quik'], { env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('did you mean "quick"');
  });

  it('honours --max-tokens, capped further by a record max_tokens', async () => {
    const file = writeJsonl('caps.jsonl', [
      { id: 'x', prompt: 'Summarize a', max_tokens: 50 },
      { id: 'y', prompt: 'Who is it', max_tokens: 5000 },
    ]);
    const res = await runCli(['run', '--routes', routes, file, '--max-tokens', '300', '-c', '1'], { env: env() });
    expect(res.code).toBe(0);
    const bodies = Object.fromEntries(server.requests.map((r) => [r.prompt, r.body as Record<string, unknown>]));
    expect(bodies['Summarize a']!.max_output_tokens).toBe(50);
    expect(bodies['Who is it']!.max_tokens).toBe(300);
  });
});

void ROOT;
