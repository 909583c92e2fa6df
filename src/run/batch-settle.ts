import type { CallError, CallRecord } from '../core/execution/calls.js';
import { UserError } from '../core/errors.js';
import type { ModelConfig } from '../core/policy/types.js';
import type { JsonSchemaValidator } from '../core/quality/json-schema.js';
import { decideCascade, type StepAnswer } from '../core/routing/cascade.js';
import { loadCall, storeCall, type Escalation, type JobRow, type LineCascade, type LineRow } from '../io/batch-jobs.js';
import { JUDGE_MAX_TOKENS } from '../core/execution/interactive.js';
import type { GenerateResult } from '../providers/types.js';
import type { DriveDeps } from './batch-job.js';
import { lineMaxCost } from './batch-lines.js';
import { failedCall, lineCall, lineRecord } from './batch-records.js';

/** Lines settled by one collection round, committed together once their records are in the file. */
export interface Settled {
  done: { customId: string; cost: bigint | undefined }[];
  retry: string[];
  escalate: Escalation[];
}

export const settledNone = (): Settled => ({ done: [], retry: [], escalate: [] });

export const CANCELLED: CallError = { message: 'not sent: the job was cancelled', kind: 'cancelled' };

/**
 * What becomes of a job's line once its call is in: its record written (after a cascade's last
 * step, with every step's call), or, for a cascade step whose answer was not kept, the line moved
 * on to the next step's model. Lines are marked in the store only once their records are in the file.
 */
export class LineSettler {
  constructor(
    private readonly job: () => JobRow,
    private readonly models: ReadonlyMap<string, ModelConfig>,
    private readonly baseline: ModelConfig,
    private readonly deps: Pick<DriveDeps, 'store' | 'sink' | 'written' | 'cascades' | 'countTokens'>,
  ) {}

  /** Marks settled lines in the store once their records are in the file. */
  commit(s: Settled): void {
    this.deps.sink.flush();
    this.deps.store.settleLines(this.job().id, s.done, s.retry, s.escalate);
    s.done = [];
    s.retry = [];
    s.escalate = [];
  }

  /**
   * A line's call is in. Its record is written, unless it is a cascade step whose answer was not
   * kept, or waits for a judge: then the call goes to the ledger and the line waits for the next
   * batch, on the next step's model or the judge's.
   */
  end(line: LineRow, call: CallRecord, batchId: string | null, settled: Settled): void {
    if (this.deps.written?.has(line.promptId)) {
      settled.done.push({ customId: line.customId, cost: undefined });
      return;
    }
    const judging = line.cascade?.judging;
    if (judging) call.kind = 'check';
    const prior = line.cascade?.prior.map(loadCall) ?? [];
    let calls = [...prior, call];
    let cascade: { escalated: boolean; failedCheck: string | undefined } | undefined;
    if (line.cascade) {
      const next = this.cascadeNext(line, call, prior);
      if ('move' in next && this.job().state === 'open') {
        this.deps.sink.step(line, call);
        settled.escalate.push(next.move);
        return;
      }
      cascade = { escalated: line.cascade.step > 0, failedCheck: next.failedCheck };
      // The job was cancelled before the next call could be sent.
      if ('move' in next) calls = [...calls, failedCall(line, this.models.get(next.move.route)!, CANCELLED, null)];
    }
    const record = lineRecord(line, this.baseline, calls, cascade);
    this.deps.sink.write({ record }, judging?.request ?? line.request, batchId);
    settled.done.push({ customId: line.customId, cost: record.cost });
  }

