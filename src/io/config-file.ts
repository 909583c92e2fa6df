import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Node } from 'yaml';
import { UserError } from '../core/errors.js';
import { didYouMean } from '../core/policy/suggest.js';

/** The defaults a config file may set, and the flag attribute each one fills. */
export const CONFIG_KEYS = {
  routes: { flag: 'routes', path: true, example: 'routes: ~/team/routes.yaml' },
  concurrency: { flag: 'concurrency', path: false, example: 'concurrency: 16' },
  max_spend: { flag: 'maxSpend', path: false, example: 'max_spend: 5' },
  home: { flag: 'home', path: true, example: 'home: ~/frugal-data' },
} as const;

export type ConfigKey = keyof typeof CONFIG_KEYS;

export interface ConfigValue {
  /** As written (paths resolved against the config file's folder, ~ against $HOME). */
  text: string;
  line: number;
}

export interface ConfigFile {
  path: string;
  /** False when there is no config file (every value is then a default). */
  exists: boolean;
  values: Map<ConfigKey, ConfigValue>;
}

/** $XDG_CONFIG_HOME/frugal/config.yaml, else ~/.config/frugal/config.yaml. */
export function configPath(env: NodeJS.ProcessEnv): string | undefined {
  const base = env.XDG_CONFIG_HOME || (env.HOME ? join(env.HOME, '.config') : undefined);
  return base ? join(base, 'frugal', 'config.yaml') : undefined;
}

const isKey = (k: string): k is ConfigKey => Object.hasOwn(CONFIG_KEYS, k);

/** Read the config file; a missing one is empty. Mistakes are UserErrors with file:line. */
export async function readConfig(env: NodeJS.ProcessEnv): Promise<ConfigFile | undefined> {
  const path = configPath(env);
  if (!path) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { path, exists: false, values: new Map() };
    throw new UserError(`${path}: cannot read config (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  // YAML loads only when there is a config file: a one-shot run without one pays nothing.
  const { isMap, LineCounter, parseDocument } = await import('yaml');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, schema: 'core', uniqueKeys: true, prettyErrors: false });
  const lineOf = (node: Node | null | undefined) => (node?.range ? lines.linePos(node.range[0]).line : 1);
  if (doc.errors.length > 0) throw new UserError(`${path}:${lines.linePos(doc.errors[0]!.pos[0]).line}: ${doc.errors[0]!.message.split('\n')[0]}`, 'check the indentation and quoting on this line');
  const values = new Map<ConfigKey, ConfigValue>();
  if (doc.contents === null) return { path, exists: true, values };
  if (!isMap(doc.contents)) throw new UserError(`${path}: expected a mapping of settings`, `for example \`${CONFIG_KEYS.concurrency.example}\``);
  for (const pair of doc.contents.items) {
    const keyNode = pair.key as Node & { value?: unknown };
    const key = String(keyNode.value);
    const line = lineOf(keyNode);
    if (!isKey(key)) throw new UserError(`${path}:${line} ${key}: unknown setting${didYouMean(key, Object.keys(CONFIG_KEYS))}`, `settings: ${Object.keys(CONFIG_KEYS).join(', ')}`);
    const value = (pair.value as { value?: unknown } | null)?.value;
    if (typeof value !== 'string' && typeof value !== 'number') throw new UserError(`${path}:${line} ${key}: expected a value`, `for example \`${CONFIG_KEYS[key].example}\``);
    let text = String(value);
    if (CONFIG_KEYS[key].path) text = text.startsWith('~/') && env.HOME ? join(env.HOME, text.slice(2)) : resolve(dirname(path), text);
    values.set(key, { text, line });
  }
  return { path, exists: true, values };
}
