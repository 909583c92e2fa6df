/**
 * A `keywords:` condition: any of the words, whole (no letter, digit or underscore of any script on
 * either side), in any case.
 *
 * Its regular expression is built when first needed, in one of two forms. Building and first
 * running the Unicode one (\p{L} and \p{N} with case folding) costs V8 about a millisecond per
 * condition, a good part of a one-shot's start-up; a text all in ASCII, as most prompts are, goes
 * through one that knows only ASCII instead, at a tenth of that. They give the same answer: such a
 * text has no letters or digits outside ASCII, and ASCII keywords fold alike with or without the
 * u flag. Keywords outside ASCII always go through the Unicode form.
 */
export class Keywords {
  readonly #alternatives: string;
  readonly #asciiWords: boolean;
  #ascii: RegExp | undefined;
  #unicode: RegExp | undefined;

  constructor(words: readonly string[]) {
    this.#alternatives = [...words].sort((a, b) => b.length - a.length).map(escape).join('|');
    this.#asciiWords = ASCII.test(words.join(''));
  }

  /** `ascii`: whether the text is all ASCII, when the caller knows (else it is looked at). */
  test(text: string, ascii?: boolean): boolean {
    return this.#regexFor(text, ascii).test(text);
  }

  /** The first keyword in the text, as written there. */
  exec(text: string, ascii?: boolean): RegExpExecArray | null {
    return this.#regexFor(text, ascii).exec(text);
  }

  #regexFor(text: string, ascii = ASCII.test(text)): RegExp {
    if (this.#asciiWords && ascii) return (this.#ascii ??= new RegExp(`(?<![A-Za-z0-9_])(?:${this.#alternatives})(?![A-Za-z0-9_])`, 'i'));
    return (this.#unicode ??= new RegExp(`(?<![\\p{L}\\p{N}_])(?:${this.#alternatives})(?![\\p{L}\\p{N}_])`, 'iu'));
  }
}

const ASCII = /^[\x00-\x7f]*$/;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
