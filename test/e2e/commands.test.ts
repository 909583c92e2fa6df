import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ROUTES, SHIPPED_ROUTES } from '../support.js';
import { frugal, tempDir } from './cli.js';

let tmp: ReturnType<typeof tempDir>;
const routes = ['--routes', LOCAL_ROUTES];

beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.remove());

describe.concurrent('frugal explain', () => {
  it('shows the class, the rule that matched, every class in order, and the costs', async () => {
    const r = await frugal(['explain', ...routes, '--output-tokens', '100', 'Please refactor this function'], { cwd: tmp.path });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(
      [
        'prompt:   4 tokens (estimated)',
        'class:    code',
        'route:    flagship -> anthropic/claude-opus-5-5',
        'why:      code: regex ```|\\bdef |\\bfunction\\b|stack ?trace matched "function"',
        '',
        'classes, in order:',
        '  ✓ code           -> flagship   regex ```|\\bdef |\\bfunction\\b|stack ?trace matched "function"',
        '  ✗ tagged-hard    -> flagship   field difficulty is absent, not "hard"',
        '  ~ tiny           -> local      4 prompt tokens <= 40 (an earlier class won)',
        '  ✗ lookup         -> quick      none of the keywords [what, who, when, define]',
        '  default          -> balanced',
        '',
        // 4 * $4/M + 100 * $20/M
        'estimate: $0.002016 on flagship (4 input + 100 output tokens)',
        'baseline: $0.002016 on flagship (anthropic/claude-opus-5-5)',
        'saves:    $0.00 (0.0%)',
        '',
      ].join('\n'),
    );
  });

  it('the default route, with the assumed output length called out', async () => {
    const r = await frugal(['explain', ...routes, 'Summarize', 'the', 'following', 'meeting', 'notes', 'for', 'the', 'team', 'please.', ...Array(40).fill('More notes here.')], { cwd: tmp.path });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('class:    (none: default route)\nroute:    balanced -> openai/gpt-5.4-mini\nwhy:      no class matched: default route\n');
    expect(r.stdout).toMatch(/\nestimate: \$0\.\d+ on balanced \(\d+ input \+ 256 output tokens, output assumed; set --output-tokens\)\n/);
  });

  it('reads the prompt from stdin and takes record fields from --field', async () => {
    const r = await frugal(['explain', ...routes, '--field', 'difficulty=hard'], { cwd: tmp.path, stdin: 'Who wrote Dune?\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('class:    tagged-hard\n');
    expect(r.stdout).toContain('  ✓ tagged-hard    -> flagship   field difficulty is "hard"\n');
    expect(r.stdout).toContain('  ~ lookup         -> quick      keyword "who" and 4 prompt tokens <= 200 and not (none of the keywords [why, explain, compare]) (an earlier class won)\n');
  });

  it('--json', async () => {
    const r = await frugal(['explain', '--json', ...routes, 'What is the capital of Australia?'], { cwd: tmp.path });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      class: 'tiny',
      route: 'local',
      provider: 'openai-compatible',
      model: 'llama3.2:3b',
      reason: 'tiny: 7 prompt tokens <= 40',
      prompt_tokens: 7,
      tokenizer: 'estimate',
      output_tokens: 256,
      cost_usd: 0,
      baseline_cost_usd: 0.005148,
      savings_usd: 0.005148,
      classes: [
        { name: 'code', route: 'flagship', matched: false, shadowed: false, why: 'regex ```|\\bdef |\\bfunction\\b|stack ?trace did not match and none of the keywords [refactor, compile, segfault, typescript]' },
        { name: 'tagged-hard', route: 'flagship', matched: false, shadowed: false, why: 'field difficulty is absent, not "hard"' },
        { name: 'tiny', route: 'local', matched: true, shadowed: false, why: '7 prompt tokens <= 40' },
        { name: 'lookup', route: 'quick', matched: true, shadowed: true, why: 'keyword "what" and 7 prompt tokens <= 200 and not (none of the keywords [why, explain, compare])' },
      ],
    });
  });

  it.each([
    { name: 'no prompt at all', args: [], stdin: '', err: 'frugal: <stdin>: no prompt: standard input is empty\n  hint: give the prompt as an argument, with -p, or on stdin\n' },
    { name: 'a malformed --field', args: ['--field', 'hard', 'x'], stdin: '', err: 'frugal: --field hard: expected KEY=VALUE\n  hint: for example --field difficulty=hard\n' },
  ])('usage error: $name', async ({ args, stdin, err }) => {
    const r = await frugal(['explain', ...routes, ...args], { cwd: tmp.path, stdin });
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', err]);
  });
});

