import { lookupCatalogue } from '../money/catalogue.js';
import { buildPolicy } from './build.js';
import type { Policy } from './types.js';
import { validatePolicy, type LoadOptions } from './validate.js';

/**
 * Parse, validate and build routes.yaml text in one step, with the bundled price catalogue unless
 * another is given. Throws PolicyError listing every problem with its line. (The CLI goes through
 * io/policy-file.ts, which caches policies and catalogue answers.)
 */
export function parsePolicy(text: string, file: string, options: Omit<LoadOptions, 'catalogue'> & Partial<Pick<LoadOptions, 'catalogue'>>): Policy {
  return buildPolicy(validatePolicy(text, file, { ...options, catalogue: options.catalogue ?? lookupCatalogue }), file, options.files);
}
