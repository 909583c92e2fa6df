import { mkdtempSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anthropicBaseUrl, openaiBaseUrl, startFakeServer, type FakeServer } from '../fake/server.js';
import { jsonLines, runCli } from '../helpers/cli.js';

let server: FakeServer;
let dir: string;

// gpt-5.4-mini: input $0.75, output $4.5 per million tokens. claude-opus-5-5: input $4, cache write $5, output $20.
const POLICY = `
baseline: flagship
default: balanced
models:
  flagship: { provider: anthropic, model: claude-opus-5-5, fallback: balanced }
  lonely: { provider: anthropic, model: claude-opus-5-5 }
  balanced: { provider: openai, model: gpt-5.4-mini }
  longcap: { provider: openai, model: gpt-5.4-mini, max_tokens: 100000 }
classes:
  - { name: hard, when: { keywords: [hard] }, route: flagship }
  - { name: alone, when: { keywords: [alone] }, route: lonely }
  - { name: long, when: { keywords: [long] }, route: longcap }
`;

const env = () => ({
  OPENAI_API_KEY: 'k1',
  ANTHROPIC_API_KEY: 'k2',
  OPENAI_BASE_URL: openaiBaseUrl(server),
  ANTHROPIC_BASE_URL: anthropicBaseUrl(server),
});

