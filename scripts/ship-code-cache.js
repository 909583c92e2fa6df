// The end of `npm run build`: V8's code cache for the chunks that a first one-shot loads, shipped
// in dist/code/ (bin/code-cache.js reads it when the user's cache has none), so that the first run
// after `npm ci` starts from compiled code instead of compiling the warm chunk and the validation's
// chunks (YAML, zod, the schemas).
//
// The code is what V8 compiled while the built CLI ran, as in the user's cache: a one-shot
// `frugal run --dry-run` on the shipped routes.yaml runs in a child process with an empty home (no
// policy cache, so it validates too) and with FRUGAL_CODE_CACHE_OUT set, which makes
// bin/code-cache.js write the files it would have kept in the user's cache to dist/code/ instead.
// Other commands (validate, stats...) are left to the user's cache: each would add some 0.2 s to
// every build for chunks that a first one-shot does not load.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ARGS = ['run', '--dry-run', '--quiet'];

/** Writes dist/code/ and returns its files; a one-shot that fails leaves none (with a warning). */
export function shipCodeCache(root) {
  const target = join(root, 'dist', 'code');
  rmSync(target, { recursive: true, force: true });
  const home = mkdtempSync(join(tmpdir(), 'frugal-code-cache-'));
  try {
    // No flags (V8 rejects code made under other flags), keys or settings of the machine's.
    const env = {};
    for (const [k, v] of Object.entries(process.env)) if (!/_API_KEY$|_BASE_URL$|^XDG_|^FRUGAL_|^NODE_OPTIONS$/.test(k)) env[k] = v;
    Object.assign(env, { HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache'), FRUGAL_HOME: join(home, 'frugal'), FRUGAL_CODE_CACHE_OUT: target });
    const r = spawnSync(process.execPath, [join(root, 'bin', 'frugal.js'), ...ARGS], { cwd: home, env, input: 'What is the capital of Australia?\n', encoding: 'utf8' });
    if (r.status !== 0) {
      rmSync(target, { recursive: true, force: true });
      process.stderr.write(`build: no code cache shipped: frugal ${ARGS.join(' ')} exited ${r.status ?? r.signal ?? r.error}: ${r.stderr.trim()}\n`);
      return [];
    }
    return readdirSync(target).sort();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
