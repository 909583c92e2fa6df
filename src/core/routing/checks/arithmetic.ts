import jsep from 'jsep';

/**
 * The `arithmetic` check: every calculation an answer states (`13 - 4 = 9`, `3 * $2 = $6`,
 * `<<5/2=2.5>>`, `1,200 + 300 = 1,500`, `15/60 = 25%`) must evaluate to what it claims, within
 * the rounding of the stated result. Only statements whose sides are whole arithmetic are judged:
 * `x = 5`, `3x = 12`, `5 apples + 3 = 8`, dates and version numbers are not calculations.
 *
 * Expressions are parsed by jsep into a syntax tree and evaluated here over numbers and + - * / ^
 * only; any other node (a name, a call, a member, a string) makes the statement unjudged. Nothing
 * is ever executed.
 */

export interface Statement {
  /** The statement as written, e.g. `3 * $2 = $6`. */
  text: string;
  left: number;
  right: number;
  ok: boolean;
}

type Token =
  | { t: 'num'; value: number; decimals: number; pct: boolean; raw: string }
  | { t: 'op'; op: '+' | '-' | '*' | '/' | '^'; raw: string }
  | { t: '('; raw: string }
  | { t: ')'; raw: string }
  | { t: '='; approx: boolean; raw: string }
  /** Anything else: a word, punctuation, a line break. Ends a run of arithmetic. */
  | { t: 'other'; glued: boolean; raw: string };

/** LaTeX and Markdown around calculations: `\(3 \times 4 = 12\)`, `**5 + 3 = 8**`. */
const REWRITES: [RegExp, string][] = [
  [/\\frac\{([^{}]*)\}\{([^{}]*)\}/g, '($1)/($2)'],
  [/\\(?:times|cdot)/g, '×'],
  [/\\div/g, '÷'],
  [/\\([$%])/g, '$1'],
  [/\\[()[\]]|\\left|\\right/g, ' '],
  [/\*\*|__/g, ' '],
  [/(^|\s)\*(?=\S)/g, '$1'],
  [/(?<=\S)\*(?=\s|$|[.,;:!?])/g, ''],
];

const NUMBER = /^(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)/;
const CURRENCY = /^[$€£¥₹]/;