let n = 0;
function file(name: string, text: string): string {
  const path = join(dir, `${n++}-${name}`);
  writeFileSync(path, text);
  return path;
}
const jsonl = (records: object[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

beforeAll(async () => {
  server = await startFakeServer();
  dir = mkdtempSync(join(tmpdir(), 'frugal-resume-'));
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  server.setLatency(0);
  server.setDefaults({ usage: { input: 100, output: 10 } });
});

describe('--resume', () => {
  it.each([2, 9, 21])('after kill -9 once the server has seen %i requests, resume sends only what was in flight again', async (killAt) => {
    server.setLatency(40);
    const ids = Array.from({ length: 30 }, (_, i) => `p${i}`);
    const input = file('in.jsonl', jsonl(ids.map((id) => ({ id, prompt: `Summarize record ${id}`, max_tokens: 50 }))));
    const routes = file('routes.yaml', POLICY);
    const out = join(dir, `${n++}-out.jsonl`);
    const first = await runCli(['run', '--routes', routes, input, '-o', out, '-c', '4'], {
      env: env(),
      onSpawn: (child) => {
        const timer = setInterval(() => {
          if (server.requests.length >= killAt) {
            clearInterval(timer);
            child.kill('SIGKILL');
          }
        }, 2);
      },
    });
    expect(first.signal).toBe('SIGKILL');
    const sentBefore = new Set(server.requests.map((r) => r.prompt.replace('Summarize record ', '')));
    const recordedBefore = new Set(readFileSync(out, 'utf8').split('\n').filter((l) => l.endsWith('}')).map((l) => JSON.parse(l).id as string));

    const second = await runCli(['run', '--routes', routes, input, '-o', out, '--resume', '-c', '4'], { env: env() });
    expect(second.code).toBe(0);
    const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
    const records = lines.map((l) => JSON.parse(l) as { id: string; error: unknown });
    const ok = records.filter((r) => r.error === null).map((r) => r.id);
    expect(ok.sort()).toEqual([...ids].sort());
    // every id has exactly one successful record
    expect(new Set(ok).size).toBe(ok.length);
    // the prompts sent twice are exactly those in flight at the kill: sent, but not recorded
    const counts = new Map<string, number>();
    for (const r of server.requests) {
      const id = r.prompt.replace('Summarize record ', '');
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const twice = [...counts].filter(([, c]) => c > 1).map(([id]) => id);
    for (const id of twice) {
      expect(sentBefore.has(id)).toBe(true);
      expect(recordedBefore.has(id)).toBe(false);
    }
    expect(twice.length).toBeLessThanOrEqual(4);
    expect([...counts.values()].every((c) => c <= 2)).toBe(true);
  });

  it('drops a torn last line and retries failed records', async () => {
    const routes = file('routes.yaml', POLICY);
    const input = file('in.jsonl', jsonl([{ id: 'a', prompt: 'Summarize a' }, { id: 'b', prompt: 'Summarize b' }, { id: 'c', prompt: 'Summarize c' }]));
    const out = join(dir, `${n++}-out.jsonl`);
    writeFileSync(out, JSON.stringify({ id: 'a', error: null, cost_usd: 0.000012 }) + '\n' + JSON.stringify({ id: 'b', error: { status: 500, message: 'x' }, cost_usd: 0 }) + '\n');
    appendFileSync(out, '{"id":"c","class":null,"rou');
    const res = await runCli(['run', '--routes', routes, input, '-o', out, '--resume'], { env: env() });
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('resuming: 1 prompts already done');
    expect(res.stderr).toContain('1 failed records will be retried');
    expect(res.stderr).toMatch(/torn last line \(\d+ bytes\) was dropped/);
    const records = jsonLines(readFileSync(out, 'utf8'));
    expect(records.map((r) => r.id)).toEqual(['a', 'b', 'b', 'c'].slice(0, 2).concat(records.slice(2).map((r) => r.id as string)));
    expect(records.filter((r) => r.error === null).map((r) => r.id).sort()).toEqual(['a', 'b', 'c']);
    expect(server.requests.map((r) => r.prompt).sort()).toEqual(['Summarize b', 'Summarize c']);
  });

  it('needs -o and a live run', async () => {
    const routes = file('routes.yaml', POLICY);
    const res = await runCli(['run', '--routes', routes, '--resume', '-p', 'x'], { env: env() });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--resume needs -o FILE');
  });
});

describe('duplicate ids', () => {
  it('are an error naming both lines; the other prompts run', async () => {
    const routes = file('routes.yaml', POLICY);
    const input = file('dup.jsonl', jsonl([{ id: 'x', prompt: 'Summarize one' }, { id: 'y', prompt: 'Summarize two' }, { id: 'x', prompt: 'Summarize three' }]));
    const res = await runCli(['run', '--routes', routes, input, '-c', '1'], { env: env() });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`${input}:3: duplicate id "x" (first at ${input}:1)`);
    expect(jsonLines(res.stdout).map((r) => r.id)).toEqual(['x', 'y']);
    expect(server.requests).toHaveLength(2);
  });
});

describe('--max-spend', () => {
  // One prompt on balanced: "Summarize item NN" is 17 bytes -> worst case 17 + 8 + 16 = 41 input tokens,
  // and max_tokens 100 -> 41 * 0.75 + 100 * 4.5 = 480.75 micro-USD reserved. Actual: 100 * 0.75 + 10 * 4.5 = 120.
  const prompts = Array.from({ length: 10 }, (_, i) => ({ id: `i${i}`, prompt: `Summarize item ${String(i).padStart(2, '0')}`, max_tokens: 100 }));

  it('never sends what could pass the cap, stops with exit 3, and --resume with a higher cap carries on', async () => {
    const routes = file('routes.yaml', POLICY);
    const input = file('budget.jsonl', jsonl(prompts));
    const out = join(dir, `${n++}-out.jsonl`);
    const summary = join(dir, `${n++}-summary.json`);
    // $0.0008: after 3 prompts (360 spent) a fourth would need 360 + 480.75 > 800, so the run stops there.
    const res = await runCli(['run', '--routes', routes, input, '-o', out, '-c', '1', '--max-spend', '0.0008', '--summary-json', summary], { env: env() });
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('stopped at the budget');
    const s = JSON.parse(readFileSync(summary, 'utf8'));
    expect(s.stopped).toBe('budget');
    expect(s.cost_usd).toBe(0.00036);
    expect(s.cost_usd).toBeLessThanOrEqual(0.0008);
    expect(server.billed()).toHaveLength(3);

    const again = await runCli(['run', '--routes', routes, input, '-o', out, '--resume', '-c', '1', '--max-spend', '0.002'], { env: env() });
    expect(again.code).toBe(0);
    const ok = jsonLines(readFileSync(out, 'utf8')).filter((r) => r.error === null);
    expect(ok).toHaveLength(10);
    expect(server.billed()).toHaveLength(10);
  });

  it('keeps spend under the cap with many prompts in flight', async () => {
    const routes = file('routes.yaml', POLICY);
    const many = Array.from({ length: 60 }, (_, i) => ({ id: `m${i}`, prompt: `Summarize item ${String(i).padStart(2, '0')}`, max_tokens: 100 }));
    const input = file('many.jsonl', jsonl(many));
    const summary = join(dir, `${n++}-summary.json`);
    server.setLatency(5);
    const res = await runCli(['run', '--routes', routes, input, '-c', '16', '--max-spend', '0.003', '--summary-json', summary], { env: env() });
    expect(res.code).toBe(3);
    const s = JSON.parse(readFileSync(summary, 'utf8'));
    expect(s.cost_usd).toBeLessThanOrEqual(0.003);
    expect(s.cost_usd).toBe(server.billed().length * 0.00012);
    // in-flight reservations are released as they settle, so the budget is used, not left idle
    expect(s.cost_usd).toBeGreaterThanOrEqual(0.003 - 0.00048075);
  });

  it('reserves a long output cap in full: nothing is sent that could pass the cap', async () => {
    const routes = file('routes.yaml', POLICY);
    const input = file('long.jsonl', jsonl([{ id: 'L', prompt: 'A long one' }]));
    // longcap: max_tokens 100000 -> 100000 * 4.5 micro-USD = $0.45 worst case, far above $0.10
    const res = await runCli(['run', '--routes', routes, input, '--max-spend', '0.10'], { env: env() });
    expect(res.code).toBe(3);
    expect(server.requests).toHaveLength(0);
    const ok = await runCli(['run', '--routes', routes, input, '--max-spend', '0.46'], { env: env() });
    expect(ok.code).toBe(0);
    expect(server.requests).toHaveLength(1);
  });

  it("a per-model cap falls back to the model's fallback, or fails the prompt with a clear message", async () => {
    const routes = file('routes.yaml', `${POLICY}\nbudget:\n  per_model: { flagship: 0.001, lonely: 0.001 }\n`);
    const input = file('caps.jsonl', jsonl([{ id: 'h', prompt: 'A hard question', max_tokens: 100 }, { id: 'a', prompt: 'All alone here', max_tokens: 100 }]));
    const res = await runCli(['run', '--routes', routes, input, '-c', '1'], { env: env() });
    // claude-opus-5-5 worst case: (15 + 24) * 5 + 100 * 20 = 2195 micro-USD > $0.001
    expect(res.code).toBe(1);
    const records = Object.fromEntries(jsonLines(res.stdout).map((r) => [r.id, r]));
    expect(records.h!.route).toBe('balanced');
    expect(String(records.h!.reason)).toContain('flagship budget ($0.001000) reached: fell back to balanced');
    expect(records.h!.error).toBeNull();
    expect(records.a!.error).toMatchObject({ type: 'budget' });
    expect(String((records.a!.error as { message: string }).message)).toContain('budget for lonely reached ($0.001000 per run) and lonely names no fallback');
    expect(server.requests.map((r) => r.model)).toEqual(['gpt-5.4-mini']);
  });
});
