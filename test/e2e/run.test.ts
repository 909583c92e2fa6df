import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPct, formatUsd } from '../../src/core/money/money.js';
import { EXAMPLES, exampleRecords, FIXTURES, LOCAL_ROUTES } from '../support.js';
import { frugal, lines, tempDir, type CliResult } from './cli.js';

const RECORD_KEYS = [
  'id',
  'class',
  'route',
  'provider',
  'model',
  'reason',
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'baseline_cost_usd',
  'estimated',
  'output_tokens_source',
  'source',
];

const toPico = (usd: number) => BigInt(Math.round(usd * 1e12));
const parse = (stdout: string) => lines(stdout).map((l) => JSON.parse(l) as Record<string, unknown>);

let tmp: ReturnType<typeof tempDir>;
const routes = ['--routes', LOCAL_ROUTES];

beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.remove());

describe.concurrent('frugal run --dry-run', () => {
  let main: CliResult;
  let summary: Record<string, unknown>;
  beforeAll(async () => {
    main = await frugal(['run', '--dry-run', ...routes, '--summary-json', 'summary.json', EXAMPLES], { cwd: tmp.path });
    summary = JSON.parse(readFileSync(join(tmp.path, 'summary.json'), 'utf8')) as Record<string, unknown>;
  });

  it('exits 0 and prints one JSON line per example prompt, in order, with the documented keys', () => {
    expect(main.code).toBe(0);
    const records = parse(main.stdout);
    expect(records).toHaveLength(40);
    expect(records.map((r) => r.id)).toEqual([...exampleRecords().keys()]);
    for (const r of records) {
      expect(Object.keys(r)).toEqual(RECORD_KEYS);
      expect(r.estimated).toBe(true);
      expect(typeof r.cost_usd).toBe('number');
      expect(typeof r.baseline_cost_usd).toBe('number');
    }
    expect(records[0]).toEqual({
      id: 'code-ts-filter-narrowing',
      class: 'code',
      route: 'flagship',
      provider: 'anthropic',
      model: 'claude-opus-5-5',
      reason: 'code: regex ```|\\bdef |\\bfunction\\b|stack ?trace matched "```"',
      input_tokens: 186,
      output_tokens: 256,
      cost_usd: 0.005864,
      baseline_cost_usd: 0.005864,
      estimated: true,
      output_tokens_source: 'default',
      source: `${EXAMPLES}:1`,
    });
    expect(records[3]).toMatchObject({ id: 'sum-review-wireless-earbuds', class: null, route: 'balanced', output_tokens: 200, output_tokens_source: 'max_tokens', cost_usd: 0.00112575 });
  });

  it('the line costs sum exactly to the summary, and routes split 12 / 12 / 16', () => {
    const records = parse(main.stdout);
    const cost = records.reduce((s, r) => s + toPico(r.cost_usd as number), 0n);
    const baseline = records.reduce((s, r) => s + toPico(r.baseline_cost_usd as number), 0n);
    expect(toPico(summary.cost_usd as number)).toBe(cost);
    expect(toPico(summary.baseline_cost_usd as number)).toBe(baseline);
    expect(toPico(summary.savings_usd as number)).toBe(baseline - cost);
    expect(summary).toMatchObject({ estimated: true, prompts: 40, succeeded: 40, failed: 0, input_errors: 0, stopped: 'done' });
    expect(summary.output_tokens_assumption).toEqual({ per_prompt: 256, from_flag: 0, from_max_tokens: 4, from_default: 36 });
    const models = summary.models as { route: string; calls: number; cost_usd: number }[];
    expect(models.map((m) => [m.route, m.calls])).toEqual([
      ['flagship', 12],
      ['balanced', 12],
      ['local', 16],
    ]);
    for (const m of models) {
      const sum = records.filter((r) => r.route === m.route).reduce((s, r) => s + toPico(r.cost_usd as number), 0n);
      expect(toPico(m.cost_usd), m.route).toBe(sum);
    }
  });

  it('prints the per-model table with total, baseline and savings on stderr', () => {
    const records = parse(main.stdout);
    const cost = records.reduce((s, r) => s + toPico(r.cost_usd as number), 0n);
    const baseline = records.reduce((s, r) => s + toPico(r.baseline_cost_usd as number), 0n);
    const err = main.stderr;
    expect(err).toMatch(/│ route +│ model +│ prompts │ input tok │ output tok │ spend \(est\.\) │ +share │/);
    expect(err).toMatch(/│ flagship │ anthropic\/claude-opus-5-5 +│ +12 │/);
    expect(err).toMatch(/│ local +│ openai-compatible\/llama3\.2:3b │ +16 │/);
    expect(err).toMatch(new RegExp(`│ total +│ +│ +40 │ +[\\d,]+ │ +[\\d,]+ │ +\\${formatUsd(cost)} │ 100\\.0% │`));
    expect(err).toContain(`baseline (est.): ${formatUsd(baseline)}  (every prompt on flagship: anthropic/claude-opus-5-5)`);
    expect(err).toContain(`savings (est.):  ${formatUsd(baseline - cost)}  (${formatPct(baseline - cost, baseline)} of baseline)`);
    expect(err).toContain('prompts: 40  routed: 40  failed: 0');
    expect(err).toContain("output tokens assumed: the record's max_tokens for 4, 256 per prompt (default; set --output-tokens) for 36");
    expect(err).toContain('dry run: nothing was sent; input tokens and costs are estimates');
    expect(err).not.toContain('\u001b[');
  });

  it('-o FILE writes the same records to the file and nothing to stdout; -q keeps stderr quiet', async () => {
    const r = await frugal(['run', '--dry-run', ...routes, '-q', '-o', 'out.jsonl', EXAMPLES], { cwd: tmp.path });
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '', '']);
    expect(readFileSync(join(tmp.path, 'out.jsonl'), 'utf8')).toBe(main.stdout);
  });

  it('--output-tokens sets the assumption, capped by a record\'s max_tokens, and the summary says so', async () => {
    const r = await frugal(['run', '--dry-run', ...routes, '--output-tokens', '500', EXAMPLES], { cwd: tmp.path });
    expect(r.code).toBe(0);
    const records = parse(r.stdout);
    expect(records.find((x) => x.id === 'sum-review-wireless-earbuds')).toMatchObject({ output_tokens: 200, output_tokens_source: 'max_tokens' });
    expect(records.find((x) => x.id === 'code-review-react-searchbox')).toMatchObject({ output_tokens: 500, output_tokens_source: 'flag' });
    expect(r.stderr).toContain("output tokens assumed: 500 per prompt (--output-tokens) for 38, the record's max_tokens for 2");
  });

  it('a single prompt piped on stdin: its record; stderr quiet off a terminal, one line with --summary (no table)', async () => {
    const r = await frugal(['run', '--dry-run', ...routes], { cwd: tmp.path, stdin: 'What is the capital of Australia?\n' });
    expect(r.code).toBe(0);
    const [record, ...rest] = parse(r.stdout);
    expect(rest).toEqual([]);
    expect(record).toMatchObject({ id: 'stdin', class: 'tiny', route: 'local', reason: 'tiny: 7 prompt tokens <= 40', input_tokens: 7, output_tokens: 256, cost_usd: 0, source: '<stdin>' });
    expect(r.stderr).toBe('');
    const summed = await frugal(['run', '--dry-run', '--summary', ...routes, '-p', 'Who wrote Dune?'], { cwd: tmp.path });
    expect([summed.code, parse(summed.stdout)]).toMatchObject([0, [{ id: 'prompt', route: 'local' }]]);
    expect(summed.stderr).toBe('frugal: dry run, estimated: local (llama3.2:3b) 4 in / 256 out tokens (output assumed; set --output-tokens), $0.00; baseline $0.005136; saved $0.005136 (100.0%)\n');
    // Two prompts, or one JSONL record: the table, as for any batch.
    const two = await frugal(['run', '--dry-run', ...routes, '-p', 'Who wrote Dune?', '-p', 'Define idempotent'], { cwd: tmp.path });
    expect(two.stderr).toContain('prompts: 2  routed: 2  failed: 0');
    const jsonl = await frugal(['run', '--dry-run', ...routes], { cwd: tmp.path, stdin: '{"prompt":"Who wrote Dune?"}\n' });
    expect(jsonl.stderr).toContain('prompts: 1  routed: 1  failed: 0');
  });

  it('JSONL piped on stdin', async () => {
    const input = '{"id":"a","prompt":"Please refactor this"}\n{"prompt":"Who wrote Dune?"}\n';
    const r = await frugal(['run', '--dry-run', '-q', ...routes, '-'], { cwd: tmp.path, stdin: input });
    expect(parse(r.stdout).map((x) => [x.id, x.class, x.source])).toEqual([
      ['a', 'code', '<stdin>:1'],
      ['<stdin>:2', 'tiny', '<stdin>:2'],
    ]);
  });

  it('-p TEXT, twice', async () => {
    const r = await frugal(['run', '--dry-run', '-q', ...routes, '-p', 'Fix this stack trace', '-p', 'Who wrote Dune?'], { cwd: tmp.path });
    expect(r.code).toBe(0);
    expect(parse(r.stdout).map((x) => [x.id, x.class, x.route])).toEqual([
      ['prompt-1', 'code', 'flagship'],
      ['prompt-2', 'tiny', 'local'],
    ]);
  });

  it('empty stdin: a one-line message and exit 1', async () => {
    const r = await frugal(['run', '--dry-run', '-q', ...routes], { cwd: tmp.path, stdin: '' });
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '', 'frugal: <stdin>: no prompt: standard input is empty\n']);
  });

  it('bad JSONL lines: each named by file:line on stderr, the other prompts still routed, exit 1', async () => {
    const file = `${FIXTURES}prompts/bad-lines.jsonl`;
    const r = await frugal(['run', '--dry-run', ...routes, file], { cwd: tmp.path });
    expect(r.code).toBe(1);
    expect(parse(r.stdout).map((x) => x.id)).toEqual(['ok-1', 'ok-2']);
    const messages = r.stderr.split('\n').filter((l) => l.startsWith('frugal: '));
    expect(messages[0]).toMatch(/^frugal: .*bad-lines\.jsonl:2: malformed JSON: [^\n]+$/);
    expect(messages.slice(1)).toEqual([
      `frugal: ${file}:3: record has neither "prompt" nor "messages"`,
      `frugal: ${file}:4: give either "prompt" or "messages", not both`,
      `frugal: ${file}:5: "messages" has no user message`,
      `frugal: ${file}:6: "max_tokens" must be a positive whole number`,
      `frugal: ${file}:7: expected a JSON object such as {"id": "q1", "prompt": "..."}`,
    ]);
    expect(r.stderr).toContain('prompts: 8  routed: 2  failed: 6');
    expect(r.stderr).not.toContain('    at ');
  });

  it('missing, binary and directory inputs: one line each, the rest still routed, exit 1', async () => {
    const r = await frugal(['run', '--dry-run', '-q', ...routes, 'missing.jsonl', `${FIXTURES}prompts/binary.bin`, FIXTURES, `${FIXTURES}prompts/question.txt`], { cwd: tmp.path });
    expect(r.code).toBe(1);
    expect(parse(r.stdout).map((x) => x.id)).toEqual([`${FIXTURES}prompts/question.txt`]);
    expect(r.stderr.split('\n')).toEqual([
      'frugal: missing.jsonl: no such file',
      `frugal: ${FIXTURES}prompts/binary.bin: binary file: expected text or JSONL`,
      `frugal: ${FIXTURES}: is a directory, not a prompt file`,
      '',
    ]);
  });
  it('an input that cannot be read is one line, and the files after it still run, exit 1', async () => {
    const r = await frugal(['run', '--dry-run', '-q', ...routes, '/proc/self/mem', `${FIXTURES}prompts/question.txt`], { cwd: tmp.path });
    expect(r.code).toBe(1);
    expect(parse(r.stdout).map((x) => x.id)).toEqual([`${FIXTURES}prompts/question.txt`]);
    expect(r.stderr).toBe('frugal: /proc/self/mem: cannot read (EIO)\n');
  });
});

