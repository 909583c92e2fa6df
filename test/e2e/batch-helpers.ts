import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import type { Command } from 'commander';
import { batchCommand } from '../../src/commands/batch.js';
import type { Context } from '../../src/commands/context.js';
import { runCommand } from '../../src/commands/run.js';
import { UserError } from '../../src/core/errors.js';
import { anthropicBaseUrl, openaiBaseUrl, type FakeServer } from '../fake/server.js';

export class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/**
 * Two batchable models at prices whose halves are whole picodollars per token, and a baseline.
 * Batch prices are half of these (USD per million tokens).
 */
export const POLICY = `
baseline: flagship
default: mini
models:
  flagship: { provider: anthropic, model: claude-opus-5-5, price: { input: 10, output: 40, cache_read: 1, cache_write: 12.5 } }
  mini: { provider: openai, model: gpt-5.4-mini, price: { input: 2, output: 8, cache_read: 0.2 } }
  haiku: { provider: anthropic, model: claude-haiku-4-5, price: { input: 1, output: 5, cache_read: 0.1, cache_write: 1.25 } }
classes:
  - name: lookup
    when: { keywords: [what] }
    route: haiku
`;

export const BATCH_PRICES = {
  'gpt-5.4-mini': { input: 1, output: 4, cacheRead: 0.1 },
  'claude-haiku-4-5': { input: 0.5, output: 2.5, cacheRead: 0.05, cacheWrite: 0.625 },
  'claude-opus-5-5': { input: 5, output: 20, cacheRead: 0.5, cacheWrite: 6.25 },
};

export interface Setup {
  dir: string;
  routes: string;
  home: string;
  env: NodeJS.ProcessEnv;
}

export function setup(server: FakeServer, policy = POLICY): Setup {
  const dir = mkdtempSync(join(tmpdir(), 'frugal-batch-'));
  const routes = join(dir, 'routes.yaml');
  writeFileSync(routes, policy);
  const home = join(dir, 'home');
  for (const [model, price] of Object.entries(BATCH_PRICES)) server.batches.setPrice(model, price);
  return {
    dir,
    routes,
    home,
    env: {
      HOME: dir,
      OPENAI_API_KEY: 'sk-test-openai',
      ANTHROPIC_API_KEY: 'sk-ant-test',
      OPENAI_BASE_URL: openaiBaseUrl(server),
      ANTHROPIC_BASE_URL: anthropicBaseUrl(server),
      FRUGAL_HOME: home,
      XDG_CACHE_HOME: join(dir, 'cache'),
      FRUGAL_BATCH_POLL_MS: '2',
    },
  };
}

/** `count` prompts: every third asks "what" (routed to haiku), the rest go to mini. */
export function writePrompts(dir: string, count: number, text: (i: number) => string = (i) => (i % 3 === 0 ? `What is item ${i}?` : `Summarise item ${i} briefly`)): string {
  const file = join(dir, `prompts-${count}.jsonl`);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(JSON.stringify({ id: `p${i}`, prompt: text(i) }));
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

export interface Outcome {
  code: number | undefined;
  stdout: string;
  stderr: string;
}

/** Runs a command in process through its Context, as the CLI would. */
export async function frugal(s: Setup, args: string[], onInterrupt?: (h: () => void) => void): Promise<Outcome> {
  const stdout = new Sink();
  const stderr = new Sink();
  const ctx: Context = {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: s.env,
    cwd: s.dir,
    now: () => new Date(),
    clock: () => performance.now(),
    onInterrupt: (h) => {
      onInterrupt?.(h);
      return () => {};
    },
  };
  let code: number | undefined;
  const make = args[0] === 'batch' ? batchCommand : runCommand;
  const cmd: Command = make(ctx, (c) => (code = c)).exitOverride().configureOutput({ writeOut: (t) => stdout.write(t), writeErr: (t) => stderr.write(t) });
  try {
    await cmd.parseAsync(['node', ...args]);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    stderr.write(`frugal: ${err.message}\n`);
    code = err.exitCode;
  }
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export function records(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** cost_usd is an exact picodollar amount / 1e12. */
export const pico = (usd: unknown) => BigInt(Math.round((usd as number) * 1e12));
export const spend = (rs: Record<string, unknown>[]) => rs.reduce((sum, r) => sum + (r.cost_usd === null ? 0n : pico(r.cost_usd)), 0n);
