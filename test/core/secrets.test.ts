import { describe, expect, it } from 'vitest';
import { Secrets, redactKeyish } from '../../src/core/secrets.js';

describe('Secrets', () => {
  it('redacts every value it was given, the longest first, and key-shaped text', () => {
    const s = new Secrets();
    s.add('abcdefgh12345678');
    s.add('abcdefgh');
    s.add('a+b(c)*d?');
    expect(s.redact('got abcdefgh12345678, abcdefgh and a+b(c)*d? then sk-proj-XYZ123456 and Bearer tok')).toBe(
      'got [redacted], [redacted] and [redacted] then [redacted] and [redacted]',
    );
  });

  it('leaves short values alone: they are not secrets, and replacing them would shred the text', () => {
    const s = new Secrets();
    s.add('k');
    s.add(undefined);
    expect(s.redact('a key was rejected')).toBe('a key was rejected');
  });

  it('without values, still takes out key-shaped text', () => {
    expect(redactKeyish('key sk-ant-abcdef123 sent')).toBe('key [redacted] sent');
  });
});
