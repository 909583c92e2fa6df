import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/core/policy/parse.js';
import { starterPolicy, STARTER_PROVIDERS, type StarterProvider } from '../../src/core/policy/starter.js';
import { frugalIn } from '../helpers/in-process.js';
import { NOW, SHIPPED_ROUTES } from '../support.js';

const subsets: StarterProvider[][] = [];
for (let mask = 1; mask < 1 << STARTER_PROVIDERS.length; mask++) subsets.push(STARTER_PROVIDERS.filter((_, i) => mask & (1 << i)));

describe('starter policies', () => {
  it.each(subsets.map((s) => [s.join(',')]))('for %s: valid, and using only those providers', (list) => {
    const providers = list.split(',') as StarterProvider[];
    const policy = parsePolicy(starterPolicy(providers), 'routes.yaml', { now: NOW });
    const kinds = new Set([...policy.models.values()].map((m) => (m.provider === 'openai-compatible' ? 'ollama' : m.provider)));
    expect([...kinds].sort()).toEqual([...providers].sort());
  });

  it('routes short prompts to the local model when Ollama is there', () => {
    const policy = parsePolicy(starterPolicy(['openai', 'anthropic', 'ollama']), 'routes.yaml', { now: NOW });
    expect(policy.classes.find((c) => c.name === 'tiny')!.route).toBe('local');
  });
});

describe('frugal init --providers', () => {
  it('writes a policy for the providers given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'frugal-init-'));
    const r = await frugalIn(['init', '--providers', 'openai'], { cwd: dir });
    expect(r).toMatchObject({ code: 0, stdout: 'wrote routes.yaml for openai: edit its models and classes, then check it with `frugal validate routes.yaml`\n' });
    const text = readFileSync(join(dir, 'routes.yaml'), 'utf8');
    expect(text).not.toMatch(/^\s+provider: (anthropic|openai-compatible)/m);
    expect((await frugalIn(['validate', 'routes.yaml'], { cwd: dir })).code).toBe(0);
  });

  it('writes the shipped example for openai and anthropic', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'frugal-init-'));
    expect((await frugalIn(['init', '--providers', 'anthropic, openai'], { cwd: dir })).code).toBe(0);
    expect(readFileSync(join(dir, 'routes.yaml'), 'utf8')).toBe(readFileSync(SHIPPED_ROUTES, 'utf8'));
  });

  it('asks on a terminal, suggesting the providers whose keys are set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'frugal-init-'));
    const r = await frugalIn(['init'], { cwd: dir, stdinTTY: true, stderrTTY: true, stdin: 'anthropic,ollama\n', env: { ANTHROPIC_API_KEY: 'x' } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Which providers do you have? openai, anthropic, ollama (comma-separated) [anthropic]: ');
    expect(readFileSync(join(dir, 'routes.yaml'), 'utf8')).toBe(starterPolicy(['anthropic', 'ollama']));
  });

  it('refuses unknown providers with a suggestion', async () => {
    const r = await frugalIn(['init', '--providers', 'openai,antropic'], { cwd: '/nonexistent' });
    expect(r).toMatchObject({ code: 2, stderr: 'frugal: --providers: unknown provider "antropic" (did you mean "anthropic"?)\n  hint: choose from openai, anthropic, ollama, e.g. --providers openai,anthropic\n' });
  });
});