describe.concurrent('frugal validate', () => {
  it('prints what it resolved: baseline, default, models with prices and sources, classes in order', async () => {
    const r = await frugal(['validate', LOCAL_ROUTES], { cwd: tmp.path });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const out = r.stdout;
    expect(out.startsWith(`${LOCAL_ROUTES}: ok (given file)\n\nbaseline:  flagship\ndefault:   balanced\n`)).toBe(true);
    expect(out).toMatch(/│ flagship \(baseline\) +│ anthropic +│ claude-opus-5-5 +│ \$4 +│ \$20 +│ \$0\.2 +│ \$5 +│ catalogue anthropic\/claude-opus-5-5 +│/);
    expect(out).toMatch(/│ balanced \(default\) +│ openai +│ gpt-5\.4-mini +│ \$0\.75 +│ \$4\.5 +│ \$0\.075 +│ — +│ catalogue openai\/gpt-5\.4-mini +│/);
    expect(out).toMatch(/│ local +│ openai-compatible +│ llama3\.2:3b +│ \$0 +│ \$0 +│ — +│ — +│ routes\.yaml price +│/);
    expect(out.endsWith(
      [
        'classes, in order (the first match wins):',
        '  1. code -> flagship: any(regex ```|\\bdef |\\bfunction\\b|stack ?trace; keywords [refactor, compile, segfault, typescript])',
        '  2. tagged-hard -> flagship: field difficulty = "hard"',
        '  3. tiny -> local: <= 40 tokens',
        '  4. lookup -> quick: all(keywords [what, who, when, define]; <= 200 tokens; not(keywords [why, explain, compare]))',
        '  otherwise -> balanced',
        '',
      ].join('\n'),
    )).toBe(true);
  });

  it('names a fuzzy catalogue match and an implied baseline', async () => {
    const dir = tempDir();
    try {
      writeFileSync(
        join(dir.path, 'routes.yaml'),
        'default: cheap\nmodels:\n  cheap:\n    provider: openai\n    model: gpt-5.4-mini\n  big:\n    provider: anthropic\n    model: claude-opus-5-5-20260101\n',
      );
      const r = await frugal(['validate'], { cwd: dir.path });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('routes.yaml: ok (./routes.yaml)\n\nbaseline:  big (not set: the model with the highest output price)\n');
      expect(r.stdout).toContain('catalogue anthropic/claude-opus-5-5 (closest match for "claude-opus-5-5-20260101")');
    } finally {
      dir.remove();
    }
  });

  it('finds the user config, then the shipped example', async () => {
    const dir = tempDir();
    try {
      const shipped = await frugal(['validate'], { cwd: dir.path });
      expect(shipped.stdout.split('\n')[0]).toBe(`${SHIPPED_ROUTES}: ok (shipped example)`);
      mkdirSync(join(dir.path, '.config', 'frugal'), { recursive: true });
      writeFileSync(join(dir.path, '.config', 'frugal', 'routes.yaml'), 'default: a\nmodels:\n  a:\n    provider: openai\n    model: gpt-5.4-mini\n');
      const user = await frugal(['validate'], { cwd: dir.path });
      expect(user.stdout.split('\n')[0]).toBe('.config/frugal/routes.yaml: ok (user config)');
    } finally {
      dir.remove();
    }
  });

  it('fails with exit 2, every problem with file:line and a hint, nothing on stdout', async () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, 'team.yaml'), 'default: balanced\nclases: []\nmodels:\n  balanced:\n    provider: opnai\n    model: gpt-5.4-mini\n');
      const r = await frugal(['validate', 'team.yaml'], { cwd: dir.path });
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toBe(
        [
          'frugal: team.yaml:5 models.balanced.provider: "opnai" is not allowed (did you mean "openai"?)',
          '  hint: use one of: openai, anthropic, openai-compatible',
          'team.yaml:2 clases: unknown key (did you mean "classes"?)',
          '  hint: allowed here: baseline, default, tokenizer, models, classes, cascades, budget, embedder, tests, tests_file',
          '',
        ].join('\n'),
      );
      const missing = await frugal(['validate', 'nope.yaml'], { cwd: dir.path });
      expect([missing.code, missing.stdout, missing.stderr]).toEqual([
        2,
        '',
        'frugal: nope.yaml: no such policy file\n  hint: check the path, or run `frugal init FILE` to write a starter policy there\n',
      ]);
    } finally {
      dir.remove();
    }
  });
});

