import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../core/errors.js';
import { PACKAGE_ROOT, packageFile } from '../package-root.js';
import { buildPolicy, regexPrefilters, type PolicySnapshot } from '../core/policy/build.js';
import type { Policy } from '../core/policy/types.js';
import { CheckCompileError, type PolicyFiles } from '../core/routing/checks/compile.js';
import { MatcherCompileError } from '../core/routing/matchers.js';
import type { LoadOptions } from '../core/policy/validate.js';

export type PolicyOrigin = 'flag' | 'cwd' | 'config' | 'shipped' | 'config-file';

export interface LocatedPolicy {
  path: string;
  origin: PolicyOrigin;
}

/** The example policy that ships with frugal, at the package root. */
export const SHIPPED_POLICY = fileURLToPath(packageFile('routes.yaml'));

const isFile = (p: string) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/** --routes FILE, else ./routes.yaml, else $XDG_CONFIG_HOME/frugal/routes.yaml, else the shipped example. */
export function locatePolicy(flag: string | undefined, cwd: string, env: NodeJS.ProcessEnv): LocatedPolicy {
  if (flag !== undefined) {
    const path = resolve(cwd, flag);
    if (!isFile(path)) throw new UserError(`${flag}: no such policy file`, 'check the path given to --routes, or run `frugal init` to write a starter routes.yaml');
    return { path, origin: 'flag' };
  }
  const local = join(cwd, 'routes.yaml');
  if (isFile(local)) return { path: local, origin: 'cwd' };
  const configHome = env.XDG_CONFIG_HOME || (env.HOME ? join(env.HOME, '.config') : undefined);
  if (configHome) {
    const user = join(configHome, 'frugal', 'routes.yaml');
    if (isFile(user)) return { path: user, origin: 'config' };
  }
  return { path: SHIPPED_POLICY, origin: 'shipped' };
}

export function displayPath(path: string, cwd: string): string {
  return path.startsWith(`${cwd}/`) ? path.slice(cwd.length + 1) : path;
}

const PACKAGE_JSON = packageFile('package.json');
/** The catalogue's prices worked out at build time (scripts/build.js). */
const CATALOGUE_INDEX = packageFile('dist/catalogue-index.json');

function readIfThere(file: URL): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * A package's version, from the package.json in the nearest node_modules above frugal that has it:
 * where Node finds it, installed beside frugal or hoisted above it (frugal as a dependency).
 */
function packageVersion(name: string): string {
  for (let dir = fileURLToPath(PACKAGE_ROOT); ; dir = dirname(dir)) {
    try {
      return String((JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version?: unknown }).version);
    } catch {
      // Not here: the folder above.
    }
    if (dirname(dir) === dir) return 'not installed';
  }
}

/**
 * What a cached policy depends on besides its own text: this frugal, the price catalogue, and RE2
 * (a cached policy's regexes compiled with it, and compile again only when they first run).
 */
function cacheSalt(): string {
  const own = statSync(PACKAGE_JSON);
  return `${own.size}:${own.mtimeMs}\0${packageVersion('@pydantic/genai-prices')}\0${packageVersion('re2js')}`;
}

/**
 * 64-bit FNV-1a of the text, in hex: it only names the cache file, whose own copy of the key is
 * compared in full on reading, so a collision costs a validation and never a wrong policy. (A
 * cryptographic hash would load node:crypto, a good part of a one-shot's start-up.)
 */
function fileName(key: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x050c5d1f;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h1 >>> 15);
  }
  return `${(h1 >>> 0).toString(16).padStart(8, '0')}${(h2 >>> 0).toString(16).padStart(8, '0')}`;
}

interface CacheEntry {
  path: string;
  key: string;
}

function cacheEntry(env: NodeJS.ProcessEnv, text: string): CacheEntry | undefined {
  const base = env.XDG_CACHE_HOME || (env.HOME ? join(env.HOME, '.cache') : undefined);
  if (!base) return undefined;
  const key = `${cacheSalt()}\0${text}`;
  return { path: join(base, 'frugal', 'policies', `${fileName(key)}.json`), key };
}

function readCached(entry: CacheEntry | undefined): PolicySnapshot | undefined {
  if (!entry) return undefined;
  try {
    const cached = JSON.parse(readFileSync(entry.path, 'utf8')) as { key: string; snapshot: PolicySnapshot };
    return cached.key === entry.key ? cached.snapshot : undefined;
  } catch {
    return undefined;
  }
}

