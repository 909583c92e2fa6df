import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareCommand } from '../../src/commands/compare.js';
import { arithmeticStatements } from '../../src/core/routing/checks/arithmetic.js';
import { runInProcess } from '../helpers/run-command.js';
import { promptsJsonl, resultsJsonl, wordProblems, type WordProblem } from '../fixtures/word-problems.js';

/** Every path absolute: the input readers resolve against the process's directory, not ctx.cwd. */
const compare = (given: string[], cwd: string) =>
  runInProcess(compareCommand, given.map((a) => (/\.(ya?ml|jsonl)$/.test(a) ? join(cwd, a) : a)), { cwd });

const MODELS = `models:
  strong: { provider: anthropic, model: claude-opus-5-5, price: { input: 5, output: 25 } }
  weak: { provider: anthropic, model: claude-haiku-4-5, price: { input: 0.25, output: 1.25 } }
`;
/** A policy whose default route is a cascade, weak then strong, accepting when all `checks` hold. */
function cascadePolicy(checks: string[]): string {
  return `baseline: strong\ndefault: careful\n${MODELS}cascades:\n  careful:\n    try: [weak, strong]\n    accept:\n      all:\n${checks.map((c) => `        - ${c}\n`).join('')}`;
}

const POLICIES = {
  'strong.yaml': `baseline: strong\ndefault: strong\n${MODELS}`,
  'weak.yaml': `baseline: strong\ndefault: weak\n${MODELS}`,
  'cascade.yaml': cascadePolicy(['finish_reason: stop', 'regex: "####\\\\s*-?[0-9]"', 'check: arithmetic']),
  'judged.yaml': cascadePolicy(['finish_reason: stop', 'check: arithmetic', 'judge: { model: strong }']),
};

interface Row {
  name: string;
  cost_usd: number;
  accuracy: number;
  estimated: number;
  calls_by_model: Record<string, number>;
  escalation?: { prompts: number; escalated: number; rate: number };
}

let dir: string;
let problems: WordProblem[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'frugal-cascade-'));
  problems = wordProblems(120);
  writeFileSync(join(dir, 'problems.jsonl'), promptsJsonl(problems));
  writeFileSync(join(dir, 'weak.jsonl'), resultsJsonl(problems, 'weak'));
  writeFileSync(join(dir, 'strong.jsonl'), resultsJsonl(problems, 'strong'));
  for (const [name, text] of Object.entries(POLICIES)) writeFileSync(join(dir, name), text);
});

describe('the graded word problems', () => {
  it("the weak model's slips are exactly the answers with a wrong stated calculation", () => {
    for (const p of problems) {
      const wrong = arithmeticStatements(p.weak.output).some((s) => !s.ok);
      expect(wrong, `${p.id}: ${p.weak.output}`).toBe(p.weak.mistake === 'slip');
      expect(arithmeticStatements(p.strong.output).every((s) => s.ok), p.strong.output).toBe(true);
    }
  });
});

describe('compare --from evaluates a cascade exactly from logged answers', () => {
  const from = ['--input', 'problems.jsonl', '--from', 'weak.jsonl', 'strong.jsonl', '--grader', 'number'];

  it('escalates exactly the slips and cut answers; pays both calls on those; keeps the rest', async () => {
    const res = await compare(['strong.yaml', 'weak.yaml', 'cascade.yaml', ...from, '--json'], dir);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as { policies: Row[] };
    const [strong, weak, cascade] = ['strong.yaml', 'weak.yaml', 'cascade.yaml'].map((n) => out.policies.find((p) => p.name === n)!);
    const escalated = problems.filter((p) => p.weak.mistake === 'slip' || p.weak.mistake === 'cut');
    expect(cascade!.escalation).toEqual({ prompts: 120, escalated: escalated.length, rate: escalated.length / 120 });
    expect(cascade!.calls_by_model).toEqual({ 'anthropic/claude-haiku-4-5': 120, 'anthropic/claude-opus-5-5': escalated.length });
    expect(cascade!.estimated).toBe(0);
    // Every step called is paid: the weak calls on every prompt plus the strong calls on the escalated ones.
    const costOf = (p: WordProblem, which: 'weak' | 'strong') => {
      const input = Math.ceil(p.prompt.length / 4) + 8;
      const output = which === 'weak' && p.weak.mistake === 'cut' ? 300 : Math.ceil(p[which].output.length / 4);
      return which === 'weak' ? (input * 0.25 + output * 1.25) / 1e6 : (input * 5 + output * 25) / 1e6;
    };
    const want = problems.reduce((sum, p) => sum + costOf(p, 'weak') + (escalated.includes(p) ? costOf(p, 'strong') : 0), 0);
    expect(cascade!.cost_usd).toBeCloseTo(want, 12);
    // Right where the kept answer is right: the weak one unless it escalated, then the strong one.
    const right = problems.filter((p) => (escalated.includes(p) ? p.strong.mistake === 'none' : p.weak.mistake === 'none')).length;
    expect(cascade!.accuracy).toBeCloseTo(right / 120, 12);
    expect(weak!.escalation).toBeUndefined();
    expect(cascade!.accuracy).toBeGreaterThan(weak!.accuracy);
    expect(cascade!.cost_usd).toBeLessThan(strong!.cost_usd);
    expect(res.stderr).toMatch(/escalated/);
  });

  it('prints the escalation rate beside cost and accuracy in the table and the HTML report', async () => {
    const res = await compare(['strong.yaml', 'weak.yaml', 'cascade.yaml', ...from, '--html', join(dir, 'report.html')], dir);
    expect(res.code).toBe(0);
    const line = res.stderr.split('\n').find((l) => l.includes('cascade.yaml'))!;
    const escalated = problems.filter((p) => p.weak.mistake === 'slip' || p.weak.mistake === 'cut').length;
    const rate = `${((100 * escalated) / 120).toFixed(1)}% (${escalated}/120)`;
    expect(line).toContain(rate);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<th class="num">escalated</th>');
    expect(html).toContain(`<td class="num">${rate}</td>`);
  });

  it('a judge cannot be read from logs: its calls are estimated and the prompts marked as estimates', async () => {
    const res = await compare(['cascade.yaml', 'judged.yaml', ...from, '--json'], dir);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as { policies: Row[] };
    const plain = out.policies.find((p) => p.name === 'cascade.yaml')!;
    const judged = out.policies.find((p) => p.name === 'judged.yaml')!;
    // The judge runs on the answers the cheap checks leave open: not cut, arithmetic right.
    const asked = problems.filter((p) => p.weak.mistake === 'none' || p.weak.mistake === 'method');
    expect(judged.estimated).toBe(asked.length);
    // A judge as good as the grader also escalates the method errors.
    const escalated = problems.filter((p) => p.weak.mistake !== 'none').length;
    expect(judged.escalation!.escalated).toBe(escalated);
    expect(judged.calls_by_model['anthropic/claude-opus-5-5']).toBe(escalated + asked.length);
    expect(judged.accuracy).toBeGreaterThanOrEqual(plain.accuracy);
  });

  it('a dry run estimates a cascade at the escalation rate', async () => {
    const res = await compare(['cascade.yaml', '--input', 'problems.jsonl', '--dry-run', '--escalation-rate', '0.25', '--json'], dir);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as { policies: Row[] };
    const c = out.policies[0]!;
    expect(c.estimated).toBe(120);
    expect(c.escalation).toBeUndefined();
    expect(c.calls_by_model).toEqual({ 'anthropic/claude-haiku-4-5': 120, 'anthropic/claude-opus-5-5': 30 });
  });
});
