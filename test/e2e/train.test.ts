import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareCommand } from '../../src/commands/compare.js';
import { explainCommand } from '../../src/commands/explain.js';
import { trainCommand } from '../../src/commands/train.js';
import { validateCommand } from '../../src/commands/validate.js';
import { parseScorer } from '../../src/core/quality/scorer.js';
import { runInProcess } from '../helpers/run-command.js';
import { promptsJsonl, resultsJsonl, wordProblems, type WordProblem } from '../fixtures/word-problems.js';

const ROUTES = `baseline: strong
default: strong
models:
  strong: { provider: anthropic, model: claude-opus-5-5, price: { input: 5, output: 25 } }
  weak: { provider: anthropic, model: claude-haiku-4-5, price: { input: 0.25, output: 1.25 } }
classes:
  - name: short
    when: { max_prompt_tokens: 5 }
    route: weak
`;

let dir: string;
let problems: WordProblem[];
const env = () => ({ XDG_CACHE_HOME: join(dir, 'cache') });
const trainIn = (args: string[]) => runInProcess(trainCommand, args, { cwd: dir, env: env() });
const base = ['--input', 'problems.jsonl', '--from', 'weak.jsonl', 'strong.jsonl', '--routes', 'routes.yaml', '--grader', 'number'];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'frugal-train-'));
  problems = wordProblems(400);
  writeFileSync(join(dir, 'problems.jsonl'), promptsJsonl(problems));
  writeFileSync(join(dir, 'weak.jsonl'), resultsJsonl(problems, 'weak'));
  writeFileSync(join(dir, 'strong.jsonl'), resultsJsonl(problems, 'strong'));
  writeFileSync(join(dir, 'routes.yaml'), ROUTES);
});

describe('frugal train on the graded word problems', () => {
  it('learns a cascade that beats the random router on held-out folds and writes a policy and its scorer', async () => {
    const res = await trainIn([...base, '--target-quality', '0.95', '-o', 'learned.yaml', '--json', '--html', 'curve.html']);
    expect(res.stderr).toContain('beats the random router');
    // The curves as a self-contained page: one line per router, the figures beside them.
    const html = readFileSync(join(dir, 'curve.html'), 'utf8');
    expect(html.match(/<polyline /g)).toHaveLength(3);
    expect(html).toContain('random router');
    expect(html).toContain('beats the random router');
    expect(html).not.toMatch(/<script|(src|href)=/);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as { beats_random: boolean; routers: { kind: string; held_out: { cost_cut: number; quality_kept: number } }[]; random: { held_out: { cost_cut: number } } };
    const cascade = out.routers.find((r) => r.kind === 'cascade')!;
    expect(cascade.held_out.quality_kept).toBeGreaterThanOrEqual(0.95);
    expect(cascade.held_out.cost_cut).toBeGreaterThan(out.random.held_out.cost_cut);
    const policy = readFileSync(join(dir, 'learned.yaml'), 'utf8');
    expect(policy).toMatch(/^# Learned by frugal train on 2026-06-01T00:00:00.000Z from 400 graded prompts of problems.jsonl/);
    expect(policy).toContain('default: learned');
    expect(policy).not.toContain('classes:');
    expect(policy).toMatch(/learned:\n\s+try:\n\s+- weak\n\s+- strong\n\s+accept:\n\s+score:\n\s+file: learned.scorer.json/);
    const scorer = JSON.parse(readFileSync(join(dir, 'learned.scorer.json'), 'utf8'));
    expect(scorer).toMatchObject({ format: 'frugal-scorer-1', kind: 'cascade', trained_on: { prompts: 400, cheap: 'weak', strong: 'strong' } });
    // The scorer rejects the weak model's slips: a wrong stated calculation.
    const s = parseScorer(scorer);
    const slips = problems.filter((p) => p.weak.mistake === 'slip');
    const rejected = slips.filter((p) => s.score({ id: p.id, messages: [{ role: 'user', content: p.prompt }], fields: {}, source: { file: 'x' } }, p.weak.output) < s.threshold);
    expect(rejected.length / slips.length).toBeGreaterThan(0.9);
  });

  it('the learned policy validates and explains, and compare --from routes the logged answers through it', async () => {
    const v = await runInProcess(validateCommand, [join(dir, 'learned.yaml')], { cwd: dir, env: env() });
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/learned: weak -> strong; accept when score learned.scorer.json >= 0\.\d+/);
    const e = await runInProcess(explainCommand, ['--routes', join(dir, 'learned.yaml'), '--output-tokens', '100', 'A baker bakes 3 trays of 12 cookies and sells 5. How many are left?'], { cwd: dir, env: env() });
    expect(e.code).toBe(0);
    expect(e.stdout).toContain('route:    learned (cascade)');
    const c = await runInProcess(compareCommand, [join(dir, 'learned.yaml'), '--input', join(dir, 'problems.jsonl'), '--from', join(dir, 'weak.jsonl'), join(dir, 'strong.jsonl'), '--grader', 'number', '--json'], { cwd: dir, env: env() });
    expect(c.code).toBe(0);
    const row = (JSON.parse(c.stdout) as { policies: { name: string; accuracy: number; escalation?: { rate: number } }[] }).policies.find((p) => p.name === 'learned.yaml')!;
    const strong = problems.filter((p) => p.strong.mistake === 'none').length / problems.length;
    expect(row.accuracy).toBeGreaterThanOrEqual(0.95 * strong);
    expect(row.escalation!.rate).toBeLessThan(0.6);
  });

  it('--holdout reports the written router on prompts it never saw', async () => {
    const res = await trainIn([...base, '--holdout', '0.5', '--json']);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as { prompts: number; holdout: { prompts: number; cost_cut: number; quality_kept: number; random_cost_cut: number } };
    expect(out.prompts).toBe(200);
    expect(out.holdout.prompts).toBe(200);
    expect(out.holdout.cost_cut).toBeGreaterThan(out.holdout.random_cost_cut);
    expect(res.stderr).toMatch(/set aside \(--holdout, 200 prompts\)/);
  });
});

