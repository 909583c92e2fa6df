import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ModelPricing } from '../core/money/pricing.js';
import type { CatalogueLookup } from '../core/policy/validate.js';

/** The cache-only lookup met a model it has not priced before: load the catalogue and validate again. */
export class CatalogueNeeded extends Error {}

interface Stored {
  version: string;
  /** provider NUL model: the catalogue's prices, or null when it has none. */
  prices: Record<string, ModelPricing | null>;
}

/**
 * The price catalogue's answers, kept per catalogue version in the user's cache folder. A policy
 * whose cache missed (routes.yaml just edited) validates without loading the catalogue, a module
 * of some 480 KB, when its models were priced before. Answers that depend on the date (prices
 * with start dates or time-of-day windows) are never kept.
 */
export class PriceCache {
  private readonly stored: Stored;
  private changed = false;

  constructor(
    private readonly path: string | undefined,
    version: string,
    /** The catalogue's prices worked out when frugal was built (dist/catalogue-index.json), for the same catalogue version. */
    private readonly seed: Record<string, ModelPricing> = {},
  ) {
    this.stored = { version, prices: {} };
    if (!path) return;
    try {
      const read = JSON.parse(readFileSync(path, 'utf8')) as Stored;
      if (read.version === version && read.prices && typeof read.prices === 'object') this.stored.prices = read.prices;
    } catch {
      // None yet, or unreadable: priced afresh.
    }
  }

  /** Nothing kept yet (a first run): no use trying without the catalogue. */
  get empty(): boolean {
    return Object.keys(this.stored.prices).length === 0 && Object.keys(this.seed).length === 0;
  }

  private known(k: string): ModelPricing | null | undefined {
    return this.stored.prices[k] !== undefined ? this.stored.prices[k] : Object.hasOwn(this.seed, k) ? this.seed[k] : undefined;
  }

  /** Answers what it knows; throws CatalogueNeeded for a model it does not. */
  readonly cachedOnly: CatalogueLookup = (provider, model) => {
    const known = this.known(key(provider, model));
    if (known === undefined) throw new CatalogueNeeded(`${provider}/${model}`);
    return known ?? undefined;
  };

  /** The catalogue itself, its timeless answers kept. */
  through(lookup: CatalogueLookup): CatalogueLookup {
    return (provider, model, at) => {
      const k = key(provider, model);
      const known = this.known(k);
      if (known !== undefined) return known ?? undefined;
      const found = lookup(provider, model, at);
      const timeless = !found || found.source.kind !== 'catalogue' || found.source.timeDependent !== true;
      if (timeless) {
        this.stored.prices[k] = found ?? null;
        this.changed = true;
      }
      return found;
    };
  }

  /** Writes what was added (atomically); a cache that cannot be written only costs time. */
  save(): void {
    if (!this.path || !this.changed) return;
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      const tmp = `${this.path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(this.stored), { mode: 0o600 });
      renameSync(tmp, this.path);
      this.changed = false;
    } catch {
      // not kept
    }
  }
}

const key = (provider: string, model: string) => `${provider}\0${model}`;

/** dist/catalogue-index.json's prices when it was built with this catalogue version, else none. */
export function catalogueSeed(text: string | undefined, version: string): Record<string, ModelPricing> {
  if (text === undefined) return {};
  try {
    const index = JSON.parse(text) as Stored;
    return index.version === version && index.prices && typeof index.prices === 'object' ? (index.prices as Record<string, ModelPricing>) : {};
  } catch {
    return {};
  }
}

/** Where the price cache lives: beside the policy cache. */
export function priceCachePath(env: NodeJS.ProcessEnv): string | undefined {
  const base = env.XDG_CACHE_HOME || (env.HOME ? join(env.HOME, '.cache') : undefined);
  return base ? join(base, 'frugal', 'prices.json') : undefined;
}