describe.concurrent('frugal models', () => {
  it('lists each model with its prices per million tokens and price source', async () => {
    const r = await frugal(['models', ...routes], { cwd: tmp.path });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/│ alias +│ provider +│ model +│ input │ output │ cache read │ cache write │ price source +│/);
    expect(r.stdout).toMatch(/│ quick +│ anthropic +│ claude-haiku-4-5 +│ \$1 +│ \$5 +│ \$0\.1 +│ \$1\.25 +│ catalogue anthropic\/claude-haiku-4-5 +│/);
    expect(r.stdout.match(/^│ (flagship|balanced|quick|local)\b/gm)).toEqual(['│ flagship', '│ balanced', '│ quick', '│ local']);
    expect(r.stdout).toContain('prices in USD per million tokens');
  });

  it('shows long-context tiers', async () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, 'routes.yaml'), 'default: s\nmodels:\n  s:\n    provider: anthropic\n    model: claude-sonnet-4-5\n');
      const r = await frugal(['models'], { cwd: dir.path });
      expect(r.stdout).toMatch(/│ s \(baseline, default\) │ anthropic │ claude-sonnet-4-5 │ \$3 \/ \$6 >200,000 │ \$15 \/ \$22\.5 >200,000 │/);
    } finally {
      dir.remove();
    }
  });
});

describe.concurrent('frugal init', () => {
  it('writes the starter routes.yaml, then refuses to overwrite it without --force', async () => {
    const dir = tempDir();
    try {
      const first = await frugal(['init'], { cwd: dir.path });
      expect([first.code, first.stdout, first.stderr]).toEqual([0, 'wrote routes.yaml for openai, anthropic: edit its models and classes, then check it with `frugal validate routes.yaml`\n', '']);
      expect(readFileSync(join(dir.path, 'routes.yaml'), 'utf8')).toBe(readFileSync(SHIPPED_ROUTES, 'utf8'));

      writeFileSync(join(dir.path, 'routes.yaml'), '# mine\n');
      const second = await frugal(['init'], { cwd: dir.path });
      expect([second.code, second.stdout, second.stderr]).toEqual([2, '', 'frugal: routes.yaml already exists\n  hint: pass --force to overwrite it\n']);
      expect(readFileSync(join(dir.path, 'routes.yaml'), 'utf8')).toBe('# mine\n');

      const forced = await frugal(['init', '--force'], { cwd: dir.path });
      expect(forced.code).toBe(0);
      expect(readFileSync(join(dir.path, 'routes.yaml'), 'utf8')).toBe(readFileSync(SHIPPED_ROUTES, 'utf8'));

      const checked = await frugal(['validate'], { cwd: dir.path });
      expect([checked.code, checked.stdout.split('\n')[0]]).toEqual([0, 'routes.yaml: ok (./routes.yaml)']);
    } finally {
      dir.remove();
    }
  });

  it('writes to a given path; a folder that does not exist is a user error', async () => {
    const dir = tempDir();
    try {
      const ok = await frugal(['init', 'team.yaml'], { cwd: dir.path });
      expect([ok.code, existsSync(join(dir.path, 'team.yaml'))]).toEqual([0, true]);
      const bad = await frugal(['init', 'no/such/dir/routes.yaml'], { cwd: dir.path });
      expect([bad.code, bad.stdout, bad.stderr]).toEqual([2, '', 'frugal: no/such/dir/routes.yaml: cannot write (ENOENT)\n']);
    } finally {
      dir.remove();
    }
  });
});

describe.concurrent('--help', () => {
  it.each([['run'], ['explain'], ['validate'], ['models'], ['init']])('frugal %s --help shows usage and examples', async (command) => {
    const r = await frugal([command, '--help'], { cwd: tmp.path });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.startsWith(`Usage: frugal ${command} `)).toBe(true);
    expect(r.stdout).toMatch(/\nExamples:\n {2}\$ frugal /);
  });

  it('frugal --help lists every command', async () => {
    const r = await frugal(['--help'], { cwd: tmp.path });
    expect(r.code).toBe(0);
    for (const command of ['run', 'explain', 'validate', 'models', 'init']) expect(r.stdout).toMatch(new RegExp(`\\n {2}${command}\\b`));
  });
});
