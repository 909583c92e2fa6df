import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { explainCommand } from '../../src/commands/explain.js';
import { runCommand } from '../../src/commands/run.js';
import { validateCommand } from '../../src/commands/validate.js';
import { PolicyError } from '../../src/core/errors.js';
import { loadPolicyFile } from '../../src/io/policy-file.js';
import { runInProcess } from '../helpers/run-command.js';
import { NOW } from '../support.js';

const POLICY = `baseline: strong
default: careful
models:
  strong: { provider: anthropic, model: claude-opus-5-5, price: { input: 5, output: 25 } }
  weak: { provider: anthropic, model: claude-haiku-4-5, price: { input: 0.25, output: 1.25 } }
cascades:
  careful:
    try: [weak, strong]
    accept:
      all:
        - finish_reason: stop
        - json_schema: schemas/answer.json
        - judge: { model: strong }
`;

let dir: string;
let policy: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'frugal-cascade-cmd-'));
  mkdirSync(join(dir, 'team', 'schemas'), { recursive: true });
  policy = join(dir, 'team', 'routes.yaml');
  writeFileSync(policy, POLICY);
  writeFileSync(join(dir, 'team', 'schemas', 'answer.json'), JSON.stringify({ type: 'object', required: ['total'] }));
});

describe('the policy loader reads the files checks name, relative to the policy', () => {
  it('validates a policy from another directory', async () => {
    const res = await runInProcess(validateCommand, [policy], { cwd: dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('careful: weak -> strong; accept when all(finish_reason stop; JSON valid against schemas/answer.json; judge strong (verdict /^\\W*yes\\b/i))');
  });

  it('a schema file gone since the policy was cached is found, with file:line', async () => {
    const env = { XDG_CACHE_HOME: join(dir, 'cache') };
    const located = { path: policy, origin: 'flag' as const };
    const first = await loadPolicyFile(located, dir, { now: NOW, env, useCache: true });
    expect(first.cascades.get('careful')!.try).toEqual(['weak', 'strong']);
    rmSync(join(dir, 'team', 'schemas', 'answer.json'));
    const err = await loadPolicyFile(located, dir, { now: NOW, env, useCache: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyError);
    expect((err as PolicyError).message).toBe(
      'team/routes.yaml:12 cascades.careful.accept.all[1].json_schema: cannot read JSON Schema "schemas/answer.json": no such file\n  hint: paths are relative to the policy file',
    );
  });
});

describe('explain shows the cascade a prompt would take and the checks that would run', () => {
  it('as text', async () => {
    const res = await runInProcess(explainCommand, ['--routes', policy, '--output-tokens', '100', 'How many apples?'], { cwd: dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('route:    careful (cascade)');
    expect(res.stdout).toContain(
      [
        'cascade, in order (the first accepted answer is kept; the last step always answers):',
        '  1. weak         -> anthropic/claude-haiku-4-5  then the checks below',
        '  2. strong       -> anthropic/claude-opus-5-5  (kept as it is)',
        'checks on each answer but the last: all(finish_reason stop; JSON valid against schemas/answer.json; judge strong (verdict /^\\W*yes\\b/i))',
        '  - cascades.careful.accept.all[0].finish_reason: finish_reason stop',
        '  - cascades.careful.accept.all[1].json_schema: JSON valid against schemas/answer.json',
        '  - cascades.careful.accept.all[2].judge: judge strong (verdict /^\\W*yes\\b/i) (a call of its own, paid)',
      ].join('\n'),
    );
    expect(res.stdout).toContain("assuming 50% of each step's answers fail the checks (--escalation-rate); every step called is paid");
  });

  it('as JSON, priced at the escalation rate', async () => {
    const res = await runInProcess(explainCommand, ['--routes', policy, '--output-tokens', '100', '--escalation-rate', '20%', '--json', 'How many apples?'], { cwd: dir });
    const out = JSON.parse(res.stdout) as { route: string; cost_usd: number; escalation_rate_assumed: number; cascade: { try: { alias: string }[]; checks: { kind: string; calls: boolean }[] }; prompt_tokens: number };
    expect(out.route).toBe('careful');
    expect(out.escalation_rate_assumed).toBe(0.2);
    expect(out.cascade.try.map((t) => t.alias)).toEqual(['weak', 'strong']);
    expect(out.cascade.checks.map((c) => [c.kind, c.calls])).toEqual([['finish_reason', false], ['json', false], ['judge', true]]);
    const weak = (out.prompt_tokens * 0.25 + 100 * 1.25) / 1e6;
    const strong = (out.prompt_tokens * 5 + 100 * 25) / 1e6;
    expect(out.cost_usd).toBeCloseTo(weak + 0.2 * strong, 12);
  });
});

describe('run with a cascade', () => {
  it('a dry run prices it at --escalation-rate and says so in the summary', async () => {
    const res = await runInProcess(runCommand, ['--routes', policy, '--dry-run', '--output-tokens', '100', '--escalation-rate', '0.25', '--format', 'jsonl', '-p', 'How many apples?', '-p', 'How much?'], { cwd: dir });
    expect(res.code).toBe(0);
    const records = res.stdout.trim().split('\n').map((l) => JSON.parse(l) as { route: string; cost_usd: number; input_tokens: number; reason: string });
    for (const r of records) {
      expect(r.route).toBe('careful');
      expect(r.cost_usd).toBeCloseTo((r.input_tokens * 0.25 + 125) / 1e6 + 0.25 * ((r.input_tokens * 5 + 2500) / 1e6), 12);
      expect(r.reason).toContain('cascade weak -> strong, escalating on 25% of answers (assumed)');
    }
    expect(res.stderr).toContain('careful');
    expect(res.stderr).toContain("escalation rate assumed: 25% of each cascade step's answers fail its checks (--escalation-rate) for 2 prompts");
  });

  it('rejects an escalation rate outside 0..1', async () => {
    const err = await runInProcess(runCommand, ['--routes', policy, '--dry-run', '--escalation-rate', '1.5', '-p', 'x'], { cwd: dir }).catch((e: unknown) => e);
    expect(String((err as Error).message)).toContain('--escalation-rate is a share from 0 to 1 (0.3) or a percentage (30%)');
  });
});
