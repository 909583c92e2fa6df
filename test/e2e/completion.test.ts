import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frugalIn } from '../helpers/in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'frugal-completion-'));
writeFileSync(
  join(dir, 'routes.yaml'),
  'default: cheap-one\nmodels:\n  cheap-one: { provider: openai, model: gpt-5.4-mini }\n  big.model: { provider: anthropic, model: claude-opus-5-5 }\n',
);

const script = async (shell: string) => {
  const r = await frugalIn(['completion', shell], { cwd: dir });
  expect(r.code).toBe(0);
  return r.stdout;
};

/** What bash completes for the words typed so far (the last one being completed). */
function complete(bashScript: string, typed: string[]): string[] {
  const file = join(dir, 'frugal.bash');
  writeFileSync(file, bashScript);
  const words = typed.map((w) => `'${w}'`).join(' ');
  const out = execFileSync('bash', ['-c', `source ${file}; COMP_WORDS=(frugal ${words}); COMP_CWORD=${typed.length}; _frugal; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8', cwd: dir });
  return out.split('\n').filter(Boolean);
}

describe('frugal completion', () => {
  it('bash: loads (bash -n) and completes commands, flags and the policy aliases', async () => {
    const bash = await script('bash');
    execFileSync('bash', ['-n'], { input: bash });
    expect(complete(bash, ['lo'])).toEqual(['logs']);
    expect(complete(bash, ['run', '--sys'])).toEqual(['--system', '--system-file']);
    expect(complete(bash, ['run', '-m', ''])).toEqual(['cheap-one', 'big.model']);
    expect(complete(bash, ['run', '--model', 'bi'])).toEqual(['big.model']);
    expect(complete(bash, ['completion', 'z'])).toEqual(['zsh']);
  });

  it('zsh and fish name every command and the aliases', async () => {
    const zsh = await script('zsh');
    expect(zsh).toMatch(/^#compdef frugal/);
    expect(zsh).toContain("'logs:recent calls from the ledger'");
    expect(zsh).toContain('(cheap-one big.model)');
    const fish = await script('fish');
    expect(fish).toContain("complete -c frugal -n '__fish_seen_subcommand_from run' -s m -l model -x -a 'cheap-one big.model'");
    expect(fish).toContain("-a completion -d 'print a completion script for bash, zsh or fish'");
  });

  it('refuses an unknown shell', async () => {
    expect(await frugalIn(['completion', 'tcsh'], { cwd: dir })).toMatchObject({ code: 2, stderr: 'frugal: completion tcsh: unknown shell\n  hint: choose from bash, zsh, fish\n' });
  });
});
