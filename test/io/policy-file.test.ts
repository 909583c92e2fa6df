import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/core/policy/parse.js';
import { loadPolicyFile } from '../../src/io/policy-file.js';

const POLICY = `default: a
models:
  a: { provider: openai, model: gpt-5.4-mini }
  b: { provider: anthropic, model: claude-opus-5-5 }
classes:
  - { name: code, when: { any: [{ regex: "/def /i" }, { keywords: [refactor] }], max_prompt_tokens: 900 }, route: b }
budget: { per_model: { b: 2 } }
`;

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'frugal-policy-cache-'));
  const path = join(dir, 'routes.yaml');
  writeFileSync(path, POLICY);
  const env = { XDG_CACHE_HOME: join(dir, 'cache') };
  return { dir, path, env, cacheDir: join(dir, 'cache', 'frugal', 'policies') };
}

const now = new Date('2026-11-01');

describe('the policy cache', () => {
  it('gives the same policy from the cache as from a full parse', async () => {
    const { dir, path, env, cacheDir } = setup();
    const fresh = await loadPolicyFile({ path, origin: 'flag' }, dir, { now, env, useCache: true });
    expect(readdirSync(cacheDir)).toHaveLength(1);
    expect(statSync(join(cacheDir, readdirSync(cacheDir)[0]!)).mode & 0o777).toBe(0o600);
    const cached = await loadPolicyFile({ path, origin: 'flag' }, dir, { now, env, useCache: true });
    const parsed = parsePolicy(POLICY, 'routes.yaml', { now });
    expect(cached).toEqual(fresh);
    expect(cached).toEqual(parsed);
    expect(cached.classes[0]!.when).toEqual(parsed.classes[0]!.when);
    expect(cached.budget.perModelUsd.get('b')).toBe(2);
  });

  it('is keyed by the text: an edited policy is validated again, errors included', async () => {
    const { dir, path, env, cacheDir } = setup();
    await loadPolicyFile({ path, origin: 'flag' }, dir, { now, env, useCache: true });
    writeFileSync(path, POLICY.replace('route: b', 'route: c'));
    await expect(loadPolicyFile({ path, origin: 'flag' }, dir, { now, env, useCache: true })).rejects.toThrow(/unknown model "c"/);
    expect(readdirSync(cacheDir)).toHaveLength(1);
  });

  it('uses an entry only when its whole key (frugal, catalogue and policy text) matches: a file-name collision costs a validation', async () => {
    const { dir, path, env, cacheDir } = setup();
    await loadPolicyFile({ path, origin: 'flag' }, dir, { now, env, useCache: true });
    const file = join(cacheDir, readdirSync(cacheDir)[0]!);
    const entry = JSON.parse(readFileSync(file, 'utf8')) as { key: string; snapshot: unknown };
    expect(entry.key.endsWith(`\0${POLICY}`)).toBe(true);
    // Another policy's entry under the same name: its snapshot routes to a different model id.
    const other = JSON.stringify(entry.snapshot).replaceAll('claude-opus-5-5', 'claude-haiku-4-5');
    writeFileSync(file, JSON.stringify({ key: entry.key.replace(POLICY, 'default: x\n'), snapshot: JSON.parse(other) }));
    const p = await loadPolicyFile({ path, origin: 'flag' }, dir, { now, env, useCache: true });
    expect(p.models.get('b')!.model).toBe('claude-opus-5-5');
  });

  it("keeps the prefilters of the classes' regexes, and a cached policy uses them instead of working them out again", async () => {
    const { dir, path, env, cacheDir } = setup();
    await loadPolicyFile({ path, origin: 'flag' }, dir, { now, env, useCache: true });
    const file = join(cacheDir, readdirSync(cacheDir)[0]!);
    const entry = JSON.parse(readFileSync(file, 'utf8')) as { key: string; snapshot: { prefilters?: Record<string, unknown> } };
    // "/def /i": every match holds "def " in any case.
    expect(entry.snapshot.prefilters).toEqual({ '/def /i': { lit: 'def ' } });
    const text = 'def main(): pass';
    const regexOf = (p: Awaited<ReturnType<typeof loadPolicyFile>>) => {
      const when = p.classes[0]!.when;
      const any = when.kind === 'all' ? when.of.find((m) => m.kind === 'any') : undefined;
      const re = any?.kind === 'any' ? any.of.find((m) => m.kind === 'regex') : undefined;
      if (re?.kind !== 'regex') throw new Error('no regex matcher');
      return re.re;
    };
    expect(regexOf(await loadPolicyFile({ path, origin: 'flag' }, dir, { now, env, useCache: true })).test(text)).toBe(true);
    // A kept prefilter that no text passes: the cached policy's regex takes it as it is.
    entry.snapshot.prefilters = { '/def /i': { lit: 'never in the prompt' } };
    writeFileSync(file, JSON.stringify(entry));
    expect(regexOf(await loadPolicyFile({ path, origin: 'flag' }, dir, { now, env, useCache: true })).test(text)).toBe(false);
  });

  it('is not used when asked not to (validate), and survives a corrupt entry', async () => {
    const { dir, path, env, cacheDir } = setup();
    await loadPolicyFile({ path, origin: 'flag' }, dir, { now, env, useCache: false });
    expect(() => readdirSync(cacheDir)).toThrow();
    await loadPolicyFile({ path, origin: 'flag' }, dir, { now, env, useCache: true });
    writeFileSync(join(cacheDir, readdirSync(cacheDir)[0]!), '{not json');
    const p = await loadPolicyFile({ path, origin: 'flag' }, dir, { now, env, useCache: true });
    expect(p.models.get('b')!.model).toBe('claude-opus-5-5');
  });
});
