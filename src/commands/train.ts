import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { UserError } from '../core/errors.js';
import { picoToUsd } from '../core/money/money.js';
import type { ModelConfig } from '../core/policy/types.js';
import { sourceText } from '../core/prompt.js';
import { describeExpected, GRADER_NAMES, type GraderName } from '../core/quality/grade.js';
import { parseScorer } from '../core/quality/scorer.js';
import type { CheckInput } from '../core/routing/checks/schema.js';
import { assignFolds, seeded } from '../core/quality/train/cross-validate.js';
import type { Outcome } from '../core/quality/train/curve.js';
import type { Example } from '../core/quality/train/features.js';
import { learnedPolicyText } from '../core/quality/train/policy-text.js';
import { train, type TrainReport } from '../core/quality/train/train.js';
import { readPrompts } from '../io/input.js';
import { checkOutputs } from '../io/output-paths.js';
import { displayPath, locatePolicy } from '../io/policy-file.js';
import { holdoutFigures, trainJson, trainText, type HoldoutFigures } from '../view/train/report.js';
import { examples, fractionArg, positiveInt } from './common.js';
import { loadPolicy } from './common.js';
import { gradingOf, loggedOutcome, readLogged, type GradedPrompt } from './compare-pairs.js';
import { write, writeRaw, type Context } from './context.js';

interface TrainOptions {
  input: string;
  from: string[];
  routes?: string;
  output?: string;
  scorer?: string;
  targetQuality: number;
  margin: number;
  foldShare: number;
  folds: number;
  seed: number;
  holdout: number;
  grader: GraderName;
  cheap?: string;
  strong?: string;
  force?: boolean;
  json?: boolean;
  html?: string;
}

/** Fewer graded prompts than this: cross-validation would say nothing. */
export const MIN_PROMPTS = 50;

const share = (name: string) => (value: string) => {
  const f = fractionArg(name)(value);
  if (f <= 0 || f >= 1) throw new InvalidArgumentError(`${name} must be between 0 and 1 (exclusive)`);
  return f;
};

export function trainCommand(ctx: Context, setExitCode: (code: number) => void): Command {
  return new Command('train')
    .description('learn from graded answers of a cheap and a strong model when the cheap answer is good enough; write a policy that uses it')
    .requiredOption('-i, --input <file>', 'the prompts, as JSONL, with `expected` answers (and graders), as compare reads them')
    .requiredOption('--from <results...>', 'logged answers of two or more models on those prompts (`frugal run -o` files)')
    .option('--routes <file>', 'the policy to start from: its models, prices, baseline and checks')
    .option('-o, --output <file>', 'write the learned policy here (and its scorer file beside it)')
    .option('--scorer <file>', 'where to write the scorer file (default: beside -o, NAME.scorer.json)')
    .option('--target-quality <fraction>', "the share of the strong model's accuracy to keep", fractionArg('--target-quality'), 0.95)
    .option('--margin <fraction>', 'safety margin: the pooled held-out quality must reach target + margin', fractionArg('--margin'), 0.01)
    .option('--fold-share <fraction>', 'and this share of the folds must meet the target on their own', fractionArg('--fold-share'), 0.8)
    .option('--folds <k>', 'cross-validation folds', positiveInt('--folds'), 5)
    .option('--seed <n>', 'seed of the fold shuffle (and of --holdout)', positiveInt('--seed'), 1)
    .option('--holdout <fraction>', 'set this share of the prompts aside, train on the rest, and report the written router on them', share('--holdout'))
    .addOption(new Option('--grader <name>', 'grader for records that name none').choices([...GRADER_NAMES]).default('exact'))
    .option('--cheap <model>', "the cheap model, by the policy's name (default: the cheapest other model with logged answers)")
    .option('--strong <model>', "the strong model, by the policy's name (default: the policy's baseline)")
    .option('--force', 'write the policy even when the learned router does not beat the random router')
    .option('--json', 'print the figures as JSON on stdout')
    .option('--html <file>', 'write a self-contained HTML page with the cost-quality curves and the figures')
    .addHelpText(
      'after',
      examples([
        'frugal train --input train.jsonl --from strong.jsonl cheap.jsonl --routes routes.yaml --target-quality 0.95 -o learned.yaml',
        'frugal train --input train.jsonl --from answers.jsonl --routes routes.yaml --holdout 0.5',
      ]),
    )
    .action(async (opts: TrainOptions) => {
      setExitCode(await trainAction(ctx, opts));
    });
}

