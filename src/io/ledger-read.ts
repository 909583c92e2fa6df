import type { Pico } from '../core/money/money.js';
import type { Usage } from '../core/money/pricing.js';
import { asUserError, openExistingDb, type Db } from './db.js';

/** One recorded call, as `frugal logs` shows it: independent of the ledger's column names. */
export interface LoggedCall {
  at: Date;
  runId: string;
  promptId: string;
  class: string | null;
  route: string;
  provider: string;
  model: string;
  answeredBy?: string | undefined;
  usage: Usage;
  cost: Pico | undefined;
  baselineCost: Pico | undefined;
  latencyMs?: number | undefined;
  status: string;
  error?: { status?: number | undefined; kind?: string | undefined; message: string } | undefined;
  promptHash: string;
  /** Only when the run used --log-prompts: the canonical request ({system, messages} as JSON). */
  promptText?: string | undefined;
  /** Only when the run used --log-prompts and the ledger keeps answers. */
  answerText?: string | undefined;
}

export interface CallQuery {
  /** At most this many, the most recent. */
  limit: number;
  /** A prompt id, or a run id (or the start of one). */
  id?: string | undefined;
  since?: Date | undefined;
}

interface CallRow {
  at_ms: bigint;
  run_id: string;
  prompt_id: string;
  class: string | null;
  route: string;
  provider: string;
  model: string;
  answered_by: string | null;
  input_tokens: bigint;
  output_tokens: bigint;
  cache_read_tokens: bigint;
  cache_write_tokens: bigint;
  cost_pico: bigint | null;
  baseline_cost_pico: bigint | null;
  latency_ms: bigint | null;
  status: string;
  error_status: bigint | null;
  error_kind: string | null;
  error_message: string | null;
  prompt_hash: string;
  prompt_text: string | null;
  answer_text?: string | null;
}

const num = (v: bigint | null) => (v === null ? undefined : Number(v));

/** The columns of `calls` this reads; `answer_text` only when the ledger has it. */
function selectSql(db: Db): string {
  const columns = new Set((db.prepare('SELECT name FROM pragma_table_info(?)').all('calls') as { name: string }[]).map((c) => c.name));
  const answer = columns.has('answer_text') ? ', answer_text' : '';
  return `SELECT at_ms, run_id, prompt_id, class, route, provider, model, answered_by,
    input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_pico, baseline_cost_pico,
    latency_ms, status, error_status, error_kind, error_message, prompt_hash, prompt_text${answer}
  FROM calls WHERE at_ms >= ? AND (? IS NULL OR prompt_id = ? OR substr(run_id, 1, length(?)) = ?)
  ORDER BY at_ms DESC, id DESC LIMIT ?`;
}

function toCall(r: CallRow): LoggedCall {
  return {
    at: new Date(Number(r.at_ms)),
    runId: r.run_id,
    promptId: r.prompt_id,
    class: r.class,
    route: r.route,
    provider: r.provider,
    model: r.model,
    answeredBy: r.answered_by ?? undefined,
    usage: { input: Number(r.input_tokens), output: Number(r.output_tokens), cacheRead: Number(r.cache_read_tokens), cacheWrite: Number(r.cache_write_tokens) },
    cost: r.cost_pico ?? undefined,
    baselineCost: r.baseline_cost_pico ?? undefined,
    latencyMs: num(r.latency_ms),
    status: r.status,
    error: r.error_message === null ? undefined : { status: num(r.error_status), kind: r.error_kind ?? undefined, message: r.error_message },
    promptHash: r.prompt_hash,
    promptText: r.prompt_text ?? undefined,
    answerText: r.answer_text ?? undefined,
  };
}

/** The most recent calls matching the query, oldest first; undefined when there is no ledger yet. */
export function readCalls(dir: string, query: CallQuery): LoggedCall[] | undefined {
  const db = openExistingDb(dir);
  if (!db) return undefined;
  try {
    const id = query.id ?? null;
    const rows = db
      .prepare(selectSql(db))
      .safeIntegers(true)
      .all(query.since === undefined ? Number.MIN_SAFE_INTEGER : query.since.getTime(), id, id, id, id, query.limit) as CallRow[];
    return rows.map(toCall).reverse();
  } catch (err) {
    throw asUserError(err, dir);
  } finally {
    db.close();
  }
}
