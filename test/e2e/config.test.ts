import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frugalIn } from '../helpers/in-process.js';
import { LOCAL_ROUTES } from '../support.js';

function setup(config: string | undefined) {
  const root = mkdtempSync(join(tmpdir(), 'frugal-config-'));
  const env = { XDG_CONFIG_HOME: join(root, 'cfg'), HOME: root };
  if (config !== undefined) {
    mkdirSync(join(root, 'cfg', 'frugal'), { recursive: true });
    writeFileSync(join(root, 'cfg', 'frugal', 'config.yaml'), config);
  }
  return { root, env, file: join(root, 'cfg', 'frugal', 'config.yaml') };
}

describe('config.yaml defaults', () => {
  it('frugal config shows each effective value and where it came from', async () => {
    const { root, env, file } = setup(`routes: ${LOCAL_ROUTES}\nconcurrency: 3\nhome: data\n`);
    const r = await frugalIn(['config', '--json'], { cwd: root, env });
    expect(JSON.parse(r.stdout)).toEqual({
      file,
      file_exists: true,
      settings: {
        routes: { value: LOCAL_ROUTES, from: `${file}:1` },
        concurrency: { value: '3', from: `${file}:2` },
        max_spend: { value: 'none', from: expect.stringMatching(/^default/) },
        home: { value: join(root, 'cfg', 'frugal', 'data'), from: `${file}:3` },
      },
    });
    const text = (await frugalIn(['config'], { cwd: root, env })).stdout;
    expect(text).toContain(`concurrency  3  (${file}:2)`);
  });

  it('fills flags the command line left out; flags win', async () => {
    const { root, env } = setup(`routes: ${LOCAL_ROUTES}\n`);
    // The local fixture has the `local` model; the shipped policy does not.
    expect((await frugalIn(['models', '--json'], { cwd: root, env })).stdout).toContain('"alias":"local"');
    const shipped = await frugalIn(['models', '--json', '--routes', join(LOCAL_ROUTES, '../issue-2.yaml')], { cwd: root, env });
    expect(shipped.code).toBe(0);
  });

  it('checks values with the flag parser, naming file and line, and unknown keys', async () => {
    const bad = setup('concurrency: 2\nmax_spend: lots\n');
    const r = await frugalIn(['run', '--dry-run', '-p', 'hi', '--routes', LOCAL_ROUTES], { cwd: bad.root, env: bad.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`frugal: ${bad.file}:2 max_spend: --max-spend must be an amount in USD`);
    const typo = setup('concurency: 2\n');
    expect((await frugalIn(['config'], { cwd: typo.root, env: typo.env })).code).toBe(2);
    expect((await frugalIn(['stats'], { cwd: typo.root, env: typo.env })).stderr).toContain(`frugal: ${typo.file}:1 concurency: unknown setting (did you mean "concurrency"?)`);
  });

  it('without a config file, config says where one would go and shows defaults', async () => {
    const { root, env, file } = setup(undefined);
    const r = await frugalIn(['config'], { cwd: root, env });
    expect(r.stdout).toContain(`config file: ${file} (none yet)`);
    expect(r.stdout).toContain('concurrency  8  (default)');
  });
});

describe('validate and config.yaml', () => {
  it('checks the routes: of config.yaml when no file is named', async () => {
    const { root, env } = setup(`routes: ${LOCAL_ROUTES}\n`);
    const r = await frugalIn(['validate'], { cwd: root, env });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`${LOCAL_ROUTES}: ok (routes: in config.yaml)`);
  });
});