function tokenize(text: string): Token[] {
  let s = text;
  for (const [re, to] of REWRITES) s = s.replace(re, to);
  const out: Token[] = [];
  let i = 0;
  const prev = () => out[out.length - 1];
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    const rest = s.slice(i);
    const cur = CURRENCY.exec(rest)?.[0] ?? '';
    const num = NUMBER.exec(rest.slice(cur.length));
    if (num) {
      let end = i + cur.length + num[0].length;
      const pct = s[end] === '%';
      if (pct) end++;
      const after = s[end] ?? '';
      const digits = num[0].replace(/,/g, '');
      // A number glued to letters or to another dot-number (3x, v1.2.3, 2nd) is not an operand.
      const times = /^[xX]\s*[$€£¥₹(]?\d/.test(s.slice(end));
      if ((/[\p{L}_]/u.test(after) && !times) || (after === '.' && /\d/.test(s[end + 1] ?? '')) || (after === ',' && /\d/.test(s[end + 1] ?? ''))) {
        out.push({ t: 'other', glued: true, raw: s.slice(i, end) });
      } else {
        const frac = digits.split('.')[1];
        out.push({ t: 'num', value: Number(digits), decimals: frac ? frac.length : 0, pct, raw: s.slice(i, end) });
      }
      i = end;
      continue;
    }
    if ('+-−*/×÷^'.includes(c)) {
      const op = c === '−' ? '-' : c === '×' ? '*' : c === '÷' ? '/' : (c as '+' | '-' | '*' | '/' | '^');
      out.push({ t: 'op', op, raw: c });
      i++;
      continue;
    }
    // "3 x 4" and "3x4": x between two operands is a multiplication sign.
    if ((c === 'x' || c === 'X') && (prev()?.t === 'num' || prev()?.t === ')') && /^[xX]\s*[$€£¥₹(]?\d/.test(rest) && !/[\p{L}]/u.test(s[i - 1] ?? '')) {
      out.push({ t: 'op', op: '*', raw: c });
      i++;
      continue;
    }
    // "f(1)" and "2(3+4)" are calls or products the text does not spell out: not judged.
    if (c === '(' && /[\p{L}\p{N}_]/u.test(s[i - 1] ?? '')) {
      out.push({ t: 'other', glued: true, raw: c });
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      out.push({ t: c, raw: c });
      i++;
      continue;
    }
    if (c === '=' || c === '≈') {
      out.push({ t: '=', approx: c === '≈', raw: c });
      i++;
      continue;
    }
    const word = /^[\p{L}\p{N}_]+/u.exec(rest)?.[0] ?? c;
    out.push({ t: 'other', glued: false, raw: word });
    i += word.length;
  }
  return out;
}

/** Maximal runs of arithmetic tokens; a run touching a word is cut where the word is. */
function runs(tokens: Token[]): { tokens: Token[]; openLeft: boolean; openRight: boolean }[] {
  const out: { tokens: Token[]; openLeft: boolean; openRight: boolean }[] = [];
  let cur: Token[] = [];
  let openLeft = false;
  const close = (openRight: boolean) => {
    if (cur.length) out.push({ tokens: cur, openLeft, openRight });
    cur = [];
  };
  for (const tok of tokens) {
    if (tok.t === 'other') {
      // An operator at the edge of a run next to a word means the word is part of the expression.
      close(true);
      openLeft = true;
      continue;
    }
    cur.push(tok);
  }
  close(false);
  return out;
}

type Side = { tokens: Token[] };

function split(run: Token[]): Side[] {
  const sides: Side[] = [{ tokens: [] }];
  for (const tok of run) {
    if (tok.t === '=') sides.push({ tokens: [] });
    else sides[sides.length - 1]!.tokens.push(tok);
  }
  return sides;
}

/** Evaluate a jsep tree over numbers and + - * / ** only; anything else is not arithmetic. */
interface Operand {
  value: number;
  pct: boolean;
}

const isPct = (node: jsep.Expression, values: Operand[]) => {
  const m = node.type === 'Identifier' ? /^n(\d+)$/.exec((node as jsep.Identifier).name) : null;
  return m !== null && values[Number(m[1])]!.pct;
};

function evaluate(node: jsep.Expression, values: Operand[]): number | undefined {
  switch (node.type) {
    case 'Identifier': {
      // Operands are passed as placeholders n0, n1, ... so that the parser never sees "$1,200" or "25%".
      const m = /^n(\d+)$/.exec((node as jsep.Identifier).name);
      return m ? values[Number(m[1])]?.value : undefined;
    }
    case 'Literal': {
      const v = (node as jsep.Literal).value;
      return typeof v === 'number' ? v : undefined;
    }
    case 'UnaryExpression': {
      const u = node as jsep.UnaryExpression;
      const a = evaluate(u.argument, values);
      if (a === undefined) return undefined;
      return u.operator === '-' ? -a : u.operator === '+' ? a : undefined;
    }
    case 'BinaryExpression': {
      const b = node as jsep.BinaryExpression;
      const l = evaluate(b.left, values);
      const r = evaluate(b.right, values);
      if (l === undefined || r === undefined) return undefined;
      // "$50 + 10% = $55": a percentage added to an amount is a share of that amount.
      const share = (b.operator === '+' || b.operator === '-') && isPct(b.right, values) && !isPct(b.left, values);
      switch (b.operator) {
        case '+':
          return share ? l * (1 + r) : l + r;
        case '-':
          return share ? l * (1 - r) : l - r;
        case '*':
          return l * r;
        case '/':
          return l / r;
        case '**':
          return l ** r;
        default:
          return undefined;
      }
    }
    default:
      return undefined;
  }
}

interface SideValue {
  value: number;
  hasOperator: boolean;
  /** The tolerance of a stated result: half a unit of its last decimal. */
  tolerance: number;
  pct: boolean;
}

function valueOf(side: Side): SideValue | undefined {
  const toks = side.tokens;
  if (toks.length === 0) return undefined;
  const values: Operand[] = [];
  let expr = '';
  let hasOperator = false;
  for (const tok of toks) {
    if (tok.t === 'num') {
      expr += ` n${values.length}`;
      values.push({ value: tok.pct ? tok.value / 100 : tok.value, pct: tok.pct });
    } else if (tok.t === 'op') {
      expr += tok.op === '^' ? ' **' : ` ${tok.op}`;
      hasOperator = true;
    } else expr += ` ${tok.raw}`;
  }
  let tree: jsep.Expression;
  try {
    tree = jsep(expr);
  } catch {
    return undefined;
  }
  const value = evaluate(tree, values);
  if (value === undefined || !Number.isFinite(value)) return undefined;
  const only = toks.length === 1 && toks[0]!.t === 'num' ? toks[0] : undefined;
  // A leading minus on a lone number is a sign, not a calculation.
  if (toks.length === 2 && toks[0]!.t === 'op' && toks[0]!.op === '-' && toks[1]!.t === 'num') hasOperator = false;
  const last = only ?? (toks.length === 2 && toks[1]!.t === 'num' ? toks[1] : undefined);
  const decimals = last?.t === 'num' ? last.decimals + (last.pct ? 2 : 0) : 12;
  return { value, hasOperator, tolerance: 0.5 * 10 ** -decimals, pct: last?.t === 'num' && last.pct };
}

function agree(a: SideValue, b: SideValue, approx: boolean): boolean {
  const close = (x: number, y: number) => {
    const tol = Math.max(a.hasOperator ? b.tolerance : a.tolerance, 1e-9 * Math.max(Math.abs(x), Math.abs(y)));
    return Math.abs(x - y) <= tol || (approx && Math.abs(x - y) <= 0.01 * Math.max(Math.abs(x), Math.abs(y)));
  };
  if (close(a.value, b.value)) return true;
  // "15/60 * 100 = 25%": a percentage stated as its number of hundredths.
  return (b.pct && close(a.value, b.value * 100)) || (a.pct && close(a.value * 100, b.value));
}

/** Every calculation the text states, with what each side evaluates to. */
export function arithmeticStatements(text: string): Statement[] {
  const out: Statement[] = [];
  for (const run of runs(tokenize(text))) {
    const sides = split(run.tokens);
    if (sides.length < 2) continue;
    const eqs = run.tokens.filter((t): t is Extract<Token, { t: '=' }> => t.t === '=');
    for (let i = 0; i + 1 < sides.length; i++) {
      const l = sides[i]!;
      const r = sides[i + 1]!;
      // A side at a cut run edge that starts or ends with an operator continues into words: unknown.
      const firstTok = l.tokens[0];
      if (i === 0 && run.openLeft && firstTok?.t === 'op') continue;
      const lastTok = r.tokens[r.tokens.length - 1];
      if (i + 1 === sides.length - 1 && run.openRight && lastTok?.t === 'op') continue;
      const lv = valueOf(l);
      const rv = valueOf(r);
      if (!lv || !rv || (!lv.hasOperator && !rv.hasOperator)) continue;
      // "5 + 3 = 8 + 2 = 10" is a running total: the next side starts from this one's result.
      const head = r.tokens[0];
      if (i + 2 < sides.length && rv.hasOperator && head?.t === 'num' && Math.abs(head.value - lv.value) <= lv.tolerance) continue;
      const written = [...l.tokens, eqs[i]!, ...r.tokens].map((t) => t.raw).join(' ');
      out.push({ text: written, left: lv.value, right: rv.value, ok: agree(lv, rv, eqs[i]!.approx) });
    }
  }
  return out;
}
