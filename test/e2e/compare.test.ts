import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { wilson } from '../../src/core/quality/quality.js';
import { anthropicBaseUrl, openaiBaseUrl, startFakeServer, type FakeServer } from '../fake/server.js';
import { runCli } from '../helpers/cli.js';

let server: FakeServer;
let dir: string;

// Three policies over three models; every prompt also goes to the baseline (opus).
const A = `baseline: flagship
default: cheap
models:
  flagship: { provider: anthropic, model: claude-opus-5-5 }
  cheap: { provider: anthropic, model: claude-haiku-4-5 }
classes:
  - { name: hard, when: { keywords: [hard] }, route: flagship }
`;
const B = `baseline: big
default: mini
models:
  big: { provider: anthropic, model: claude-opus-5-5 }
  mini: { provider: openai, model: gpt-5.4-mini }
`;
const C = `baseline: big
default: big
models:
  big: { provider: anthropic, model: claude-opus-5-5 }
  small: { provider: anthropic, model: claude-haiku-4-5 }
  mini: { provider: openai, model: gpt-5.4-mini }
classes:
  - { name: easy, when: { keywords: [easy] }, route: small }
  - { name: hard, when: { keywords: [hard] }, route: mini }
`;

// 6 prompts: 3 easy, 3 hard. opus answers all right; haiku gets the hard ones wrong; mini gets everything right but one easy.
const PROMPTS = [
  { id: 'e1', prompt: 'easy sum one', expected: '42', grader: 'number' },
  { id: 'e2', prompt: 'easy sum two', expected: '42', grader: 'number' },
  { id: 'e3', prompt: 'easy sum three', expected: ['yes', 'y'] },
  { id: 'h1', prompt: 'hard sum one', expected: '42', grader: 'number' },
  { id: 'h2', prompt: 'hard sum two', expected: '42', grader: 'number' },
  { id: 'h3', prompt: 'hard question', expected: 'yes' },
];

function answer(model: string, prompt: string): string {
  const yesNo = prompt.includes('three') || prompt.includes('question');
  const right = model === 'claude-opus-5-5' || (model === 'claude-haiku-4-5' && prompt.includes('easy')) || (model === 'gpt-5.4-mini' && !prompt.includes('easy sum one'));
  if (yesNo) return right ? 'yes' : 'no';
  return right ? 'The total is $42.' : 'The total is 41.';
}

const env = () => ({
  OPENAI_API_KEY: 'k',
  ANTHROPIC_API_KEY: 'k',
  OPENAI_BASE_URL: openaiBaseUrl(server),
  ANTHROPIC_BASE_URL: anthropicBaseUrl(server),
});

let files: { a: string; b: string; c: string; input: string };

beforeAll(async () => {
  server = await startFakeServer();
  dir = mkdtempSync(join(tmpdir(), 'frugal-compare-'));
  files = { a: join(dir, 'a.yaml'), b: join(dir, 'b.yaml'), c: join(dir, 'c.yaml'), input: join(dir, 'eval.jsonl') };
  writeFileSync(files.a, A);
  writeFileSync(files.b, B);
  writeFileSync(files.c, C);
  writeFileSync(files.input, PROMPTS.map((p) => JSON.stringify(p)).join('\n') + '\n');
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  for (const model of ['claude-opus-5-5', 'claude-haiku-4-5', 'gpt-5.4-mini']) {
    server.setModel(model, { text: (prompt) => answer(model, prompt), usage: { input: 1000, output: 100 } });
  }
});

type Row = { name: string; kind: string; calls_by_model: Record<string, number>; cost_usd: number; baseline_cost_usd: number; savings_usd: number; savings_pct: number; accuracy: number | null; accuracy_ci: [number, number] | null; quality_kept: number | null; estimated: number };

// Per call (1000 in, 100 out), micro-USD: opus 4000 + 2000 = 6000; haiku 1000 + 500 = 1500; mini 750 + 450 = 1200.
const COST = { opus: 0.006, haiku: 0.0015, mini: 0.0012 };

