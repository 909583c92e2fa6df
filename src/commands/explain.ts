import { Command } from 'commander';
import { traceClasses } from '../core/routing/classify.js';
import { UserError } from '../core/errors.js';
import { estimateRecord } from '../core/money/estimate.js';
import { formatPct, formatUsd, picoToUsd } from '../core/money/money.js';
import { sourceText, type PromptRecord } from '../core/prompt.js';
import { addPromptFlags, promptSettings, type PromptFlagValues } from './prompt-flags.js';
import { readPrompts } from '../io/input.js';
import { loadCounter } from '../io/tokenizer.js';
import { addRoutesOption, collect, examples, fractionArg, loadPolicy, nonNegativeInt } from './common.js';
import { cascadeJson, cascadeLines } from '../view/cascade-text.js';
import { write, type Context } from './context.js';
import { explainSimilar, similarLines } from './explain-similar.js';

interface ExplainOptions extends PromptFlagValues {
  routes?: string;
  prompt?: string[];
  field?: string[];
  outputTokens?: number;
  escalationRate: number;
  json?: boolean;
  offline?: boolean;
  home?: string;
}

function parseFields(pairs: string[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new UserError(`--field ${pair}: expected KEY=VALUE`, 'for example --field difficulty=hard');
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a bare word is a string
    }
    fields[pair.slice(0, eq)] = value;
  }
  return fields;
}

/** The one prompt to explain: -p or the arguments, else stdin read as run reads it (text, or a JSONL record). */
async function onePrompt(ctx: Context, inline: string[], system: string | undefined): Promise<PromptRecord> {
  if (inline.length > 1) throw new UserError('explain takes one prompt', 'give the prompt once: as arguments, with -p, or on stdin');
  if (inline.length === 0 && ctx.stdin.isTTY) throw new UserError('no prompt given', 'frugal explain "your prompt", or pipe it (text or one JSONL record) on stdin');
  const prompts: PromptRecord[] = [];
  for await (const item of readPrompts({ files: [], inline, stdin: ctx.stdin, format: 'auto', system })) {
    if (item.kind === 'error') throw new UserError(`${sourceText(item.file, item.line)}: ${item.message}`, 'give the prompt as an argument, with -p, or on stdin');
    prompts.push(item.prompt);
    if (prompts.length > 1) throw new UserError('explain takes one prompt, and stdin holds several JSONL records', 'pipe one record (head -n 1 prompts.jsonl | frugal explain), or use frugal run --dry-run for many');
  }
  if (prompts.length === 0) throw new UserError('no prompt given', 'frugal explain "your prompt", or pipe it on stdin');
  return prompts[0]!;
}

export function explainCommand(ctx: Context, setExitCode: (code: number) => void): Command {
  const cmd = new Command('explain')
    .description('show which class a prompt matches and why, its model, and its estimated and baseline cost')
    .argument('[prompt...]', 'the prompt text (default: read from stdin: text, or one JSONL record as run reads it)')
    .option('-p, --prompt <text>', 'the prompt, as for run', collect)
    .option('--field <key=value>', 'a record field for field rules, as in JSONL input (repeatable)', collect)
    .option('--output-tokens <n>', 'expected answer length in tokens for the estimate', nonNegativeInt('--output-tokens'))
    .option('--escalation-rate <r>', "for a cascade: the share of a step's answers assumed to fail its checks (0 to 1)", fractionArg('--escalation-rate'), 0.5)
    .option('--json', 'print the explanation as JSON')
    .option('--offline', 'make no call: refuse when similar_to classes need an embedding call')
    .option('--home <dir>', 'where the embedding cache lives (default: as for frugal run)')
    .addHelpText('after', examples(['frugal explain "What is the capital of Australia?"', 'frugal explain --field difficulty=hard < question.txt', 'frugal explain --json -p "Refactor this function"', 'head -n 1 prompts.jsonl | frugal explain']));
  addRoutesOption(cmd);
  addPromptFlags(cmd, {});
  cmd.action(async (words: string[], opts: ExplainOptions) => {
    const policy = await loadPolicy(ctx, opts.routes);
    const settings = await promptSettings(ctx.cwd, opts, policy);
    const counter = await loadCounter(policy.tokenizer);
    const prompt = await onePrompt(ctx, [...(opts.prompt ?? []), ...(words.length ? [words.join(' ')] : [])], settings.system);
    // --field wins over the record's own fields.
    prompt.fields = { ...prompt.fields, ...parseFields(opts.field ?? []) };
    const similar = await explainSimilar(ctx, policy, prompt, counter, opts);
    const { decision, trace } = traceClasses(policy, prompt, counter, similar.features);
    const record = estimateRecord(policy, prompt, decision, counter, { tokens: opts.outputTokens, escalationRate: opts.escalationRate });
    const cascade = policy.cascades.get(decision.route);
    const model = policy.models.get(cascade ? cascade.try[0]! : decision.route)!;
    const baseline = policy.models.get(policy.baseline)!;
    const saved = record.baselineCost! - record.cost!;
    if (opts.json) {
      write(
        ctx.stdout,
        JSON.stringify({
          class: decision.class,
          route: decision.route,
          provider: model.provider,
          model: model.model,
          reason: decision.reason,
          prompt_tokens: decision.promptTokens,
          tokenizer: counter.name,
          output_tokens: record.usage.output,
          cost_usd: picoToUsd(record.cost!),
          baseline_cost_usd: picoToUsd(record.baselineCost!),
          savings_usd: picoToUsd(saved),
          classes: trace.map((t) => ({ name: t.name, route: t.route, matched: t.ok, why: t.why, shadowed: t.shadowed })),
          ...(similar.nearest.length > 0 ? { similar_to: similar.nearest, embedder: similar.embedder, embedding_calls: similar.calls.length } : {}),
          ...(cascade ? { cascade: cascadeJson(policy, cascade), escalation_rate_assumed: opts.escalationRate } : {}),
        }),
      );
      setExitCode(0);
      return;
    }
    const lines = [
      `prompt:   ${decision.promptTokens} tokens (${counter.exact ? 'o200k' : 'estimated'})`,
      `class:    ${decision.class ?? '(none: default route)'}`,
      cascade ? `route:    ${decision.route} (cascade)` : `route:    ${decision.route} -> ${model.provider}/${model.model}`,
      `why:      ${decision.reason}`,
      ...(cascade ? ['', ...cascadeLines(policy, cascade)] : []),
      '',
      'classes, in order:',
      ...trace.map((t) => `  ${t.ok ? (t.shadowed ? '~' : '✓') : '✗'} ${t.name.padEnd(14)} -> ${t.route.padEnd(10)} ${t.why}${t.shadowed && t.ok ? ' (an earlier class won)' : ''}`),
      ...(trace.length === 0 ? ['  (the policy has no classes)'] : []),
      `  default          -> ${policy.default}`,
      ...similarLines(similar),
      '',
      `estimate: ${formatUsd(record.cost)} on ${decision.route} (${record.usage.input} input + ${record.usage.output} output tokens${record.outputTokensSource === 'default' ? ', output assumed; set --output-tokens' : ''})`,
      ...(cascade ? [`          assuming ${+(opts.escalationRate * 100).toFixed(2)}% of each step's answers fail the checks (--escalation-rate); every step called is paid`] : []),
      `baseline: ${formatUsd(record.baselineCost)} on ${baseline.alias} (${baseline.provider}/${baseline.model})`,
      `saves:    ${formatUsd(saved)} (${formatPct(saved, record.baselineCost)})`,
    ];
    write(ctx.stdout, lines.join('\n'));
    setExitCode(0);
  });
  return cmd;
}
