/** The providers `frugal init` can write a starter policy for. */
export const STARTER_PROVIDERS = ['openai', 'anthropic', 'ollama'] as const;
export type StarterProvider = (typeof STARTER_PROVIDERS)[number];

interface Model {
  alias: string;
  lines: string[];
}

const LOCAL: Model = {
  alias: 'local',
  lines: ['provider: openai-compatible', 'model: llama3.2:3b', 'base_url: http://localhost:11434/v1', 'price: { input: 0, output: 0 }   # USD per million tokens; cache_read and cache_write too'],
};

/** flagship, balanced and quick from the providers with keys; `local` when Ollama is there. */
function roles(has: (p: StarterProvider) => boolean): { flagship?: Model; balanced?: Model; quick?: Model } {
  const m = (alias: string, provider: string, model: string): Model => ({ alias, lines: [`provider: ${provider}`, `model: ${model}`] });
  if (has('anthropic') && has('openai')) return { flagship: m('flagship', 'anthropic', 'claude-opus-5-5'), balanced: m('balanced', 'openai', 'gpt-5.4-mini'), quick: m('quick', 'anthropic', 'claude-haiku-4-5') };
  if (has('anthropic')) return { flagship: m('flagship', 'anthropic', 'claude-opus-5-5'), balanced: m('balanced', 'anthropic', 'claude-sonnet-4-5'), quick: m('quick', 'anthropic', 'claude-haiku-4-5') };
  if (has('openai')) return { flagship: m('flagship', 'openai', 'gpt-5.4'), balanced: m('balanced', 'openai', 'gpt-5.4-mini'), quick: m('quick', 'openai', 'gpt-5.4-nano') };
  return {};
}

const KEYS: Record<StarterProvider, string> = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY', ollama: 'no key: a local Ollama server' };

/**
 * A starter routes.yaml that uses only the given providers: the shipped policy's shape (code and
 * hard prompts to the flagship, short ones to the cheapest model, lookups to the quick one).
 */
export function starterPolicy(providers: readonly StarterProvider[]): string {
  const has = (p: StarterProvider) => providers.includes(p);
  const r = roles(has);
  const local = has('ollama') ? LOCAL : undefined;
  const flagship = r.flagship ?? local!;
  const balanced = r.balanced ?? local!;
  const quick = r.quick ?? local!;
  const tiny = local ?? quick;
  const models = [r.flagship, r.balanced, r.quick, local].filter((x): x is Model => x !== undefined);

  const out = [
    '# frugal routing policy. Check it with `frugal validate`; see what it does with `frugal explain "..."`.',
    `# Written by \`frugal init\` for: ${providers.map((p) => `${p} (${KEYS[p]})`).join(', ')}.`,
    '#',
    '# Every prompt is also priced as if the baseline had answered it.',
    `baseline: ${flagship.alias}`,
    '# Where a prompt goes when no class matches.',
    `default: ${balanced.alias}`,
    '',
    'models:',
    ...models.flatMap((m) => [`  ${m.alias}:`, ...m.lines.map((l) => `    ${l}`)]),
  ];
  if (!local) {
    out.push(
      '  # A local model on any OpenAI-compatible server (Ollama, vLLM, llama.cpp): uncomment it and',
      '  # route the `tiny` class to it to answer short prompts for free.',
      '  # local:',
      ...LOCAL.lines.map((l) => `  #   ${l}`),
    );
  }
  if (models.length === 1) return out.join('\n') + '\n';
  out.push(
    '',
    'classes:                              # in order; the first that matches wins',
    '  - name: code',
    '    when:',
    '      any:',
    '        - regex: "```|\\\\bdef |\\\\bfunction\\\\b|stack ?trace"',
    '        - keywords: [refactor, compile, segfault, typescript]',
    `    route: ${flagship.alias}`,
    '  - name: tagged-hard',
    '    when: { field: { difficulty: hard } }   # a JSONL record\'s own field',
    `    route: ${flagship.alias}`,
    '  - name: tiny',
    '    when: { max_prompt_tokens: 40 }         # prompt length bounds, in tokens',
    `    route: ${tiny.alias}`,
    '  - name: lookup',
    '    when:',
    '      all:',
    '        - keywords: [what, who, when, define]',
    '        - { max_prompt_tokens: 200 }',
    '        - not: { keywords: [why, explain, compare] }',
    `    route: ${quick.alias}`,
  );
  return out.join('\n') + '\n';
}

/** `--providers openai,anthropic`: the list, or the names it does not know. */
export function parseProviders(text: string): { ok: true; value: StarterProvider[] } | { ok: false; unknown: string[] } {
  const names = text.split(/[\s,]+/).map((s) => s.trim().toLowerCase()).filter(Boolean);
  const unknown = names.filter((n) => !(STARTER_PROVIDERS as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) return { ok: false, unknown };
  return { ok: true, value: STARTER_PROVIDERS.filter((p) => names.includes(p)) };
}