describe('bad input: one clear message, exit 2, nothing written', () => {
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
  const cases: [string, () => string[], RegExp][] = [
    ['no expected answers', () => (write('bare.jsonl', problems.map((p) => JSON.stringify({ id: p.id, prompt: p.prompt })).join('\n')), ['--input', 'bare.jsonl', '--from', 'weak.jsonl', 'strong.jsonl', '--routes', 'routes.yaml']), /no prompt has an `expected` answer/],
    ['one model', () => ['--input', 'problems.jsonl', '--from', 'weak.jsonl', '--routes', 'routes.yaml'], /logged answers for only one model \(weak\)/],
    ['ids that match nothing', () => (write('other.jsonl', readFileSync(join(dir, 'weak.jsonl'), 'utf8').replaceAll('"wp', '"xx')), ['--input', 'problems.jsonl', '--from', 'other.jsonl', '--routes', 'routes.yaml']), /match no prompt/],
    ['fewer than 50', () => (write('few.jsonl', promptsJsonl(problems.slice(0, 30))), ['--input', 'few.jsonl', '--from', 'weak.jsonl', 'strong.jsonl', '--routes', 'routes.yaml', '--grader', 'number']), /30 graded prompts with answers of both models: training needs at least 50/],
    ['always good enough', () => (write('easy.jsonl', promptsJsonl(problems.filter((p) => p.strong.mistake === 'none'))), write('easy-weak.jsonl', resultsJsonl(problems.map((p) => ({ ...p, weak: p.strong })), 'weak')), ['--input', 'easy.jsonl', '--from', 'easy-weak.jsonl', 'strong.jsonl', '--routes', 'routes.yaml', '--grader', 'number']), /weak is always good enough/],
    ['never good enough', () => (write('wrong.jsonl', promptsJsonl(problems.map((p) => ({ ...p, expected: '-1' })))), ['--input', 'wrong.jsonl', '--from', 'weak.jsonl', 'strong.jsonl', '--routes', 'routes.yaml', '--grader', 'number']), /weak is never good enough/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const res = await trainIn([...args(), '-o', `bad-${name.replaceAll(' ', '-')}.yaml`]).catch((e: unknown) => e);
      expect(res).toMatchObject({ exitCode: 2 });
      expect((res as Error).message).toMatch(message);
      expect(existsSync(join(dir, `bad-${name.replaceAll(' ', '-')}.yaml`))).toBe(false);
    });
  }
});

