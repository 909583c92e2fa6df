import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { buildReport, type ComparedPolicy, type PairOutcome } from '../core/quality/compare.js';
import { UserError } from '../core/errors.js';
import { AFTER_RUN } from '../io/json-file.js';
import type { RunEvent } from '../core/execution/events.js';
import type { WorkItem } from '../core/execution/interactive.js';
import { formatUsd } from '../core/money/money.js';
import { describeExpected, GRADER_NAMES, type GraderName } from '../core/quality/grade.js';
import type { ModelConfig, Policy } from '../core/policy/types.js';
import { classify } from '../core/routing/classify.js';
import { promptFeatures } from './compare-features.js';
import { sourceText } from '../core/prompt.js';
import { readPrompts } from '../io/input.js';
import { loadPolicyFile, locatePolicy, displayPath } from '../io/policy-file.js';
import { lockOutput } from '../io/output-lock.js';
import { checkOutputs } from '../io/output-paths.js';
import { ResultFile } from '../io/result-file.js';
import { recordToJson } from '../io/results.js';
import { loadCounter } from '../io/tokenizer.js';
import { LiveSession, sessionOptions } from '../run/session.js';
import { RunStore } from '../view/run-store.js';
import { compareJson, compareTable, regressionsText } from '../view/compare/table.js';
import { concurrencyArg, examples, fractionArg, nonNegativeInt, seconds, usd } from './common.js';
import { CascadeRoutes } from './compare-cascades.js';
import { write, writeRaw, type Context } from './context.js';
import { estimatedOutcome, gradingOf, loggedOutcome, modelKey, modelLabel, outcomeOf, readLogged, type GradedPrompt } from './compare-pairs.js';

interface CompareOptions {
  input: string;
  dryRun?: boolean;
  from?: string[];
  grader: GraderName;
  minQuality: number;
  showRegressions?: number;
  json?: boolean;
  html?: string;
  concurrency: number;
  retries: number;
  timeout: number;
  maxRetryWait: number;
  maxSpend?: bigint;
  output?: string;
  outputTokens?: number;
  escalationRate: number;
  cache?: boolean;
  /** --no-ledger sets this false. */
  ledger: boolean;
  logPrompts?: boolean;
  home?: string;
  quiet?: boolean;
}

function fraction(value: string): number {
  const pct = value.trim().endsWith('%');
  const n = Number(pct ? value.trim().slice(0, -1) : value);
  const f = pct || n > 1 ? n / 100 : n;
  if (!Number.isFinite(f) || f < 0 || f > 1) throw new InvalidArgumentError('--min-quality is a fraction (0.95) or a percentage (95%) of the baseline\'s accuracy');
  return f;
}

export function compareCommand(ctx: Context, setExitCode: (code: number) => void): Command {
  return new Command('compare')
    .description('compare routing policies on your prompts: calls per model, spend, savings and, with expected answers, quality')
    .argument('<policies...>', 'two or more routes.yaml files (one is fine too: it is compared with the references)')
    .requiredOption('-i, --input <file>', 'the prompts, as JSONL; records may carry `expected` and `grader`')
    .option('--dry-run', 'estimates only: no keys, no calls')
    .option('--from <results...>', 'what-if on results frugal already logged (`frugal run -o` files): no calls')
    .addOption(new Option('--grader <name>', 'grader for records that name none').choices([...GRADER_NAMES]).default('exact'))
    .option('--min-quality <fraction>', "the share of the baseline's accuracy a policy must keep to be marked best", fraction, 0.95)
    .option('--show-regressions <n>', 'list up to N prompts per policy that it got wrong and the baseline got right', nonNegativeInt('--show-regressions'))
    .option('--json', 'print the whole comparison as JSON on stdout')
    .option('--html <file>', 'write a self-contained HTML report (chart and tables), openable offline')
    .option('-c, --concurrency <n>', 'live: requests in flight at once per provider', concurrencyArg, 8)
    .option('--retries <n>', 'live: retries per prompt', nonNegativeInt('--retries'), 4)
    .option('--timeout <seconds>', 'live: give up on one attempt after this long', seconds('--timeout'), 600)
    .option('--max-retry-wait <seconds>', 'live: longest retry-after to honour', seconds('--max-retry-wait'), 300)
    .option('--max-spend <usd>', 'live: hard budget in USD for the comparison (exit 3 when reached)', usd('--max-spend'))
    .option('-o, --output <file>', 'live: write every call it made, one record per (model, prompt) in `run`\'s format (feed it back with --from)')
    .option('--output-tokens <n>', 'dry run: expected answer length in tokens', nonNegativeInt('--output-tokens'))
    .option('--escalation-rate <r>', "dry run (and prompts with no logged answer): the share of a cascade step's answers assumed to fail its checks", fractionArg('--escalation-rate'), 0.5)
    .option('--cache', 'live: also reuse answers from the persistent response cache (and fill it)')
    .option('--no-ledger', 'live: do not record the calls in the spend ledger')
    .option('--log-prompts', 'live: also store the prompt text in the ledger')
    .option('--home <dir>', 'where the ledger and the response cache live')
    .option('-q, --quiet', 'no progress view')
    .addHelpText(
      'after',
      examples([
        'frugal compare routes.yaml cheap.yaml --input eval.jsonl --dry-run',
        'frugal compare routes.yaml cheap.yaml --input eval.jsonl --html report.html',
        'frugal compare routes.yaml cheap.yaml --input eval.jsonl --from results.jsonl --json',
      ]),
    )
    .action(async (files: string[], opts: CompareOptions) => {
      setExitCode(await compare(ctx, files, opts));
    });
}

