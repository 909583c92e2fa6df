import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../core/errors.js';
import { parsePolicy, type Policy } from '../core/policy.js';

export type PolicyOrigin = 'flag' | 'cwd' | 'config' | 'shipped';

export interface LocatedPolicy {
  path: string;
  origin: PolicyOrigin;
}

/** The example policy that ships with frugal, at the package root. */
export const SHIPPED_POLICY = fileURLToPath(new URL('../../routes.yaml', import.meta.url));

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

export function loadPolicyFile(located: LocatedPolicy, cwd: string, now: Date): Policy {
  let text: string;
  try {
    text = readFileSync(located.path, 'utf8');
  } catch (err) {
    throw new UserError(`${located.path}: cannot read policy (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parsePolicy(text, displayPath(located.path, cwd), { now });
}
