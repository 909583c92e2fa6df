import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import type { Context } from '../../src/commands/context.js';
import { UserError } from '../../src/core/errors.js';
import { FIXTURES, dedent } from '../support.js';
import Database from 'better-sqlite3';
import { openaiBaseUrl, startFakeServer } from '../fake/server.js';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

interface Outcome {
  code: number | undefined;
  stdout: string;
  stderr: string;
  error?: UserError | undefined;
}

/** Runs `frugal ARGS` in process, in `cwd`, with no keys and a throwaway home. */
async function frugal(cwd: string, args: string[], stdin = '', env: Record<string, string> = {}): Promise<Outcome> {
  const stdout = new Sink();
  const stderr = new Sink();
  const input = new PassThrough();
  input.end(stdin);
  const ctx: Context = {
    stdin: input,
    stdout,
    stderr,
    env: { HOME: '/nonexistent-home', FRUGAL_HOME: join(cwd, '.home'), XDG_CACHE_HOME: join(cwd, '.cache'), ...env },
    cwd,
    now: () => new Date('2026-06-01T00:00:00Z'),
    clock: () => 0,
    onInterrupt: () => () => {},
  };
  let code: number | undefined;
  const argv = ['node', 'frugal', ...args];
  try {
    await (await buildProgram(ctx, (c) => (code = c), argv)).parseAsync(argv);
  } catch (err) {
    if (err instanceof UserError) return { code: err.exitCode, stdout: stdout.text, stderr: stderr.text, error: err };
    if (err instanceof CommanderError) return { code: 2, stdout: stdout.text, stderr: stderr.text };
    throw err;
  }
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const SMALL = dedent(`
  # support by example
  embedder: builtin
  default: big
  models:
    quick: { provider: openai, model: gpt-5.4-mini }
    big: { provider: openai, model: gpt-5.4 }
    embed: { provider: openai, model: text-embedding-3-small, price: { input: 0.02, output: 0 } }
  classes:
    - name: support
      when:
        similar_to:
          examples: ["How do I reset my password?", "My invoice is wrong", "I cannot log in to my account"]
          threshold: 0.3 # by hand
      route: quick
  tests:
    - { prompt: "I forgot my password, how can I reset it?", class: support }
    - { prompt: "Write a sonnet about autumn", route: big }
    - { prompt: "I was billed twice this month", class: support }
`);

function dir(files: Record<string, string> = {}): string {
  const d = mkdtempSync(join(tmpdir(), 'frugal-similar-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

describe('frugal test', () => {
  it('prints a table of passes and failures with the matcher and score that decided, and exits 1 on a failure', async () => {
    const r = await frugal(dir({ 'routes.yaml': SMALL }), ['test']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('routes.yaml: 2 passed, 1 failed');
    expect(r.stdout).toContain('FAIL routes.yaml tests[2]: expected class support, got (default) -> big');
    expect(r.stdout).toMatch(/0\.\d{3} >= 0\.3/);
  });

  it('--json gives each test with expected, got and why; exit 0 when all pass', async () => {
    const d = dir({ 'routes.yaml': SMALL.replace(/ *- \{ prompt: "I was billed.*\n/, '') });
    const r = await frugal(d, ['test', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { passed: number; failed: number; tests: { expected: unknown; got: unknown; pass: boolean; why: string }[] };
    expect([j.passed, j.failed]).toEqual([2, 0]);
    expect(j.tests[1]).toMatchObject({ expected: { route: 'big' }, got: { class: null, route: 'big' }, pass: true });
    expect(j.tests[1]!.why).toMatch(/^no class matched: default route; support: similar to .* < 0\.3$/);
  });

  it('reads tests_file (JSONL, fields and messages as in input files) and points at a bad line', async () => {
    const policy = `${SMALL}tests_file: more.jsonl\n`;
    const good = '{"messages": [{"role": "user", "content": "cannot log in to my account"}], "class": "support"}\n';
    const r = await frugal(dir({ 'routes.yaml': policy, 'more.jsonl': good }), ['test', '--json']);
    expect((JSON.parse(r.stdout) as { tests: unknown[] }).tests).toHaveLength(4);
    const bad = await frugal(dir({ 'routes.yaml': policy, 'more.jsonl': `${good}\n{"prompt": "x", "class": "suport"}\n` }), ['test']);
    expect(bad.code).toBe(2);
    expect(bad.error!.message).toBe('more.jsonl:3: unknown class "suport" (did you mean "support"?)');
  });

  it('--fit suggests thresholds from the labelled set and --write changes only those lines', async () => {
    const d = dir();
    for (const f of ['routes.yaml', 'account.txt', 'train.jsonl', 'heldout.jsonl']) copyFileSync(join(FIXTURES, 'similar', f), join(d, f));
    const before = readFileSync(join(d, 'routes.yaml'), 'utf8');
    const suggest = await frugal(d, ['test', '--fit']);
    expect(suggest.code).toBe(0);
    expect(suggest.stdout).toMatch(/^accuracy on 50 tests: 44\.0% with the thresholds of routes\.yaml, 9\d\.\d% with these:/);
    expect(suggest.stdout).toContain('nothing written');
    expect(readFileSync(join(d, 'routes.yaml'), 'utf8')).toBe(before);

    const heldout = (text: string) => text.replace('tests_file: train.jsonl', 'tests_file: heldout.jsonl');
    writeFileSync(join(d, 'heldout.yaml'), heldout(before));
    const heldBefore = JSON.parse((await frugal(d, ['test', '--json', '--routes', 'heldout.yaml'])).stdout) as { passed: number };

    const fit = await frugal(d, ['test', '--fit', '--write', '--json']);
    const j = JSON.parse(fit.stdout) as { accuracy_before: number; accuracy_after: number; written: boolean; thresholds: { suggested: number }[] };
    expect(j.written).toBe(true);
    expect(j.accuracy_after).toBeGreaterThan(j.accuracy_before);
    const after = readFileSync(join(d, 'routes.yaml'), 'utf8');
    const changed = before.split('\n').map((line, i) => [line, after.split('\n')[i]]).filter(([a, b]) => a !== b);
    expect(changed.length).toBe(4);
    for (const [a, b] of changed) expect(b!.replace(/threshold: [\d.]+/, 'T')).toBe(a!.replace(/threshold: [\d.]+/, 'T'));
    expect(after).toContain('threshold: 0.'.concat(String(j.thresholds[0]!.suggested).slice(2), ' # a first guess'));
    expect(after.split('\n').length).toBe(before.split('\n').length);

    // The thresholds also do better on prompts they were not fitted on.
    writeFileSync(join(d, 'heldout.yaml'), heldout(after));
    const heldAfter = JSON.parse((await frugal(d, ['test', '--json', '--routes', 'heldout.yaml'])).stdout) as { passed: number };
    expect(heldAfter.passed).toBeGreaterThan(heldBefore.passed);
    expect((await frugal(d, ['test', '--fit', '--json'])).stdout).toContain('"accuracy_before":0.9');
  });

  it('--against shows which test and input prompts change route, and the estimated cost change', async () => {
    const d = dir({ 'routes.yaml': SMALL.replace('threshold: 0.3', 'threshold: 0.05'), 'old.yaml': SMALL, 'in.jsonl': '{"prompt": "where are my invoices"}\n{"prompt": "write a poem"}\n' });
    const r = await frugal(d, ['test', '--against', 'old.yaml', '--input', 'in.jsonl', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { prompts: number; changed: number; changes: { test: boolean; prompt: string; from: { route: string }; to: { route: string }; cost_delta_usd: number }[]; old_cost_usd: number; new_cost_usd: number };
    expect(j.prompts).toBe(5);
    expect(j.changes.map((c) => [c.test, c.prompt, c.from.route, c.to.route])).toContainEqual([false, 'where are my invoices', 'big', 'quick']);
    expect(j.changes.every((c) => c.cost_delta_usd < 0)).toBe(true);
    expect(j.new_cost_usd).toBeLessThan(j.old_cost_usd);
    const text = await frugal(d, ['test', '--against', 'old.yaml', '--input', 'in.jsonl']);
    expect(text.stdout).toMatch(/\d of 5 prompts change route \(3 tests, 2 input prompts\)/);
  });

  it('refuses --offline when similar_to needs embedding calls, naming the classes', async () => {
    const d = dir({ 'routes.yaml': SMALL.replace('embedder: builtin', 'embedder: embed') });
    for (const args of [['test', '--offline'], ['run', '--dry-run', '--offline', '-p', 'hi'], ['explain', '--offline', 'hi']]) {
      const r = await frugal(d, args);
      expect(r.code).toBe(2);
      expect(r.error!.message).toBe('--offline: class support needs embedding calls to embed (openai/text-embedding-3-small)');
    }
  });
});

describe('similar_to in explain and run', () => {
  it('explain shows the nearest examples of each similar_to and their scores', async () => {
    const r = await frugal(dir({ 'routes.yaml': SMALL }), ['explain', 'I forgot my password']);
    expect(r.stdout).toMatch(/nearest examples \(embedder builtin\):\n {2}support \(threshold 0\.3\):\n {4}0\.\d{3} ✓ "How do I reset my password\?"\n {4}0\.\d{3} {3}"/);
    const j = JSON.parse((await frugal(dir({ 'routes.yaml': SMALL }), ['explain', '--json', 'I forgot my password'])).stdout) as { similar_to: { class: string; examples: unknown[] }[] };
    expect(j.similar_to[0]!.class).toBe('support');
    expect(j.similar_to[0]!.examples).toHaveLength(3);
  });

  it('a dry run routes by similarity, in batches, and says the builtin embedder made no call', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ id: `q${i}`, prompt: i % 2 ? 'reset my password please' : 'compose a limerick' })).join('\n');
    const d = dir({ 'routes.yaml': SMALL, 'in.jsonl': `${lines}\nnot json\n` });
    const r = await frugal(d, ['run', '--dry-run', join(d, 'in.jsonl')]);
    expect(r.code).toBe(1);
    const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; route: string });
    expect(records).toHaveLength(3000);
    expect(records.slice(0, 4).map((x) => [x.id, x.route])).toEqual([['q0', 'big'], ['q1', 'quick'], ['q2', 'big'], ['q3', 'quick']]);
    expect(r.stderr).toMatch(/in\.jsonl:3001: malformed JSON/);
    expect(r.stderr).toContain('similar_to: builtin embedder, in process: no embedding calls');
  });

  it('with a model embedder, a dry run takes vectors from the embedding cache and says how many calls it made', async () => {
    const d = dir({ 'routes.yaml': SMALL.replace('embedder: builtin', 'embedder: embed'), 'in.jsonl': '{"prompt": "reset my password"}\n{"prompt": "a poem"}\n' });
    const { openEmbeddingCache } = await import('../../src/io/embedding-cache.js');
    const { unitDense } = await import('../../src/core/routing/similar.js');
    const cache = openEmbeddingCache(join(d, '.home'));
    const texts = ['How do I reset my password?', 'My invoice is wrong', 'I cannot log in to my account', 'reset my password', 'a poem'];
    cache.put('openai:text-embedding-3-small:', texts, [[1, 0.1], [0.2, 1], [0.3, 1], [1, 0.2], [-1, 0.2]].map(unitDense));
    cache.close();
    const r = await frugal(d, ['run', '--dry-run', join(d, 'in.jsonl')]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { route: string }).route)).toEqual(['quick', 'big']);
    expect(r.stderr).toContain('dry run: the only calls sent were 0 embedding calls to embed (openai/text-embedding-3-small): 0 tokens, $0.00; 5 texts from the embedding cache');
  });

  it('compare routes similar_to classes through the features step too', async () => {
    const d = dir({ 'routes.yaml': SMALL, 'eval.jsonl': ['I forgot my password, help', 'Write a sonnet about autumn', 'My invoice is wrong again'].map((p, i) => JSON.stringify({ id: `q${i}`, prompt: p })).join('\n') + '\n' });
    const r = await frugal(d, ['compare', join(d, 'routes.yaml'), '--input', join(d, 'eval.jsonl'), '--dry-run', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { policies: { calls_by_model: Record<string, number> }[] };
    expect(out.policies[0]!.calls_by_model).toEqual({ 'openai/gpt-5.4-mini': 2, 'openai/gpt-5.4': 1 });
  });

  it('a live run embeds each batch before routing it: embed calls are priced, in the summary and in the ledger', async () => {
    const server = await startFakeServer();
    try {
      const d = dir({ 'routes.yaml': SMALL.replace('embedder: builtin', 'embedder: embed'), 'in.jsonl': ['I forgot my password, help', 'Write a sonnet about autumn', 'My invoice is wrong again'].map((p, i) => JSON.stringify({ id: `q${i}`, prompt: p })).join('\n') + '\n' });
      const keys = { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: openaiBaseUrl(server) };
      const r = await frugal(d, ['run', join(d, 'in.jsonl'), '--summary-json', join(d, 'summary.json')], '', keys);
      expect(r.code).toBe(0);
      const routes = Object.fromEntries(r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; route: string }).map((x) => [x.id, x.route]));
      expect(routes).toEqual({ q0: 'quick', q1: 'big', q2: 'quick' });
      const embeds = server.requests.filter((q) => q.path.includes('embeddings'));
      // The examples once, then the batch of prompts in one request.
      expect(embeds).toHaveLength(2);
      const summary = JSON.parse(readFileSync(join(d, 'summary.json'), 'utf8')) as { calls: number; models: { route: string; calls: number; cost_usd: number }[]; cost_usd: number };
      expect(summary.calls).toBe(5);
      const embed = summary.models.find((m) => m.route === 'embed')!;
      expect(embed.calls).toBe(2);
      expect(embed.cost_usd).toBeGreaterThan(0);
      const db = new Database(join(d, '.home', 'frugal.db'), { readonly: true });
      const kinds = db.prepare("SELECT kind, COUNT(*) AS n FROM calls GROUP BY kind ORDER BY kind").all();
      db.close();
      expect(kinds).toEqual([{ kind: 'answer', n: 3 }, { kind: 'embed', n: 2 }]);
    } finally {
      await server.close();
    }
  });
});