describe('frugal compare (live)', () => {
  it('sends each (model, prompt) pair once and reports spend, savings, accuracy and references', async () => {
    const res = await runCli(['compare', files.a, files.b, files.c, '--input', files.input, '--json', '-c', '4'], { env: env(), cwd: dir });
    expect(res.stderr).not.toContain('    at ');
    expect(res.code).toBe(0);
    // three models, six prompts: eighteen calls, however many policies share them
    expect(server.requests).toHaveLength(18);
    const pairs = new Set(server.requests.map((r) => `${r.model} ${r.prompt}`));
    expect(pairs.size).toBe(18);

    const out = JSON.parse(res.stdout) as { policies: Row[]; references: Row[]; best: string | null };
    const byName = Object.fromEntries([...out.policies, ...out.references].map((r) => [r.name, r]));
    const a = byName['a.yaml']!;
    const b = byName['b.yaml']!;
    const c = byName['c.yaml']!;
    const baseline = byName['baseline only (anthropic/claude-opus-5-5)']!;
    expect(baseline.cost_usd).toBeCloseTo(6 * COST.opus, 15);
    expect(baseline.accuracy).toBe(1);
    // A: 3 hard on opus, 3 easy on haiku -> all right
    expect(a.calls_by_model).toEqual({ 'anthropic/claude-opus-5-5': 3, 'anthropic/claude-haiku-4-5': 3 });
    expect(a.cost_usd).toBeCloseTo(3 * COST.opus + 3 * COST.haiku, 15);
    expect(a.baseline_cost_usd).toBeCloseTo(6 * COST.opus, 15);
    expect(a.savings_usd).toBeCloseTo(6 * COST.opus - (3 * COST.opus + 3 * COST.haiku), 15);
    expect(a.accuracy).toBe(1);
    // B: everything on mini -> 5/6
    expect(b.cost_usd).toBeCloseTo(6 * COST.mini, 15);
    expect(b.accuracy).toBeCloseTo(5 / 6, 12);
    expect(b.accuracy_ci![0]).toBeCloseTo(wilson(5, 6)![0], 12);
    expect(b.quality_kept).toBeCloseTo(5 / 6, 12);
    // C: easy on haiku (3 right), hard on mini (3 right)
    expect(c.calls_by_model).toEqual({ 'anthropic/claude-haiku-4-5': 3, 'openai/gpt-5.4-mini': 3 });
    expect(c.accuracy).toBe(1);
    expect(c.cost_usd).toBeCloseTo(3 * COST.haiku + 3 * COST.mini, 15);
    // best: keeps >= 95% of the baseline's accuracy, then the cheapest -> C
    expect(out.best).toBe('c.yaml');
    // single-model references
    expect(byName['only anthropic/claude-haiku-4-5']!.accuracy).toBe(0.5);
    expect(byName['only openai/gpt-5.4-mini']!.accuracy).toBeCloseTo(5 / 6, 12);
    // random router mirroring A: half opus (6/6 right, $0.036 for all), half haiku (3/6, $0.009 for all)
    const ra = byName['random, as a.yaml']!;
    expect(ra.kind).toBe('random');
    expect(ra.cost_usd).toBeCloseTo((3 * (6 * COST.opus) + 3 * (6 * COST.haiku)) / 6, 15);
    expect(ra.accuracy).toBeCloseTo(0.5 * 1 + 0.5 * 0.5, 12);
    expect(Object.keys(a)).toEqual(expect.arrayContaining(['name', 'file', 'calls_by_model', 'cost_usd', 'baseline_cost_usd', 'savings_usd', 'savings_pct', 'accuracy', 'accuracy_ci', 'quality_kept', 'estimated']));
  });

  it('records every call in the ledger, writes them with -o in run\'s format, and --from on that file gives the same report', async () => {
    const home = mkdtempSync(join(tmpdir(), 'frugal-compare-home-'));
    const out = join(dir, 'pairs.jsonl');
    const live = await runCli(['compare', files.a, files.b, '--input', files.input, '--json', '-o', out], { env: { ...env(), FRUGAL_HOME: home }, cwd: dir });
    expect(live.code).toBe(0);
    const records = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; model: string; cost_usd: number; calls: unknown[] });
    expect(records).toHaveLength(server.requests.length);
    expect(records.every((r) => r.calls.length === 1)).toBe(true);
    const stats = JSON.parse((await runCli(['stats', '--json'], { env: { FRUGAL_HOME: home } })).stdout) as { calls: number; cost_usd: number };
    expect(stats.calls).toBe(server.requests.length);
    expect(stats.cost_usd).toBeCloseTo(records.reduce((s, r) => s + r.cost_usd, 0), 12);
    const replay = await runCli(['compare', files.a, files.b, '--input', files.input, '--json', '--from', out], { cwd: dir });
    const strip = (text: string) => {
      const j = JSON.parse(text) as { mode?: string };
      delete j.mode;
      return j;
    };
    expect(strip(replay.stdout)).toEqual(strip(live.stdout));
  });

  it('lists regressions and writes a self-contained HTML report', async () => {
    const html = join(dir, 'report.html');
    const res = await runCli(['compare', files.a, files.b, '--input', files.input, '--show-regressions', '5', '--html', html], { env: env(), cwd: dir });
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/b\.yaml: wrong where the baseline was right\n {2}e1 {2}\(default\) {2}openai\/gpt-5\.4-mini {2}expected "42" {2}last number is 41, expected 42/);
    expect(res.stderr).toContain('★ a.yaml');
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<svg');
    // offline: no scripts, nothing fetched (the SVG namespace is a name, not a request)
    expect(page).not.toContain('<script');
    expect(page.replaceAll('http://www.w3.org/2000/svg', '')).not.toMatch(/https?:\/\//);
  });
});

