#!/usr/bin/env node
// npm runs `prepare` after `npm ci`/`npm install` in a clone, before `npm pack`/`npm publish`, and
// for a clone installed with `npm install -g .` or `npm link`. The last two only link the folder:
// npm installs none of its dependencies there, and the build needs the dev ones (the bundler). So
// when they are missing, install exactly what the lock file pins (its own `prepare` builds), else build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const NESTED = 'FRUGAL_PREPARE_NESTED';

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.error) throw r.error;
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!existsSync(`${root}node_modules/rolldown/package.json`) && !process.env[NESTED]) {
  console.error('frugal: installing dependencies in the clone before building (npm ci)');
  // The outer npm's settings describe the global install, not this folder's.
  const env = { ...process.env, [NESTED]: '1', npm_config_include: 'dev' };
  for (const key of ['npm_config_global', 'npm_config_location', 'npm_config_prefix', 'npm_config_omit', 'npm_config_production', 'NODE_ENV']) delete env[key];
  const npm = process.env.npm_execpath;
  if (npm && npm.endsWith('.js')) run(process.execPath, [npm, 'ci', '--no-audit', '--no-fund'], env);
  else run('npm', ['ci', '--no-audit', '--no-fund'], env);
} else {
  run(process.execPath, [`${root}scripts/build.js`]);
}
