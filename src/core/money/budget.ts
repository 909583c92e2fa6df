import type { Pico } from './money.js';
import type { ModelConfig } from '../policy/types.js';
import type { Rate } from './pricing.js';
import { inputText, utf8Length, type PromptRecord } from '../prompt.js';

/** Token overhead a chat format adds around each message, and once per request (generous). */
const PER_MESSAGE_TOKENS = 8;
const PER_REQUEST_TOKENS = 16;

/** The answer cap frugal sends when a budget is set and nothing else caps the answer. */
export const BUDGET_DEFAULT_MAX_TOKENS = 4096;

function rateAt(rate: Rate | undefined, tokens: number): number {
  if (!rate) return 0;
  let r = rate.base;
  for (const t of rate.tiers) if (tokens > t.start) r = t.rate;
  return r;
}

/**
 * The most one request can cost: its input bounded from above (no tokenizer makes more tokens
 * than UTF-8 bytes, plus the chat format's framing) at the dearer of the input and cache-write
 * rates, and its output cap at the output rate, all at the tier that many tokens would reach.
 */
export function maxCost(prompt: PromptRecord, model: ModelConfig, maxTokens: number): Pico {
  const input = utf8Length(inputText(prompt)) + PER_MESSAGE_TOKENS * (prompt.messages.length + (prompt.system ? 1 : 0)) + PER_REQUEST_TOKENS;
  const r = model.pricing.rates;
  const inputRate = Math.max(rateAt(r.input, input), rateAt(r.cacheWrite, input));
  return BigInt(inputRate) * BigInt(input) + BigInt(rateAt(r.output, input)) * BigInt(maxTokens);
}

export interface BudgetLimits {
  /** The whole job's cap (prior spend on --resume included). */
  total?: Pico | undefined;
  perModel: Map<string, Pico>;
}

export type Reservation = { ok: true; amount: Pico; route: string } | { ok: false; limit: 'total' | 'model' };

/**
 * Spend so far plus what is reserved for prompts in flight. Nothing is sent unless its
 * worst-case cost fits under every cap, so spend can never pass a cap.
 */
export class Budget {
  private spent: Pico;
  private reserved = 0n;
  private readonly modelSpent = new Map<string, Pico>();
  private readonly modelReserved = new Map<string, Pico>();
  private settled: (() => void)[] = [];

  constructor(
    readonly limits: BudgetLimits,
    priorSpent: Pico = 0n,
  ) {
    this.spent = priorSpent;
  }

  /** Spend of the job's earlier runs, learned after the budget was made. */
  addSpent(amount: Pico): void {
    this.spent += amount;
  }

  get active(): boolean {
    return this.limits.total !== undefined || this.limits.perModel.size > 0;
  }

  get totalSpent(): Pico {
    return this.spent;
  }

  /** What prompts in flight hold, at their worst case. */
  get totalReserved(): Pico {
    return this.reserved;
  }

  /** True while prompts in flight hold reservations that may yet be released. */
  get pending(): boolean {
    return this.reserved > 0n;
  }

  /** Resolves at the next settle: a prompt that did not fit may fit once in-flight ones are booked. */
  nextSettle(): Promise<void> {
    return new Promise((resolve) => this.settled.push(resolve));
  }

  private modelUse(route: string): Pico {
    return (this.modelSpent.get(route) ?? 0n) + (this.modelReserved.get(route) ?? 0n);
  }

  fitsTotal(amount: Pico): boolean {
    return this.limits.total === undefined || this.spent + this.reserved + amount <= this.limits.total;
  }

  fitsModel(route: string, amount: Pico): boolean {
    const cap = this.limits.perModel.get(route);
    return cap === undefined || this.modelUse(route) + amount <= cap;
  }

  reserve(route: string, amount: Pico): Reservation {
    if (!this.fitsTotal(amount)) return { ok: false, limit: 'total' };
    if (!this.fitsModel(route, amount)) return { ok: false, limit: 'model' };
    this.reserved += amount;
    this.modelReserved.set(route, (this.modelReserved.get(route) ?? 0n) + amount);
    return { ok: true, amount, route };
  }

  /** Release a reservation and book what the prompt actually cost (unknown cost books the reservation). */
  settle(r: Reservation & { ok: true }, actual: Pico | undefined): void {
    const cost = actual ?? r.amount;
    this.reserved -= r.amount;
    this.modelReserved.set(r.route, (this.modelReserved.get(r.route) ?? 0n) - r.amount);
    this.spent += cost;
    this.modelSpent.set(r.route, (this.modelSpent.get(r.route) ?? 0n) + cost);
    const waiting = this.settled;
    this.settled = [];
    for (const wake of waiting) wake();
  }
}
