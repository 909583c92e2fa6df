import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicBaseUrl, openaiBaseUrl, startFakeServer, type FakeServer } from '../fake/server.js';
import { baseEnv, BIN, jsonLines, runCli } from '../helpers/cli.js';

const POLICY = `
baseline: balanced
default: balanced
models:
  balanced: { provider: openai, model: gpt-5.4-mini }
`;

let server: FakeServer;
let dir: string;
let routes: string;
let input: string;

beforeAll(async () => {
  server = await startFakeServer();
  dir = mkdtempSync(join(tmpdir(), 'frugal-late-'));
  routes = join(dir, 'routes.yaml');
  writeFileSync(routes, POLICY);
  input = join(dir, 'in.jsonl');
  writeFileSync(input, '{"id":"a","prompt":"Summarize the first document"}\n{"id":"b","prompt":"Summarize the second document"}\n');
});
afterAll(async () => server.close());

const env = () => ({ OPENAI_API_KEY: 'k1', OPENAI_BASE_URL: openaiBaseUrl(server), ANTHROPIC_BASE_URL: anthropicBaseUrl(server), FRUGAL_HOME: join(dir, 'home') });

/** A folder that exists when the outputs are checked and is gone by the time the run ends. */
function vanishing(): string {
  const sub = join(dir, `gone-${Math.random().toString(36).slice(2)}`);
  mkdirSync(sub);
  server.setModel('gpt-5.4-mini', {
    text: () => {
      rmSync(sub, { recursive: true, force: true });
      return 'A summary.';
    },
  });
  return sub;
}

describe('an output that cannot be written once the prompts were sent', () => {
  it('--summary-json: exit 1, not 2 (which says nothing was sent); the records are kept', async () => {
    const sub = vanishing();
    const out = join(dir, 'o1.jsonl');
    const res = await runCli(['run', '--routes', routes, input, '-o', out, '--summary-json', join(sub, 's.json')], { env: env() });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/s\.json: cannot write \(ENOENT\)/);
    expect(res.stderr).toContain('the prompts were sent');
    expect(jsonLines(readFileSync(out, 'utf8'))).toHaveLength(2);
  });

  it('compare --html: exit 1, the comparison still printed', async () => {
    const sub = vanishing();
    const res = await runCli(['compare', routes, '--input', input, '--html', join(sub, 'r.html')], { env: env() });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/r\.html: cannot write \(ENOENT\)/);
    expect(res.stderr).toContain('quality unknown: no prompt carries an expected answer');
  });
});

describe('a full disk', () => {
  it('-o on a full disk: exit 1 with the file and the reason, never a success', async () => {
    const res = await runCli(['run', '--dry-run', '--routes', routes, input, '-o', '/dev/full', '-q'], { env: env() });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('/dev/full: cannot write (ENOSPC)');
  });

  // The process's own standard output is under test: a real process, its stdout on /dev/full.
  it('standard output on a full disk: one line and a hint, exit 1, no stack', async () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const child = spawn(process.execPath, [BIN, 'run', '--dry-run', '--routes', routes, input, '-q'], { stdio: ['ignore', fd, 'pipe'], env: baseEnv(env()) });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(1);
      expect(stderr).toBe('frugal: cannot write to standard output (ENOSPC: no space left on device)\n  hint: free some space, or send the records to a file on another disk with -o FILE\n');
    } finally {
      closeSync(fd);
    }
  });
});