function writeCached(entry: CacheEntry | undefined, snapshot: PolicySnapshot): void {
  if (!entry) return;
  try {
    mkdirSync(join(entry.path, '..'), { recursive: true, mode: 0o700 });
    const tmp = `${entry.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ key: entry.key, snapshot }), { mode: 0o600 });
    renameSync(tmp, entry.path);
  } catch {
    // A cache that cannot be written only costs time.
  }
}

/**
 * Validation with the price catalogue's answers kept (see io/price-cache.ts): the catalogue loads
 * only for a model not priced before. `frugal validate` (no caches) asks the catalogue itself.
 */
async function validateWithPrices(text: string, file: string, load: Omit<LoadOptions, 'catalogue'>, options: PolicyLoadOptions): Promise<PolicySnapshot> {
  const { validatePolicy } = await import('../core/policy/validate.js');
  const catalogue = async () => (await import('../core/money/catalogue.js')).lookupCatalogue;
  if (!options.useCache) return validatePolicy(text, file, { ...load, catalogue: await catalogue() });
  const { CatalogueNeeded, PriceCache, priceCachePath, catalogueSeed } = await import('./price-cache.js');
  const version = packageVersion('@pydantic/genai-prices');
  const prices = new PriceCache(priceCachePath(options.env), version, catalogueSeed(readIfThere(CATALOGUE_INDEX), version));
  let snapshot: PolicySnapshot | undefined;
  try {
    // A first run has nothing kept: straight to the catalogue, rather than validating twice.
    if (!prices.empty) snapshot = validatePolicy(text, file, { ...load, catalogue: prices.cachedOnly });
  } catch (err) {
    if (!(err instanceof CatalogueNeeded)) throw err;
  }
  snapshot ??= validatePolicy(text, file, { ...load, catalogue: prices.through(await catalogue()) });
  prices.save();
  return snapshot;
}

export interface PolicyLoadOptions {
  now: Date;
  env: NodeJS.ProcessEnv;
  /** Off for `frugal validate`, which always checks the file in full. */
  useCache: boolean;
}

/**
 * Read and validate a policy. A policy that validated before, unchanged, with the same frugal and
 * catalogue, comes from the cache without loading YAML, the schema validator or the catalogue.
 */
export async function loadPolicyFile(located: LocatedPolicy, cwd: string, options: PolicyLoadOptions): Promise<Policy> {
  let text: string;
  try {
    text = readFileSync(located.path, 'utf8');
  } catch (err) {
    throw new UserError(`${located.path}: cannot read policy (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const file = displayPath(located.path, cwd);
  const cache = options.useCache ? cacheEntry(options.env, text) : undefined;
  const cached = readCached(cache);
  const files = await policyFiles(dirname(located.path), text);
  if (cached) {
    try {
      return buildPolicy(cached, file, files);
    } catch (err) {
      // A schema or scorer file changed since: validate in full for the file:line message.
      if (!(err instanceof CheckCompileError) && !(err instanceof MatcherCompileError)) throw err;
    }
  }
  const readFile = (name: string) => readFileSync(resolve(dirname(located.path), name), 'utf8');
  const snapshot = await validateWithPrices(text, file, { now: options.now, files, readFile }, options);
  const policy = buildPolicy(snapshot, file, files);
  if (snapshotIsTimeless(snapshot) && !readsFiles(text)) writeCached(cache, { ...snapshot, prefilters: regexPrefilters(policy) });
  return policy;
}

/**
 * Files that checks name (json_schema, score): JSON, relative to the policy's directory. The JSON
 * Schema validator (Ajv) and the scorer reader (zod) load only for policies that mention them.
 */
export async function policyFiles(dir: string, policyText: string): Promise<PolicyFiles> {
  const compileSchema = policyText.includes('json_schema') ? (await import('../core/routing/checks/json-schema.js')).compileJsonSchema : undefined;
  const parseScorer = policyText.includes('score') ? (await import('../core/quality/scorer.js')).parseScorer : undefined;
  return { read: (name) => readJson(resolve(dir, name)), compileSchema, parseScorer };
}

function readJson(path: string): { ok: true; json: unknown } | { ok: false; message: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { ok: false, message: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : ((err as NodeJS.ErrnoException).code ?? (err as Error).message) };
  }
  try {
    return { ok: true, json: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, message: `not JSON (${(err as Error).message})` };
  }
}

/** A policy whose examples come from files is validated afresh: the files may have changed. */
const readsFiles = (text: string) => text.includes('examples_file');

/** Prices that depend on the time of day or a start date must be resolved afresh each run. */
function snapshotIsTimeless(snapshot: PolicySnapshot): boolean {
  return snapshot.pricing.every(([, p]) => p.source.kind !== 'catalogue' || p.source.timeDependent !== true);
}
