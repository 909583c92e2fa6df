import { resolve } from 'node:path';
import { Command } from 'commander';
import { UserError } from '../core/errors.js';
import type { Policy } from '../core/policy/types.js';
import { computeFeatures, type Features } from '../core/routing/features.js';
import { fitThresholds, runTests, type PolicyTest } from '../core/routing/policy-tests.js';
import { similarMatchers } from '../core/routing/similar.js';
import type { TokenCounter } from '../core/routing/tokens.js';
import { readPrompts } from '../io/input.js';
import { loadPolicyFile, locatePolicy } from '../io/policy-file.js';
import { loadCounter } from '../io/tokenizer.js';
import { againstReport, fitReport, testsJson, testsTable, type Change } from '../view/test-report.js';
import { addRoutesOption, examples, loadPolicy } from './common.js';
import { write, type Context } from './context.js';
import { embeddingReport } from './dry-run-features.js';
import { openEmbedder } from './embedder.js';
import { loadTests, rewriteThresholds } from './test-files.js';
import { estimateRecord } from '../core/money/estimate.js';
import { classify } from '../core/routing/classify.js';
import type { PromptRecord } from '../core/prompt.js';

interface TestOptions {
  routes?: string;
  json?: boolean;
  fit?: boolean;
  write?: boolean;
  against?: string;
  input?: string[];
  offline?: boolean;
  home?: string;
}

export function testCommand(ctx: Context, setExitCode: (code: number) => void): Command {
  const cmd = new Command('test')
    .description("run the policy's tests (tests: and tests_file:): which class or route each test prompt gets, and why")
    .option('--json', 'print the results as JSON (for CI)')
    .option('--fit', 'suggest each similar_to threshold: the one with the best accuracy on the tests')
    .option('--write', 'with --fit: write the suggested thresholds into the policy file (nothing else changes)')
    .option('--against <old.yaml>', 'show which prompts change route between old.yaml and this policy, and the estimated cost change')
    .option('--input <file>', 'with --against: also compare the prompts of FILE (JSONL or text; repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--offline', 'make no call: refuse when similar_to classes need an embedding call')
    .option('--home <dir>', 'where the embedding cache lives (default: as for frugal run)')
    .addHelpText('after', examples(['frugal test', 'frugal test --json > test-results.json', 'frugal test --fit --write', 'frugal test --against routes.old.yaml --input prompts.jsonl']));
  addRoutesOption(cmd);
  cmd.action(async (opts: TestOptions) => {
    if (opts.write && !opts.fit) throw new UserError('--write goes with --fit', 'frugal test --fit --write');
    if (opts.input && !opts.against) throw new UserError('--input goes with --against', 'frugal test --against old.yaml --input prompts.jsonl');
    const policy = await loadPolicy(ctx, opts.routes);
    const counter = await loadCounter(policy.tokenizer);
    const tests = loadTests(policy, resolve(ctx.cwd, policy.file));
    if (opts.against !== undefined) {
      setExitCode(await against(ctx, policy, counter, tests, opts));
      return;
    }
    if (tests.length === 0) throw new UserError(`${policy.file} has no tests`, 'add `tests: [{ prompt: "...", class: NAME }]` or `tests_file: FILE` (JSONL with prompt and class or route)');
    const f = await features(ctx, policy, counter, tests.map((t) => t.prompt), opts);
    const outcomes = runTests(policy, tests, f.features, counter);
    const failed = outcomes.filter((o) => !o.pass).length;
    if (!opts.fit) {
      write(ctx.stdout, opts.json ? JSON.stringify(testsJson(outcomes, f.calls)) : testsTable(outcomes, policy));
      if (!opts.json && f.calls.length > 0) write(ctx.stderr, embeddingReport(f.label, f.calls, f.cached, false));
      setExitCode(failed > 0 ? 1 : 0);
      return;
    }
    if (similarMatchers(policy).length === 0) throw new UserError(`${policy.file} has no similar_to condition: nothing to fit`);
    const fit = fitThresholds(policy, tests, f.features, counter);
    if (opts.write && fit.thresholds.size > 0) rewriteThresholds(resolve(ctx.cwd, policy.file), policy, fit.thresholds);
    write(ctx.stdout, opts.json ? JSON.stringify(fitJson(policy, fit, opts.write === true)) : fitReport(policy, fit, tests.length, opts.write === true));
    setExitCode(0);
  });
  return cmd;
}

function fitJson(policy: Policy, fit: ReturnType<typeof fitThresholds>, written: boolean) {
  return {
    accuracy_before: fit.before,
    accuracy_after: fit.after,
    written,
    thresholds: similarMatchers(policy).map(({ rule, matcher }) => ({ class: rule.name, at: matcher.key, threshold: matcher.threshold, suggested: fit.thresholds.get(matcher.key) ?? matcher.threshold })),
  };
}

async function features(ctx: Context, policy: Policy, counter: TokenCounter, prompts: PromptRecord[], opts: TestOptions): Promise<Features & { label: string }> {
  const setup = await openEmbedder(ctx, policy, counter, { offline: opts.offline, home: opts.home });
  try {
    return { ...(await computeFeatures(policy, prompts, setup.embedder, setup.cache)), label: setup.label };
  } finally {
    setup.close();
  }
}

async function readInput(ctx: Context, files: string[]): Promise<PromptRecord[]> {
  const out: PromptRecord[] = [];
  if (files.length === 0) return out;
  for await (const item of readPrompts({ files: files.map((f) => resolve(ctx.cwd, f)), inline: [], stdin: ctx.stdin, format: 'auto' })) {
    if (item.kind === 'error') throw new UserError(`${item.file}${item.line ? `:${item.line}` : ''}: ${item.message}`);
    out.push(item.prompt);
  }
  return out;
}

/** Which prompts change route from the old policy to this one, and what that does to the estimated cost. */
async function against(ctx: Context, policy: Policy, counter: TokenCounter, tests: PolicyTest[], opts: TestOptions): Promise<number> {
  const old = await loadPolicyFile(locatePolicy(opts.against, ctx.cwd, ctx.env), ctx.cwd, { now: ctx.now(), env: ctx.env, useCache: true });
  const oldCounter = await loadCounter(old.tokenizer);
  const input = await readInput(ctx, opts.input ?? []);
  const prompts = [...tests.map((t) => t.prompt), ...input];
  const now = await features(ctx, policy, counter, prompts, opts);
  const before = await features(ctx, old, oldCounter, prompts, opts);
  const changes: Change[] = [];
  let oldCost = 0n;
  let newCost = 0n;
  prompts.forEach((prompt, i) => {
    const a = classify(old, prompt, oldCounter, before.features[i]);
    const b = classify(policy, prompt, counter, now.features[i]);
    const costA = estimateRecord(old, prompt, a, oldCounter, {}).cost!;
    const costB = estimateRecord(policy, prompt, b, counter, {}).cost!;
    oldCost += costA;
    newCost += costB;
    if (a.route !== b.route || a.class !== b.class) changes.push({ prompt, test: i < tests.length, from: a, to: b, costDelta: costB - costA });
  });
  const report = { changes, prompts: prompts.length, tests: tests.length, oldCost, newCost, oldFile: old.file, newFile: policy.file, calls: [...now.calls, ...before.calls] };
  write(ctx.stdout, againstReport(report, opts.json === true));
  return 0;
}