interface Data {
  prompts: GradedPrompt[];
  examples: Example[];
  outcomes: Outcome[];
  cheap: string;
  strong: string;
}

async function readGraded(ctx: Context, opts: TrainOptions): Promise<{ graded: GradedPrompt[]; ungraded: number }> {
  const graded: GradedPrompt[] = [];
  const seen = new Set<string>();
  let ungraded = 0;
  for await (const item of readPrompts({ files: [resolve(ctx.cwd, opts.input)], inline: [], stdin: ctx.stdin, format: 'jsonl' })) {
    if (item.kind === 'error') throw new UserError(`${sourceText(opts.input, item.line)}: ${item.message}`);
    const g = gradingOf(item.prompt, opts.grader, describeExpected);
    const where = sourceText(opts.input, item.prompt.source.line);
    if (!g.ok) throw new UserError(`${where}: ${g.message}`);
    if (seen.has(item.prompt.id)) throw new UserError(`${where}: duplicate id "${item.prompt.id}"`);
    seen.add(item.prompt.id);
    if (g.value.grader === undefined) ungraded++;
    else graded.push(g.value);
  }
  return { graded, ungraded };
}

async function gather(ctx: Context, opts: TrainOptions, models: Map<string, ModelConfig>, baseline: string): Promise<Data> {
  const { graded, ungraded } = await readGraded(ctx, opts);
  if (graded.length === 0) {
    throw new UserError(`${opts.input}: no prompt has an \`expected\` answer${ungraded ? ` (${ungraded} without)` : ''}: there is nothing to learn from`, 'add `expected` (and `grader`) to each record, as `frugal compare` reads them');
  }
  const logged = await readLogged(opts.from.map((f) => resolve(ctx.cwd, f)));
  // Models of the policy with logged answers on these prompts, and their logged cost.
  const found = [...models].map(([name, m]) => {
    const hits = graded.map((g) => loggedOutcome(logged, m, g));
    const cost = hits.reduce((s, h) => s + (h?.cost ?? 0n), 0n);
    return { name, hits, count: hits.filter(Boolean).length, cost };
  });
  const withAnswers = found.filter((f) => f.count > 0);
  if (logged.size > 0 && withAnswers.length === 0) {
    throw new UserError(`the ids in ${opts.from.join(', ')} match no prompt of ${opts.input} for any model of the policy`, 'log the answers with `frugal run -o` on this very input file, with the models of --routes');
  }
  if (withAnswers.length < 2) {
    throw new UserError(`logged answers for ${withAnswers.length === 1 ? `only one model (${withAnswers[0]!.name})` : 'no model'}: training needs a cheap and a strong model's answers on the same prompts`, 'pass the results of both models to --from');
  }
  const strongName = opts.strong ?? baseline;
  const strong = withAnswers.find((f) => f.name === strongName);
  if (!strong) throw new UserError(`no logged answers for the strong model "${strongName}"`, `the models with answers: ${withAnswers.map((f) => f.name).join(', ')}`);
  const cheapest = withAnswers.filter((f) => f !== strong).sort((a, b) => (a.cost < b.cost ? -1 : a.cost > b.cost ? 1 : 0))[0]!;
  const cheap = opts.cheap ? withAnswers.find((f) => f.name === opts.cheap) : cheapest;
  if (!cheap || cheap === strong) throw new UserError(`no logged answers for the cheap model "${opts.cheap}"`, `the models with answers: ${withAnswers.map((f) => f.name).join(', ')}`);
  const prompts: GradedPrompt[] = [];
  const examples: Example[] = [];
  const outcomes: Outcome[] = [];
  let unmatched = 0;
  graded.forEach((g, i) => {
    const c = cheap.hits[i];
    const s = strong.hits[i];
    if (!c || !s) return void unmatched++;
    if (c.cost === undefined || s.cost === undefined) throw new UserError(`${g.prompt.id}: a logged answer carries no usage, so its cost is unknown`, 'log the answers with `frugal run -o`, which records usage');
    prompts.push(g);
    examples.push({ prompt: g.prompt, answer: c.answer ?? '' });
    outcomes.push({ cheapOk: c.correct, strongOk: s.correct, cheapCost: picoToUsd(c.cost), strongCost: picoToUsd(s.cost) });
  });
  if (prompts.length < MIN_PROMPTS) {
    const why = unmatched ? ` (${unmatched} have no logged answer of both ${cheap.name} and ${strong.name}: do the ids match?)` : '';
    throw new UserError(`${prompts.length} graded prompts with answers of both models${why}: training needs at least ${MIN_PROMPTS}`, 'grade more prompts: a few hundred make a router worth trusting');
  }
  const good = outcomes.filter((o) => o.cheapOk).length;
  if (good === 0) throw new UserError(`${cheap.name} is never good enough on these ${prompts.length} prompts: there is nothing to route to it`, `keep ${strong.name}, or train with a stronger cheap model`);
  if (good === prompts.length) throw new UserError(`${cheap.name} is always good enough on these ${prompts.length} prompts: route everything to it, no router needed`, `set \`default: ${cheap.name}\` in the policy`);
  return { prompts, examples, outcomes, cheap: cheap.name, strong: strong.name };
}

