import { RE2JS } from 're2js';
import { foldForPrefilter, mayMatch, regexPrefilter, type Prefilter } from './regex-prefilter.js';

/**
 * A user's regex from routes.yaml, run by RE2 (linear time in the text: no pattern can hang a
 * run, issue 10's `(a+)+$`). Written plain or as `/pattern/flags` with flags i, m, s.
 *
 * RE2 compiles the pattern when it first has to run: a text without the literals every match needs
 * (regex-prefilter.ts) is answered without it, so that a one-shot whose prompt is decided that way
 * does not load the engine at all.
 */
export class SafeRegex {
  // Private: two policies built from the same text compare equal (the policy cache's test).
  readonly #pattern: string;
  readonly #flags: string;
  #re: RE2JS | undefined;
  #prefilter: Prefilter | null | undefined;

  /** `prefilter`: this pattern's prefilter, worked out before (the policy cache keeps them). */
  constructor(
    readonly source: string,
    prefilter?: Prefilter | null,
  ) {
    const slashed = SLASHED.exec(source);
    this.#pattern = slashed ? slashed[1]! : source;
    this.#flags = slashed ? slashed[2]! : '';
    for (const f of this.#flags) if (!(f in FLAGS)) throw new RegexSyntaxError(`unknown flag "${f}" (use i, m or s)`);
    this.#prefilter = prefilter;
  }

  /** RE2's program, compiled on first use; throws RegexSyntaxError with RE2's reason. */
  #compiled(): RE2JS {
    if (this.#re) return this.#re;
    let flags = 0;
    for (const f of this.#flags) flags |= FLAGS[f]!();
    try {
      this.#re = RE2JS.compile(this.#pattern, flags);
    } catch (err) {
      throw new RegexSyntaxError((err as Error).message.replace(/^error parsing regexp: /, ''));
    }
    return this.#re;
  }

  /** The literals every match contains (worked out once), or null when the analysis has none. */
  get prefilter(): Prefilter | null {
    if (this.#prefilter === undefined) this.#prefilter = regexPrefilter(this.#pattern, this.#flags.includes('i')) ?? null;
    return this.#prefilter;
  }

  /** False when the text lacks a literal that every match contains: no need to ask RE2. */
  #mayMatch(text: string): boolean {
    const prefilter = this.prefilter;
    if (prefilter === null) return true;
    return mayMatch(prefilter, this.#flags.includes('i') ? foldForPrefilter(text) : text);
  }

  /** Compile now (validation: a pattern RE2 rejects is the user's error, with RE2's reason). */
  compile(): this {
    this.#compiled();
    return this;
  }

  test(text: string): boolean {
    return this.#mayMatch(text) && this.#compiled().test(text);
  }

  /** The first match, or undefined. */
  find(text: string): string | undefined {
    if (!this.#mayMatch(text)) return undefined;
    const m = this.#compiled().matcher(text);
    return m.find() ? (m.group() ?? '') : undefined;
  }
}

export class RegexSyntaxError extends Error {}

const SLASHED = /^\/(.*)\/([a-z]*)$/s;
// Functions: reading RE2JS's constants would load the engine.
const FLAGS: Record<string, () => number> = { i: () => RE2JS.CASE_INSENSITIVE, m: () => RE2JS.MULTILINE, s: () => RE2JS.DOTALL, u: () => 0, g: () => 0, y: () => 0 };

export const REGEX_HINT =
  'regexes use RE2 syntax, which runs in linear time: no lookahead, lookbehind or backreferences; escape backslashes inside double quotes ("\\\\b")';

/** Compile now, or throw RegexSyntaxError with RE2's reason (validation: the user sees the error). */
export function compileSafeRegex(source: string): SafeRegex {
  return new SafeRegex(source).compile();
}

/** Prefilters worked out before, by regex source as written (PolicySnapshot.prefilters). */
export type KnownPrefilters = Readonly<Record<string, Prefilter | null>>;

/**
 * A regex from a policy that validated (so it compiles): RE2 compiles it when it first has to run.
 * Throws RegexSyntaxError only for an unknown flag.
 */
export function validatedSafeRegex(source: string, known: KnownPrefilters = {}): SafeRegex {
  return new SafeRegex(source, Object.hasOwn(known, source) ? known[source] : undefined);
}