describe('fails closed', () => {
  it('when the cheap model fails at random, it says so, exits 1 and writes nothing; --force writes it', async () => {
    // The weak model's answers shuffled across prompts: right or wrong at random, whatever the prompt.
    const shuffled = problems.map((p, i) => ({ ...p, weak: problems[(i * 7 + 3) % problems.length]!.weak }));
    writeFileSync(join(dir, 'random-weak.jsonl'), resultsJsonl(shuffled, 'weak').replace(/"output":"[^"]*"/g, '"output":"#### 7"'));
    const args = ['--input', 'problems.jsonl', '--from', 'random-weak.jsonl', 'strong.jsonl', '--routes', 'routes.yaml', '--grader', 'number', '-o', 'closed.yaml'];
    const res = await trainIn(args);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('the learned router does not beat the random router on held-out folds: no policy written');
    expect(existsSync(join(dir, 'closed.yaml'))).toBe(false);
    const forced = await trainIn([...args, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, 'closed.yaml'), 'utf8')).toContain('It does NOT beat the random router (written with --force).');
  });
});

describe('a prompt router, when the prompt tells', () => {
  it('is written as a class with a score matcher, routes before any call, validates and explains', async () => {
    // The weak model fails every factory problem (the prompt says "factory"), at length, and only those:
    // a cascade would pay its long wrong answer before escalating, a prompt router does not.
    const told = problems.map((p) => (p.prompt.includes('factory') ? { ...p, weak: { mistake: 'cut' as const, output: 'It makes a lot.' } } : { ...p, weak: { mistake: 'none' as const, output: p.strong.output } }));
    writeFileSync(join(dir, 'told-weak.jsonl'), resultsJsonl(told, 'weak'));
    const res = await trainIn(['--input', 'problems.jsonl', '--from', 'told-weak.jsonl', 'strong.jsonl', '--routes', 'routes.yaml', '--grader', 'number', '-o', 'told.yaml', '--json']);
    expect(res.code).toBe(0);
    expect((JSON.parse(res.stdout) as { written: string }).written).toBe('prompt');
    const policy = readFileSync(join(dir, 'told.yaml'), 'utf8');
    expect(policy).toContain('a prompt router: prompts the scorer says weak answers well go to it, before any call; the rest to strong.');
    expect(policy).toMatch(/classes:\n\s+- name: learned\n[\s\S]*when:\n\s+score:\n\s+file: told.scorer.json/);
    expect(policy).toContain('default: strong');
    const v = await runInProcess(validateCommand, [join(dir, 'told.yaml')], { cwd: dir, env: env() });
    expect(v.code).toBe(0);
    const explain = async (prompt: string) => (await runInProcess(explainCommand, ['--routes', join(dir, 'told.yaml'), prompt], { cwd: dir, env: env() })).stdout;
    expect(await explain('A factory makes 1,000 widgets a day, every day. How many widgets does it make in 3 weeks?')).toMatch(/route:\s+strong/);
    const apples = await explain('Sam has 3 apples. He buys 2 bags with 4 apples in each bag. How many apples does he have now?');
    expect(apples).toMatch(/class:\s+learned/);
    expect(apples).toMatch(/score 0\.\d{3} >= 0\.\d+ \(told\.scorer\.json\)/);
  });

  it('a cascade scorer as a class, or a missing scorer file, is refused with file:line', async () => {
    writeFileSync(join(dir, 'wrong-kind.yaml'), `${ROUTES.replace(/classes:[\s\S]*/, '')}classes:\n  - name: x\n    when: { score: { file: learned.scorer.json } }\n    route: weak\n`);
    const res = await runInProcess(validateCommand, [join(dir, 'wrong-kind.yaml')], { cwd: dir, env: env() }).catch((e: unknown) => e);
    expect((res as Error).message).toContain('wrong-kind.yaml:8 classes[0].when.score.file: learned.scorer.json: a cascade scorer needs an answer');
    writeFileSync(join(dir, 'missing.yaml'), `${ROUTES.replace(/classes:[\s\S]*/, '')}classes:\n  - name: x\n    when: { score: { file: nope.json } }\n    route: weak\n`);
    const gone = await runInProcess(validateCommand, [join(dir, 'missing.yaml')], { cwd: dir, env: env() }).catch((e: unknown) => e);
    expect((gone as Error).message).toMatch(/missing\.yaml:8 classes\[0\]\.when\.score\.file: cannot read scorer "nope\.json"/);
  });
});
