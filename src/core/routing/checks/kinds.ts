import { arithmeticStatements } from './arithmetic.js';
import { judgeVerdict } from './judge.js';
import type { CheckKind, CheckOf, CheckSubject } from './types.js';

/** A leaf check's outcome: null while it waits for a call (a judge not yet asked). */
export interface LeafVerdict {
  ok: boolean | null;
  why: string;
}

/** What a check may need besides the subject: the text of its judge call, once made. */
export interface CheckContext {
  judged(checkId: string): string | undefined;
}

interface CheckKindSpec<K extends CheckKind> {
  run(check: CheckOf<K>, s: CheckSubject, ctx: CheckContext): LeafVerdict;
  /** The check in a few words, for `validate`, `explain` and reports. */
  describe(check: CheckOf<K>): string;
  /** True when the check makes a call of its own (kind `check`), which costs money. */
  calls: boolean;
}

const quote = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 37)}...` : s);

const REFUSAL = /^\W*(?:I(?:'m| am) (?:sorry|afraid)[^.]*\b(?:can(?:no|')t|unable|not able)|I (?:can(?:no|')t|won't|will not|must decline|am unable|am not able)|I'm (?:unable|not able)|(?:sorry|unfortunately),? (?:but )?I (?:can(?:no|')t|won't|am unable))\b/i;
const ENDS_IN_NUMBER = /(-?[$€£¥₹]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*%?(?:\s|[.)\]}*$`'"])*$/;

/** Answer tokens as billed when the server said, else counted. */
const answerTokens = (s: CheckSubject) => s.answer.usage?.output ?? s.countTokens(s.answer.text);

export const CHECK_KINDS: { [K in CheckKind]: CheckKindSpec<K> } = {
  regex: {
    run: (c, s) => {
      const hit = c.re.find(s.answer.text);
      return hit !== undefined ? { ok: true, why: `regex ${c.re.source} matched ${quote(hit)}` } : { ok: false, why: `regex ${c.re.source} did not match` };
    },
    describe: (c) => `regex ${c.re.source}`,
    calls: false,
  },
  contains: {
    run: (c, s) => {
      const ok = s.answer.text.includes(c.text);
      return { ok, why: `${ok ? 'contains' : 'does not contain'} ${quote(c.text)}` };
    },
    describe: (c) => `contains ${quote(c.text)}`,
    calls: false,
  },
  min_answer_tokens: {
    run: (c, s) => {
      const n = answerTokens(s);
      return { ok: n >= c.n, why: `${n} answer tokens ${n >= c.n ? '>=' : '<'} ${c.n}` };
    },
    describe: (c) => `>= ${c.n} answer tokens`,
    calls: false,
  },
  max_answer_tokens: {
    run: (c, s) => {
      const n = answerTokens(s);
      return { ok: n <= c.n, why: `${n} answer tokens ${n <= c.n ? '<=' : '>'} ${c.n}` };
    },
    describe: (c) => `<= ${c.n} answer tokens`,
    calls: false,
  },
  finish_reason: {
    run: (c, s) => {
      const got = s.answer.finishReason;
      const ok = got !== undefined && c.reasons.includes(got);
      return { ok, why: `finish reason ${got ?? 'not reported'}${ok ? '' : `, not ${c.reasons.join(' or ')}`}` };
    },
    describe: (c) => `finish_reason ${c.reasons.join(' | ')}`,
    calls: false,
  },
  refusal: {
    run: (c, s) => {
      const refuses = s.answer.finishReason === 'refusal' || REFUSAL.test(s.answer.text);
      return { ok: refuses === c.refuses, why: refuses ? 'the answer declines' : 'the answer does not decline' };
    },
    describe: (c) => (c.refuses ? 'is a refusal' : 'not a refusal'),
    calls: false,
  },
  json: {
    run: (c, s) => {
      let value: unknown;
      try {
        value = JSON.parse(stripFence(s.answer.text));
      } catch (err) {
        return { ok: false, why: `not JSON (${(err as Error).message})` };
      }
      if (!c.schema) return { ok: true, why: 'parses as JSON' };
      const valid = c.schema.validate(value);
      return valid === true ? { ok: true, why: `valid against ${c.schema.file}` } : { ok: false, why: `not valid against ${c.schema.file}: ${valid}` };
    },
    describe: (c) => (c.schema ? `JSON valid against ${c.schema.file}` : 'JSON'),
    calls: false,
  },
  number: {
    run: (c, s) => {
      // Only the end matters; a bounded tail keeps the unanchored regex linear on long answers.
      const m = ENDS_IN_NUMBER.exec(s.answer.text.slice(-200));
      if (!m) return { ok: false, why: 'does not end in a number' };
      const value = Number(m[1]!.replace(/[,$€£¥₹]/g, ''));
      if (c.integer && !Number.isInteger(value)) return { ok: false, why: `ends in ${m[1]}, not a whole number` };
      return { ok: true, why: `ends in ${m[1]}` };
    },
    describe: (c) => (c.integer ? 'ends in a whole number' : 'ends in a number'),
    calls: false,
  },
  arithmetic: {
    run: (_c, s) => {
      const statements = arithmeticStatements(s.answer.text);
      const wrong = statements.find((x) => !x.ok);
      if (wrong) return { ok: false, why: `${wrong.text} is wrong: it makes ${+wrong.left.toPrecision(12)}` };
      return { ok: true, why: statements.length ? `${statements.length} calculation${statements.length === 1 ? '' : 's'} right` : 'states no calculation' };
    },
    describe: () => 'arithmetic',
    calls: false,
  },
  judge: {
    run: (c, _s, ctx) => {
      const text = ctx.judged(c.id);
      if (text === undefined) return { ok: null, why: `waits for judge ${c.model}` };
      return judgeVerdict(c, text);
    },
    describe: (c) => `judge ${c.model} (verdict ${c.verdict.source})`,
    calls: true,
  },
  score: {
    run: (c, s) => {
      const score = c.scorer.score(s.prompt, s.answer.text);
      const ok = score >= c.threshold;
      return { ok, why: `score ${score.toFixed(3)} ${ok ? '>=' : '<'} ${c.threshold}` };
    },
    describe: (c) => `score ${c.file} >= ${c.threshold}`,
    calls: false,
  },
};

/** A JSON answer is often wrapped in a Markdown code fence. */
function stripFence(text: string): string {
  const m = /^\s*```[a-zA-Z]*\n([\s\S]*?)\n?```\s*$/.exec(text);
  return m ? m[1]! : text;
}