/** The cascade checks the user wrote, offered as features. */
function policyChecks(text: string): CheckInput[] {
  const doc = parseYaml(text) as { cascades?: Record<string, { accept?: CheckInput }> } | null;
  return Object.values(doc?.cascades ?? {}).flatMap((c) => (c?.accept ? [c.accept] : []));
}

async function trainAction(ctx: Context, opts: TrainOptions): Promise<number> {
  const located = locatePolicy(opts.routes, ctx.cwd, ctx.env);
  const scorerPath = opts.output ? (opts.scorer ?? join(dirname(opts.output), `${basename(opts.output, extname(opts.output))}.scorer.json`)) : undefined;
  const outputs = [...(opts.output ? [{ flag: '-o', path: opts.output }, { flag: '--scorer', path: scorerPath! }] : []), ...(opts.html ? [{ flag: '--html', path: opts.html }] : [])];
  checkOutputs(ctx.cwd, outputs, [opts.input, located.path, ...opts.from]);
  const policy = await loadPolicy(ctx, opts.routes);
  const source = readFileSync(located.path, 'utf8');
  const data = await gather(ctx, opts, policy.models, policy.baseline);
  const now = ctx.now();

  // --holdout: a seeded share set aside; everything below is learned from the rest.
  const all = data.examples.map((_, i) => i);
  let trainIdx = all;
  let testIdx: number[] = [];
  if (opts.holdout !== undefined) {
    // A seeded shuffle: each prompt's rank in it; the first share of the ranks is set aside.
    const split = assignFolds(all.length, all.length, seeded(opts.seed + 7919));
    const cut = Math.round(opts.holdout * all.length);
    testIdx = all.filter((i) => split[i]! < cut);
    trainIdx = all.filter((i) => split[i]! >= cut);
    if (trainIdx.length < MIN_PROMPTS) throw new UserError(`--holdout ${opts.holdout} leaves ${trainIdx.length} prompts to train on: at least ${MIN_PROMPTS} are needed`);
  }
  const pick = <T>(xs: T[], ix: number[]) => ix.map((i) => xs[i]!);
  const trainedOn = { prompts: trainIdx.length, source: displayPath(resolve(ctx.cwd, opts.input), ctx.cwd), cheap: data.cheap, strong: data.strong, at: now.toISOString() };
  const report = train(pick(data.examples, trainIdx), pick(data.outcomes, trainIdx), {
    target: opts.targetQuality,
    margin: opts.margin,
    foldShare: opts.foldShare,
    folds: Math.min(opts.folds, trainIdx.length),
    random: seeded(opts.seed),
    checks: policyChecks(source),
    trainedOn,
  });
  let holdout: HoldoutFigures | undefined;
  if (testIdx.length) {
    const scorer = parseScorer(report.best.scorer);
    const ex = pick(data.examples, testIdx);
    holdout = holdoutFigures(report.best.kind, pick(data.outcomes, testIdx), ex.map((e) => scorer.score(e.prompt, e.answer) >= scorer.threshold), opts.targetQuality);
  }
  const meta = { input: opts.input, cheap: data.cheap, strong: data.strong, target: opts.targetQuality, folds: opts.folds, at: now.toISOString() };
  if (opts.json) writeRaw(ctx.stdout, JSON.stringify(trainJson(report, meta, holdout), null, 2));
  write(ctx.stderr, trainText(report, meta, holdout, ctx.stderr.columns));
  if (opts.html) {
    const { trainHtml } = await import('../view/train/html.js');
    try {
      await writeFile(resolve(ctx.cwd, opts.html), trainHtml(report, trainText(report, meta, holdout, 100), now.toISOString()), { mode: 0o644 });
    } catch (err) {
      throw new UserError(`${opts.html}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }

  if (!report.beatsRandom && !opts.force) {
    write(ctx.stderr, `frugal: the learned router does not beat the random router on held-out folds: no policy written${opts.output ? '' : ''}`);
    write(ctx.stderr, '  hint: grade more prompts, or pass --force to write it anyway');
    return 1;
  }
  if (opts.output && scorerPath) {
    const scorerRef = relative(dirname(resolve(ctx.cwd, opts.output)), resolve(ctx.cwd, scorerPath)).split('\\').join('/');
    const text = learnedPolicyText(source, {
      kind: report.best.kind,
      cheap: data.cheap,
      strong: data.strong,
      scorerFile: scorerRef,
      threshold: report.best.scorer.threshold,
      comment: policyComment(report, meta, trainIdx.length),
    });
    await writeFile(resolve(ctx.cwd, scorerPath), JSON.stringify(report.best.scorer, null, 2) + '\n');
    await writeFile(resolve(ctx.cwd, opts.output), text);
    const how = report.best.kind === 'cascade' ? `default route: cascade ${data.cheap} -> ${data.strong}` : `class learned -> ${data.cheap}, default ${data.strong}`;
    write(ctx.stderr, `wrote ${opts.output} (${how}, score >= ${report.best.scorer.threshold}) and ${scorerPath}`);
  }
  return 0;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function policyComment(r: TrainReport, m: { input: string; cheap: string; strong: string; target: number; folds: number; at: string }, prompts: number): string {
  const p = r.best.heldOut.point;
  return [
    `Learned by frugal train on ${m.at} from ${prompts} graded prompts of ${m.input}:`,
    r.best.kind === 'cascade'
      ? `a cascade ${m.cheap} -> ${m.strong} that keeps the cheap answer when the scorer says it is good enough.`
      : `a prompt router: prompts the scorer says ${m.cheap} answers well go to it, before any call; the rest to ${m.strong}.`,
    `Held out (${m.folds}-fold cross-validation, target quality ${pct(m.target)}): cost cut ${pct(p.costCut)}, quality kept ${pct(p.quality)},`,
    `folds meeting the target ${pct(r.best.heldOut.foldsMet)}; the random router cuts ${pct(r.randomCutAtBest)} at quality ${pct(r.random.heldOut.quality)};`,
    `the prompt-length rule cuts ${pct(r.lengthRule.heldOut.costCut)} at quality ${pct(r.lengthRule.heldOut.quality)}.`,
    `Area under the cost-quality curve: ${r.best.heldOut.area.toFixed(4)} (random router ${r.random.area.toFixed(4)}).${r.beatsRandom ? '' : ' It does NOT beat the random router (written with --force).'}`,
  ].join('\n');
}