  /**
   * Where a cascade goes after a call: keep the step's answer (or fail), ask its next judge, or on
   * to the next step's model. `prior` are the line's earlier calls (a judging step's answer among them).
   */
  private cascadeNext(line: LineRow, call: CallRecord, prior: CallRecord[]): { failedCheck: string | undefined } | { move: Escalation; failedCheck: string | undefined } {
    const lc = line.cascade!;
    const cascade = this.deps.cascades?.get(lc.name);
    if (!cascade) throw new UserError(`batch job ${this.job().id}: its cascade ${lc.name} is not in the job's settings`, 'collect it with the frugal that started it');
    const judging = lc.judging;
    const request = judging?.request ?? line.request;
    const stored = [...lc.prior, storeCall(call)];
    // Earlier steps were not kept (rejected or failed): only this step's answer is decided here.
    const answers: StepAnswer[] = lc.steps.slice(0, lc.step).map(() => ({ failed: true }));
    if (judging) {
      // A judge that failed says no: the cascade escalates rather than keep an unchecked answer.
      const judged = { ...judging.judged, [judging.next[0]!.checkId]: call.error ? '' : (call.output ?? '') };
      const rest = judging.next.slice(1);
      if (rest.length > 0) return { failedCheck: lc.failedCheck, move: this.judgeLine(line, { ...lc, prior: stored, judging: { ...judging, judged, next: rest } }) };
      const a = judging.answer;
      answers.push({ answer: { text: a.text, finishReason: a.finishReason, usage: a.outputTokens === undefined ? undefined : { output: a.outputTokens } }, judged: new Map(Object.entries(judged)) });
    } else {
      answers.push(call.error ? { failed: true } : { answer: { text: call.output ?? '', finishReason: call.finishReason, usage: call.unsettled === 0n ? { output: call.usage.output } : undefined } });
    }
    const prompt = { id: line.promptId, messages: request.messages, system: request.system, fields: {}, source: line.source };
    const d = decideCascade(cascade, prompt, answers, this.deps.countTokens ?? ((text) => Math.ceil(text.length / 4)));
    const verdict = d.steps[lc.step];
    const stepCall = judging ? prior[judging.callIndex]! : call;
    if (verdict && verdict.checks.length > 0) {
      stepCall.checks = verdict.checks.map((c) => ({ id: c.id, ok: c.ok, why: c.why }));
      stored[judging ? judging.callIndex : lc.prior.length] = storeCall(stepCall, judging !== undefined);
    }
    const failedCheck = lc.failedCheck ?? d.failedCheck?.id;
    if (d.next.kind === 'judge') {
      const answer = { text: call.output ?? '', finishReason: call.finishReason, outputTokens: call.unsettled === 0n ? call.usage.output : undefined };
      // The answer's text stays with its call until the judges have read it: it may be the one kept.
      stored[lc.prior.length] = storeCall(call, true);
      return { failedCheck, move: this.judgeLine(line, { ...lc, prior: stored, judging: { answer, judged: {}, next: d.next.requests, request, callIndex: lc.prior.length } }) };
    }
    if (d.next.kind !== 'call') return { failedCheck };
    const step = lc.steps[d.next.step]!;
    return {
      failedCheck,
      move: {
        customId: line.customId,
        route: step.route,
        request: { ...request, maxTokens: step.maxTokens, options: step.options },
        cascade: { ...lc, step: d.next.step, prior: stored, failedCheck, judging: undefined },
      },
    };
  }

  /** The line carries its next judge's request, on the judge's model. */
  private judgeLine(line: LineRow, cascade: LineCascade): Escalation {
    const judge = cascade.judging!.next[0]!;
    return { customId: line.customId, route: judge.model, request: { messages: judge.messages, maxTokens: JUDGE_MAX_TOKENS }, cascade };
  }

  private readonly validators = new Map<string, JsonSchemaValidator>();

  /** A line's answer: priced at the batch rate, and held to its schema when it asked for one. */
  async answered(line: LineRow, model: ModelConfig, result: GenerateResult, batchId: string): Promise<CallRecord> {
    const call = lineCall(line, model, result, batchId, () => lineMaxCost(line, model));
    const schema = line.request.schema;
    if (!schema) return call;
    const key = JSON.stringify(schema.schema);
    let validator = this.validators.get(key);
    if (!validator) {
      const { compileJsonSchema } = await import('../core/quality/json-schema.js');
      const compiled = compileJsonSchema(schema.schema, schema.name);
      if (!compiled.ok) throw new UserError(`batch job ${this.job().id}: schema ${schema.name}: ${compiled.message}`);
      validator = compiled.validator;
      this.validators.set(key, validator);
    }
    const { validateAnswer } = await import('../core/quality/json-schema.js');
    const v = validateAnswer(call.output ?? '', validator);
    if (!v.ok) call.error = { kind: 'schema', message: `the answer does not conform to the schema: ${v.message}` };
    return call;
  }

  /** Lines that failed together (a batch refused, or ended without them): each settled as a failed call. */
  failAll(lines: LineRow[], model: ModelConfig, error: CallError): void {
    const settled = settledNone();
    for (const line of lines) this.end(line, failedCall(line, model, error, null), null, settled);
    this.commit(settled);
  }
}