describe('frugal compare when a model refuses the key', () => {
  it('says so once, lists none of its prompts one by one, and notes under the table that its rows are not measured; exit 1', async () => {
    const res = await runCli(['compare', files.b, '--input', files.input], { env: { ...env(), OPENAI_API_KEY: undefined } });
    expect(res.code).toBe(1);
    expect(res.stderr).not.toContain('    at ');
    expect(res.stderr.match(/OPENAI_API_KEY is not set/g)).toHaveLength(1);
    expect(res.stderr).not.toMatch(/frugal: [eh]\d on /);
    expect(res.stderr).toContain('frugal: not measured: openai/gpt-5.4-mini refused the key, so 6 of its 6 prompts have no answer; the rows that use it count them as failed, at no cost');
    // The baseline still ran.
    expect(server.requests.length).toBe(6);
  });
});

describe('frugal compare --dry-run and --from', () => {
  it('--dry-run sends nothing and needs no keys', async () => {
    const res = await runCli(['compare', files.a, files.b, '--input', files.input, '--dry-run', '--json'], { cwd: dir });
    expect(res.code).toBe(0);
    expect(server.requests).toHaveLength(0);
    const out = JSON.parse(res.stdout) as { policies: Row[] };
    expect(out.policies.every((p) => p.accuracy === null && p.estimated === 6)).toBe(true);
  });

  it('--from uses logged answers and real usage, and estimates the pairs never logged', async () => {
    const logged = join(dir, 'results.jsonl');
    const run = await runCli(['run', '--routes', files.a, files.input, '-o', logged, '--no-ledger'], { env: env(), cwd: dir });
    expect(run.code).toBe(0);
    server.reset();
    const res = await runCli(['compare', files.a, files.b, '--input', files.input, '--from', logged, '--json'], { cwd: dir });
    expect(res.code).toBe(0);
    expect(server.requests).toHaveLength(0);
    const out = JSON.parse(res.stdout) as { policies: Row[]; references: Row[] };
    const a = out.policies.find((p) => p.name === 'a.yaml')!;
    expect(a.estimated).toBe(0);
    expect(a.accuracy).toBe(1);
    expect(a.cost_usd).toBeCloseTo(3 * COST.opus + 3 * COST.haiku, 15);
    const b = out.policies.find((p) => p.name === 'b.yaml')!;
    // gpt-5.4-mini was never logged: all six of B's prompts are estimates, none graded
    expect(b.estimated).toBe(6);
    expect(b.accuracy).toBeNull();
    const baseline = out.references.find((r) => r.kind === 'baseline')!;
    expect(baseline.estimated).toBe(3);
  });

  it('reports bad expected answers and graders with file and line', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, [JSON.stringify({ id: 'x', prompt: 'easy', expected: '42', grader: 'nope' }), JSON.stringify({ id: 'y', prompt: 'easy', expected: '[z-a]', grader: 'regex' }), JSON.stringify({ id: 'z', prompt: 'easy one' })].join('\n'));
    const res = await runCli(['compare', files.a, '--input', bad, '--dry-run'], { cwd: dir });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`${bad}:1: "grader" must be one of`);
    expect(res.stderr).toMatch(new RegExp(`${bad}:2: .*does not compile`));
  });
});