async function compare(ctx: Context, files: string[], opts: CompareOptions): Promise<number> {
  if (opts.dryRun && opts.from) throw new UserError('--dry-run and --from are different modes: choose one');
  const outputs = [...(opts.output ? [{ flag: '-o', path: opts.output }] : []), ...(opts.html ? [{ flag: '--html', path: opts.html }] : [])];
  checkOutputs(ctx.cwd, outputs, [opts.input, ...files, ...(opts.from ?? [])]);
  const now = ctx.now();
  const policies = await Promise.all(
    files.map(async (f) => ({ file: f, policy: await loadPolicyFile(locatePolicy(f, ctx.cwd, ctx.env), ctx.cwd, { now, env: ctx.env, useCache: true }) })),
  );
  const counters = new Map(await Promise.all(policies.map(async (p) => [p.policy.tokenizer, await loadCounter(p.policy.tokenizer)] as const)));

  // Models by identity, so that a model two policies share is run once.
  const models = new Map<string, ModelConfig>();
  for (const { policy } of policies) for (const m of policy.models.values()) if (!models.has(modelKey(m))) models.set(modelKey(m), m);
  const first = policies[0]!.policy;
  const baselineKey = modelKey(first.models.get(first.baseline)!);

  let problems = 0;
  const prompts: GradedPrompt[] = [];
  const seen = new Map<string, string>();
  for await (const item of readPrompts({ files: [opts.input], inline: [], stdin: ctx.stdin, format: 'jsonl' })) {
    if (item.kind === 'error') {
      problems++;
      write(ctx.stderr, `frugal: ${sourceText(item.file, item.line)}: ${item.message}`);
      continue;
    }
    const where = sourceText(item.prompt.source.file, item.prompt.source.line);
    const g = gradingOf(item.prompt, opts.grader, describeExpected);
    const firstAt = seen.get(item.prompt.id);
    if (!g.ok || firstAt) {
      problems++;
      write(ctx.stderr, `frugal: ${where}: ${g.ok ? `duplicate id "${item.prompt.id}" (first at ${firstAt})` : g.message}`);
      continue;
    }
    seen.set(item.prompt.id, where);
    prompts.push(g.value);
  }
  if (prompts.length === 0) throw new UserError(`${opts.input}: no prompts to compare`);

  // similar_to classes: each policy's features step embeds the prompts before they are routed.
  const featuresOf = await Promise.all(policies.map(({ policy }) => promptFeatures(ctx, policy, counters.get(policy.tokenizer)!, prompts.map((g) => g.prompt), opts)));
  const cascades = new CascadeRoutes();
  const compared: ComparedPolicy[] = policies.map(({ file, policy }, p) => {
    const counter = counters.get(policy.tokenizer)!;
    const routes: string[] = [];
    const classes: (string | null)[] = [];
    for (const [i, g] of prompts.entries()) {
      const d = classify(policy, g.prompt, counter, featuresOf[p]?.[i]);
      routes.push(cascades.keyOf(policy, file, d.route));
      classes.push(d.class);
    }
    return { name: displayPath(resolve(ctx.cwd, file), ctx.cwd), file, routes, classes };
  });
  const needed = new Set<string>([baselineKey, ...compared.flatMap((p) => p.routes.flatMap((r) => cascades.modelsOf(r)))]);

  const outcomes = new Map<string, PairOutcome[]>();
  let failedPairs = 0;
  let notes: string[] = [];
  if (opts.dryRun || opts.from) {
    const logged = opts.from ? await readLogged(opts.from) : undefined;
    for (const key of needed) {
      const m = models.get(key)!;
      outcomes.set(
        key,
        prompts.map((g) => (logged && loggedOutcome(logged, m, g)) || estimatedOutcome(m, g.prompt, counters.get(first.tokenizer)!, opts.outputTokens)),
      );
    }
  } else {
    for (const key of needed) outcomes.set(key, new Array<PairOutcome>(prompts.length));
    ({ failed: failedPairs, notes } = await runPairs(ctx, opts, first, models, needed, prompts, outcomes));
  }

  const labels = new Map([...[...models].map(([k, m]) => [k, modelLabel(m)] as [string, string]), ...cascades.labels()]);
  const pair = (key: string, i: number) => outcomes.get(key)![i]!;
  const cascaded = cascades.outcomes(prompts, pair, counters.get(first.tokenizer)!, opts.escalationRate);
  const report = buildReport({
    mode: opts.dryRun ? 'dry-run' : opts.from ? 'from' : 'live',
    promptIds: prompts.map((g) => g.prompt.id),
    expected: prompts.map((g) => g.expected),
    policies: compared,
    labels,
    baselineKey,
    cascades: cascades.steps(),
    outcome: (key, i) => cascaded.get(key)?.[i] ?? pair(key, i),
    minQuality: opts.minQuality,
  });

  if (opts.json) writeRaw(ctx.stdout, JSON.stringify(compareJson(report)));
  if (!opts.quiet || !opts.json) {
    writeRaw(ctx.stderr, compareTable(report, { width: ctx.stderr.columns ?? 100, color: ctx.stderr.isTTY === true && !ctx.env.NO_COLOR }));
    if (opts.showRegressions) write(ctx.stderr, regressionsText(report, opts.showRegressions));
  }
  for (const note of notes) write(ctx.stderr, note);
  if (opts.html) {
    const { renderHtml } = await import('../view/compare/html.js');
    try {
      await writeFile(opts.html, renderHtml(report, { generatedAt: now.toISOString() }), { mode: 0o644 });
    } catch (err) {
      const live = !opts.from && !opts.dryRun;
      throw new UserError(`${opts.html}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, live ? AFTER_RUN.hint : undefined, live ? AFTER_RUN.exitCode : 2);
    }
  }
  return problems > 0 || failedPairs > 0 ? 1 : 0;
}

/**
 * Live mode: send every prompt to every model some policy (or the baseline) uses, each
 * (model, prompt) pair once, through the same live session as `frugal run`: every call is in the
 * ledger, under the budget, and (-o) in a results file in run's record format. Returns the failed pairs and notes for under the table.
 */
async function runPairs(
  ctx: Context,
  opts: CompareOptions,
  first: Policy,
  models: Map<string, ModelConfig>,
  needed: Set<string>,
  prompts: GradedPrompt[],
  outcomes: Map<string, PairOutcome[]>,
): Promise<{ failed: number; notes: string[] }> {
  // Each model under an alias of its own: two policies may give one alias to different models.
  const aliasOf = new Map<string, string>();
  const pairModels = new Map<string, ModelConfig>();
  for (const key of needed) {
    const m = models.get(key)!;
    let alias = modelLabel(m);
    while (pairModels.has(alias)) alias += "'";
    aliasOf.set(key, alias);
    pairModels.set(alias, { ...m, alias });
  }
  const keyOfAlias = new Map([...aliasOf].map(([k, a]) => [a, k]));
  const baselineAlias = aliasOf.get(modelKey(first.models.get(first.baseline)!))!;
  const index = new Map(prompts.map((g, i) => [g.prompt.id, i]));
  async function* pairs(): AsyncGenerator<WorkItem> {
    for (const key of needed) {
      const alias = aliasOf.get(key)!;
      for (const g of prompts) yield { kind: 'routed', prompt: g.prompt, decision: { class: null, route: alias, reason: `compare: every prompt on ${alias}` } };
    }
  }

  // The live view and the summary count calls per model of the comparison.
  const viewPolicy: Policy = { ...first, file: '(compare)', baseline: baselineAlias, default: baselineAlias, models: pairModels, classes: [], budget: { perModelUsd: new Map() } };
  const store = new RunStore(viewPolicy);
  const showView = !opts.quiet && ctx.stderr.isTTY === true;
  store.keepFinished = showView;
  const unlock = opts.output && opts.output !== '/dev/null' ? lockOutput(opts.output) : undefined;
  // A failed write (a full disk) stops the session, which is opened next: the file cannot fail before a record.
  let onWriteFailed = (err: unknown): void => {
    throw err;
  };
  const file = opts.output ? ResultFile.open(opts.output, false, (err) => onWriteFailed(err)) : undefined;
  const session = await LiveSession.open(ctx, store, sessionOptions(ctx, opts, { total: opts.maxSpend, perModel: new Map() }));
  onWriteFailed = (err) => session.faults.fail('output', opts.output!, err);
  const live = showView ? await import('../view/live/start.js') : undefined;
  const view = live && await live.startLiveView({ stderr: ctx.stderr as NodeJS.WriteStream, store, policy: viewPolicy, clock: ctx.clock, color: live.colorAllowed(ctx.env) });
  let failed = 0;
  const unanswered = new Map<string, number>();
  try {
    await session.run(
      { items: pairs(), total: needed.size * prompts.length, planner: { route: () => ({ class: null, route: baselineAlias, reason: '' }), models: pairModels }, baseline: pairModels.get(baselineAlias)! },
      {
        emit: (e: RunEvent) => {
          store.apply(e);
          if (e.type === 'model-refused') write(ctx.stderr, `frugal: ${e.message}; nothing more is sent to ${e.route}`);
          // A model that refused the key was said once (above); its prompts are not listed one by one.
          const refusedModel = e.type === 'prompt-end' && store.totals.refused.some((r) => r.route === e.record.route);
          if (!view && e.type === 'prompt-end' && e.record.error && e.record.error.kind !== 'not-sent' && !refusedModel) write(ctx.stderr, `frugal: ${e.record.id} on ${e.record.route}: ${e.record.error.message}`);
        },
        onRecord: (record) => {
          const key = keyOfAlias.get(record.route)!;
          const i = index.get(record.id)!;
          if (record.error) failed++;
          if (record.error) unanswered.set(record.route, (unanswered.get(record.route) ?? 0) + 1);
          // A cached answer costs nothing now, but the comparison is about what each policy costs.
          const priced = record.cached ? { ...record, cost: record.cacheSaved } : record;
          outcomes.get(key)![i] = outcomeOf(priced, prompts[i]!.grader);
          if (!file) return undefined;
          const m = models.get(key)!;
          return file.writeLine(JSON.stringify(recordToJson({ ...record, route: m.alias })));
        },
      },
      undefined,
      () => file?.flush(),
    );
  } finally {
    session.close();
    await view?.stop();
    file?.close();
    unlock?.();
  }
  session.faults.unwritten += file?.unwritten ?? 0;
  const fault = session.faults.report(opts.output, 'run the comparison again');
  if (fault) throw new UserError(`${fault.replace(/^frugal: /, '')}; the comparison is incomplete`, undefined, 1);
  const stop = store.totals.stop;
  if (stop === 'interrupted' || stop === 'aborted') throw new UserError('interrupted: the comparison is incomplete', undefined, 130);
  if (stop === 'budget') {
    throw new UserError(`stopped at the budget (${formatUsd(session.budget.totalSpent)} spent of ${formatUsd(opts.maxSpend)}): the comparison is incomplete`, 'raise --max-spend, or compare fewer prompts or models', 3);
  }
  // The rows of a policy that uses a refused model count its prompts as failed at no cost: say so under the table.
  const notes = store.totals.refused.map(
    (r) => `frugal: not measured: ${r.route} refused the key, so ${unanswered.get(r.route) ?? 0} of its ${prompts.length} prompts have no answer; the rows that use it count them as failed, at no cost`,
  );
  return { failed, notes };
}
