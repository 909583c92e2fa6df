import { CHECK_KINDS, type CheckContext } from './kinds.js';
import { judgeRequest, type JudgeRequest } from './judge.js';
import type { Check, CheckKind, CheckOf, CheckResult, CheckSubject, LeafCheck } from './types.js';

export interface Evaluation {
  /** Accepted, rejected, or null: undecided until the judge calls in `needs` are answered. */
  ok: boolean | null;
  /** Every leaf check that ran, in order, with its verdict (pending judges are not listed). */
  results: CheckResult[];
  /** Judge calls the decision still waits for. */
  needs: JudgeRequest[];
}

function runLeaf<K extends CheckKind>(check: CheckOf<K>, s: CheckSubject, ctx: CheckContext) {
  return (CHECK_KINDS[check.kind] as (typeof CHECK_KINDS)[K]).run(check, s, ctx);
}

/**
 * Evaluate a check tree on one answer. `all` stops at the first failure and `any` at the first
 * success, so a judge placed after cheap checks is only called when they leave the answer open.
 */
export function evaluateCheck(check: Check, s: CheckSubject, ctx: CheckContext = { judged: () => undefined }): Evaluation {
  const results: CheckResult[] = [];
  const needs: JudgeRequest[] = [];
  const walk = (c: Check): boolean | null => {
    switch (c.kind) {
      case 'all': {
        let out: boolean | null = true;
        for (const x of c.of) {
          const v = walk(x);
          if (v === false) return false;
          if (v === null) out = null;
        }
        return out;
      }
      case 'any': {
        let out: boolean | null = false;
        for (const x of c.of) {
          const v = walk(x);
          if (v === true) return true;
          if (v === null) out = null;
        }
        return out;
      }
      case 'not': {
        const v = walk(c.of);
        return v === null ? null : !v;
      }
      default: {
        const v = runLeaf(c, s, ctx);
        if (v.ok === null) {
          if (c.kind === 'judge') needs.push(judgeRequest(c, s.prompt, s.answer.text));
          return null;
        }
        results.push({ id: c.id, kind: c.kind, ok: v.ok, why: v.why });
        return v.ok;
      }
    }
  };
  const ok = walk(check);
  // A decided tree needs no pending judge (e.g. an `all` failed on a cheap check after it).
  return { ok, results, needs: ok === null ? needs : [] };
}

/** Every leaf of a check tree, in order. */
export function leaves(check: Check): LeafCheck[] {
  switch (check.kind) {
    case 'all':
    case 'any':
      return check.of.flatMap(leaves);
    case 'not':
      return leaves(check.of);
    default:
      return [check];
  }
}

export function describeLeaf<K extends CheckKind>(check: CheckOf<K>): string {
  return (CHECK_KINDS[check.kind] as (typeof CHECK_KINDS)[K]).describe(check);
}

/** A check tree in short form: `all(finish_reason stop; arithmetic)`. */
export function describeCheck(check: Check): string {
  switch (check.kind) {
    case 'all':
    case 'any':
      return `${check.kind}(${check.of.map(describeCheck).join('; ')})`;
    case 'not':
      return `not(${describeCheck(check.of)})`;
    default:
      return describeLeaf(check);
  }
}

/** True when any leaf makes a call of its own (a judge). */
export function checkCalls(check: Check): LeafCheck[] {
  return leaves(check).filter((c) => CHECK_KINDS[c.kind].calls);
}
