import { RE2JS } from 're2js';

/**
 * A user's regex from routes.yaml, run by RE2 (linear time in the text: no pattern can hang a
 * run, issue 10's `(a+)+$`). Written plain or as `/pattern/flags` with flags i, m, s.
 */
export class SafeRegex {
  // Private: two policies built from the same text compare equal (the policy cache's test).
  readonly #re: RE2JS;

  constructor(
    readonly source: string,
    re: RE2JS,
  ) {
    this.#re = re;
  }

  test(text: string): boolean {
    return this.#re.test(text);
  }

  /** The first match, or undefined. */
  find(text: string): string | undefined {
    const m = this.#re.matcher(text);
    return m.find() ? (m.group() ?? '') : undefined;
  }
}

export class RegexSyntaxError extends Error {}

const SLASHED = /^\/(.*)\/([a-z]*)$/s;
const FLAGS: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL, u: 0, g: 0, y: 0 };

export const REGEX_HINT =
  'regexes use RE2 syntax, which runs in linear time: no lookahead, lookbehind or backreferences; escape backslashes inside double quotes ("\\\\b")';

/** Compile, or throw RegexSyntaxError with RE2's reason. */
export function compileSafeRegex(source: string): SafeRegex {
  const slashed = SLASHED.exec(source);
  const pattern = slashed ? slashed[1]! : source;
  let flags = 0;
  for (const f of slashed ? slashed[2]! : '') {
    if (!(f in FLAGS)) throw new RegexSyntaxError(`unknown flag "${f}" (use i, m or s)`);
    flags |= FLAGS[f]!;
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, flags);
  } catch (err) {
    throw new RegexSyntaxError((err as Error).message.replace(/^error parsing regexp: /, ''));
  }
  return new SafeRegex(source, re);
}
