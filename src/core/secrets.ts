// Key-shaped text even when frugal never read that key: OpenAI/Anthropic keys and bearer tokens.
const KEYISH = /\b(sk-(?:ant-|proj-)?[A-Za-z0-9_*-]{6,}|Bearer\s+\S+)/g;

// Shorter values are not secret-shaped; replacing them would shred ordinary words in a message.
const MIN_SECRET_LENGTH = 8;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The key values frugal read from the environment. Every error text a provider produces passes
 * through `redact` before anyone can print, store or write it.
 */
export class Secrets {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  add(value: string | undefined): void {
    if (value === undefined || value.length < MIN_SECRET_LENGTH || this.values.has(value)) return;
    this.values.add(value);
    // Longest first, so a key that contains another is replaced whole.
    const sorted = [...this.values].sort((a, b) => b.length - a.length);
    this.pattern = new RegExp(sorted.map(escape).join('|'), 'g');
  }

  redact(text: string): string {
    const known = this.pattern ? text.replace(this.pattern, '[redacted]') : text;
    return redactKeyish(known);
  }
}

/** Only the key-shaped patterns, for text from a process that holds no Secrets. */
export const redactKeyish = (text: string): string => text.replace(KEYISH, '[redacted]');
