import { InvalidArgumentError, type Command } from 'commander';
import { usdToPico } from '../core/money/money.js';
import type { Policy } from '../core/policy/types.js';
import { locatePolicy, loadPolicyFile } from '../io/policy-file.js';
import type { Context } from './context.js';

export function addRoutesOption(cmd: Command): Command {
  return cmd.option('--routes <file>', 'policy file (default: ./routes.yaml, then $XDG_CONFIG_HOME/frugal/routes.yaml, then the shipped example)');
}

export function loadPolicy(ctx: Context, routes: string | undefined): Promise<Policy> {
  return loadPolicyFile(locatePolicy(routes, ctx.cwd, ctx.env), ctx.cwd, { now: ctx.now(), env: ctx.env, useCache: true });
}

export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number of 1 or more`);
    return n;
  };
}

export function nonNegativeInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`${name} must be a whole number of 0 or more`);
    return n;
  };
}

/** A share from 0 to 1, as a fraction (0.3) or a percentage (30%). */
export function fractionArg(name: string) {
  return (value: string): number => {
    const pct = value.trim().endsWith('%');
    const n = Number(pct ? value.trim().slice(0, -1) : value);
    const f = pct ? n / 100 : n;
    if (value.trim() === '' || !Number.isFinite(f) || f < 0 || f > 1) throw new InvalidArgumentError(`${name} is a share from 0 to 1 (0.3) or a percentage (30%)`);
    return f;
  };
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

export function usd(name: string) {
  return (value: string): bigint => {
    const pico = usdToPico(value);
    if (pico === undefined) throw new InvalidArgumentError(`${name} must be an amount in USD, such as 5 or 0.25`);
    return pico;
  };
}

export function seconds(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number of seconds above 0`);
    return n;
  };
}

/** The most requests frugal keeps in flight to one provider: each holds a socket and its buffers. */
export const MAX_CONCURRENCY = 4096;

export function concurrencyArg(value: string): number {
  const n = positiveInt('--concurrency')(value);
  if (n > MAX_CONCURRENCY) throw new InvalidArgumentError(`--concurrency must be at most ${MAX_CONCURRENCY} (requests in flight per provider)`);
  return n;
}