describe.concurrent('frugal run: fatal errors exit 2 with nothing on stdout', () => {
  it('an invalid ./routes.yaml, found in the working directory', async () => {
    const dir = tempDir();
    try {
      const bad = readFileSync(LOCAL_ROUTES, 'utf8').replace('    route: quick', '    route: quik');
      writeFileSync(join(dir.path, 'routes.yaml'), bad);
      const r = await frugal(['run', '--dry-run', EXAMPLES], { cwd: dir.path });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        'frugal: routes.yaml:43 classes[3].route: unknown model "quik" (did you mean "quick"?)\n  hint: route must name one of the models: flagship, balanced, quick, local\n',
      );
    } finally {
      dir.remove();
    }
  });

  it('a --routes file with a YAML syntax error', async () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, 'broken.yaml'), 'default: a\nmodels:\n  a:\n    provider: openai\n   model: gpt-5.4-mini\n');
      const r = await frugal(['run', '--dry-run', '--routes', 'broken.yaml', '-p', 'hi'], { cwd: dir.path });
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toBe('frugal: broken.yaml:5: All mapping items must start at the same column\n  hint: check the indentation and quoting on this line\n');
      expect(r.stderr).not.toContain('    at ');
    } finally {
      dir.remove();
    }
  });

  it('a --routes file that does not exist', async () => {
    const r = await frugal(['run', '--dry-run', '--routes', 'nope.yaml', '-p', 'hi'], { cwd: tmp.path });
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe('frugal: nope.yaml: no such policy file\n  hint: check the path given to --routes, or run `frugal init` to write a starter routes.yaml\n');
  });

  it.each([
    { args: ['run', '--bogus'], err: "frugal: unknown option '--bogus'" },
    { args: ['run', '--dry-run', '--output-tokens', 'lots', '-p', 'x'], err: "frugal: option '--output-tokens <n>' argument 'lots' is invalid. --output-tokens must be a whole number of 0 or more" },
    { args: ['run', '--dry-run', '--input-format', 'xml'], err: "frugal: option '--input-format <format>' argument 'xml' is invalid. Allowed choices are auto, jsonl, text." },
    { args: ['frobnicate'], err: "frugal: unknown command 'frobnicate'" },
  ])('usage error: $args', async ({ args, err }) => {
    const r = await frugal(args, { cwd: tmp.path });
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr.split('\n')[0]).toBe(err);
  });
});
