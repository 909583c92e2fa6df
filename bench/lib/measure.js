// Run a process and measure it: wall time here, peak RSS and CPU time from /usr/bin/time -v
// when the system has it, else from process.resourceUsage() inside the child (max-rss.js).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TIME = '/usr/bin/time';
const hasTime = existsSync(TIME) && spawnSync(TIME, ['-v', 'true']).status === 0;
const rssWrapper = fileURLToPath(new URL('./max-rss.js', import.meta.url));
export const rssMethod = hasTime ? '/usr/bin/time -v' : 'process.resourceUsage().maxRSS in the child';

function timeField(stderr, label) {
  const m = new RegExp(`^\\s*${label}: (.*)$`, 'm').exec(stderr);
  return m ? m[1] : undefined;
}

/**
 * Runs `command args` (a Node script when command is process.execPath) and resolves with
 * { code, wallMs, maxRssKb, userS, sysS, stdoutLines, stdoutBytes, stderr }. stdout is counted,
 * not kept, unless options.stdout is 'ignore'; options.input is written to stdin.
 */
export function measure(command, args, options = {}) {
  let cmd = command;
  let argv = args;
  let rssFile;
  if (hasTime) {
    argv = ['-v', command, ...args];
    cmd = TIME;
  } else if (command === process.execPath) {
    rssFile = join(tmpdir(), `frugal-bench-rss-${process.pid}-${Date.now()}`);
    argv = [rssWrapper, rssFile, ...args];
  }
  const started = performance.now();
  const child = spawn(cmd, argv, {
    stdio: [options.input === undefined ? 'ignore' : 'pipe', options.stdout === 'ignore' ? 'ignore' : 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let stdoutLines = 0;
  let stdoutBytes = 0;
  child.stdout?.on('data', (chunk) => {
    stdoutBytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) stdoutLines++;
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s) => (stderr += s));
  if (options.input !== undefined) child.stdin.end(options.input);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      let maxRssKb;
      let userS;
      let sysS;
      if (hasTime) {
        maxRssKb = Number(timeField(stderr, 'Maximum resident set size \\(kbytes\\)'));
        userS = Number(timeField(stderr, 'User time \\(seconds\\)'));
        sysS = Number(timeField(stderr, 'System time \\(seconds\\)'));
        stderr = stderr.replace(/\n?\s*Command being timed:[\s\S]*$/, '\n');
      } else if (rssFile) {
        try {
          ({ maxRssKb, userS, sysS } = JSON.parse(readFileSync(rssFile, 'utf8')));
        } catch {
          // the child died before it could write it
        }
        rmSync(rssFile, { force: true });
      }
      resolve({ code, wallMs, maxRssKb, userS, sysS, stdoutLines, stdoutBytes, stderr });
    });
  });
}

/** Wall time of one synchronous run, in milliseconds (for many short runs). `input`: text for stdin, or a descriptor to give as stdin. */
export function wallOf(command, args, input, env) {
  const stdin = typeof input === 'number' ? input : input === undefined ? 'ignore' : 'pipe';
  const started = process.hrtime.bigint();
  const r = spawnSync(command, args, { input: typeof input === 'number' ? undefined : input, env, stdio: [stdin, 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
