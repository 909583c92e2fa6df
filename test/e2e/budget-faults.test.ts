import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicBaseUrl, openaiBaseUrl, startFakeServer, type FakeServer, type Fault, type ModelBehaviour, type RecordedRequest } from '../fake/server.js';
import { jsonLines, runCli } from '../helpers/cli.js';

// One model, so that every request's bill is known: gpt-5.4-mini at $0.75 in / $4.5 out per million tokens.
const POLICY = `
baseline: balanced
default: balanced
models:
  balanced: { provider: openai, model: gpt-5.4-mini }
`;

const MAX_TOKENS = 200;
// Every answer fills its cap: the worst case a budget must hold against.
const INPUT_TOKENS = 50;
const BILL_MICRO = INPUT_TOKENS * 0.75 + MAX_TOKENS * 4.5;
const CAP_USD = 0.02;

let dir: string;
// Each trial has a server and a home of its own, so that the trials run at once.
const servers: FakeServer[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'frugal-budget-faults-'));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function trial(name: string, defaults: ModelBehaviour = { text: 'A whole answer.', usage: { input: INPUT_TOKENS, output: MAX_TOKENS } }) {
  const server = await startFakeServer({ defaults });
  servers.push(server);
  const home = join(dir, `home-${name}`);
  const env = { OPENAI_API_KEY: 'k1', ANTHROPIC_API_KEY: 'k2', OPENAI_BASE_URL: openaiBaseUrl(server), ANTHROPIC_BASE_URL: anthropicBaseUrl(server), FRUGAL_HOME: home };
  return { server, home, env };
}

/**
 * What a provider may bill: every request it began to work on, whether or not the client saw the
 * answer (a dropped connection, a stall the client gave up on, a client killed mid-call).
 */
const NOT_BILLED = new Set(['http-error', 'rate-limited']);
const billedUsd = (requests: RecordedRequest[]) => (requests.filter((r) => !NOT_BILLED.has(r.outcome)).length * BILL_MICRO) / 1e6;

/** Requests the ledger knows were sent: every attempt of every call. */
function ledgerAttempts(home: string): number {
  if (!existsSync(join(home, 'frugal.db'))) return 0;
  const db = new Database(join(home, 'frugal.db'), { readonly: true });
  try {
    return Number((db.prepare('SELECT COALESCE(SUM(attempts), 0) AS n FROM calls').get() as { n: number }).n);
  } finally {
    db.close();
  }
}

function ledgerBookedUsd(home: string): number {
  if (!existsSync(join(home, 'frugal.db'))) return 0;
  const db = new Database(join(home, 'frugal.db'), { readonly: true });
  try {
    const row = db.prepare('SELECT COALESCE(SUM(cost_pico), 0) AS booked FROM calls').safeIntegers(true).get() as { booked: bigint };
    return Number(row.booked) / 1e12;
  } finally {
    db.close();
  }
}

/** A seeded generator, so that a failing sequence can be run again. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('no sequence of timeouts, drops, kills and resumes takes billed spend past the cap', () => {
  // FRUGAL_FAULT_SEEDS=20 runs more trials; FRUGAL_FIGURES=1 prints each trial's figures.
  const seeds = Array.from({ length: Number(process.env.FRUGAL_FAULT_SEEDS ?? 3) }, (_, i) => i + 1);
  // At once: each trial mostly waits on its processes and the server's latency.
  it.concurrent.for(seeds)('seed %i', { timeout: 120_000 }, async (seed, { expect }) => {
    const signals = { SIGKILL: 0, SIGTERM: 0 };
    const rand = random(seed);
    const { server, home, env } = await trial(`seed-${seed}`);
    const routes = join(dir, `routes-${seed}.yaml`);
    writeFileSync(routes, POLICY);
    const input = join(dir, `in-${seed}.jsonl`);
    writeFileSync(input, Array.from({ length: 60 }, (_, i) => JSON.stringify({ id: `q${i}`, prompt: `Summarize document number ${i} for me` })).join('\n') + '\n');
    const out = join(dir, `out-${seed}.jsonl`);
    const faults: Fault[] = [];
    for (let i = 0; i < 200; i++) {
      const r = rand();
      faults.push(r < 0.2 ? { kind: 'reset-mid-stream', afterEvents: 1 } : r < 0.35 ? { kind: 'stall' } : r < 0.45 ? { kind: 'reset' } : { kind: 'ok', latencyMs: 20 + Math.floor(rand() * 60) });
    }
    server.enqueueFaults(faults);
    let done = false;
    for (let round = 0; round < 8 && !done; round++) {
      const kill = round < 5 ? (rand() < 0.5 ? 'SIGKILL' : 'SIGTERM') : undefined;
      if (kill) signals[kill]++;
      const res = await runCli(
        ['run', '--routes', routes, input, '-o', out, '--max-spend', String(CAP_USD), '--max-tokens', String(MAX_TOKENS), '-c', '4', '--timeout', '0.3', '--retries', '2', '-q', ...(round > 0 ? ['--resume'] : [])],
        {
          env,
          // A process to kill; the rounds after the kills run in process.
          onSpawn: kill
            ? (child) => {
                // Mid-run: once the server has seen a few more of this run's requests. A SIGTERM also
                // waits for one of them to be in flight: a run that has finished has let go of Ctrl-C,
                // and a check made late, on a loaded machine, could land it in the run's last moments.
                const at = server.requests.length + 1 + Math.floor(rand() * 8);
                const inFlight = () => kill === 'SIGKILL' || server.requests.some((q) => q.outcome === 'pending');
                const timer = setInterval(() => {
                  if (child.exitCode === null && (server.requests.length < at || !inFlight())) return;
                  clearInterval(timer);
                  child.kill(kill);
                }, 5);
                child.on('exit', () => clearInterval(timer));
              }
            : undefined,
        },
      );
      const billed = billedUsd(server.requests);
      // A SIGTERM is Ctrl-C: a summary and exit 130; a SIGKILL leaves no chance to say anything.
      if (kill === 'SIGTERM') expect([130, 3, 0]).toContain(res.code);
      // Never past the cap, and never less booked than the provider may bill.
      expect(billed).toBeLessThanOrEqual(CAP_USD + 1e-12);
      expect(ledgerBookedUsd(home)).toBeGreaterThanOrEqual(billed - 1e-12);
      expect(ledgerBookedUsd(home)).toBeLessThanOrEqual(CAP_USD + 1e-12);
      // Every request that reached the server is an attempt the ledger wrote down before it left.
      const reached = server.requests.filter((q) => q.outcome !== 'http-error' && q.outcome !== 'rate-limited').length;
      expect(ledgerAttempts(home)).toBeGreaterThanOrEqual(reached);
      if (res.code === 3) done = true;
      expect(res.stdout).toBe('');
    }
    if (process.env.FRUGAL_FIGURES) {
      const reached = server.requests.filter((q) => q.outcome !== 'http-error' && q.outcome !== 'rate-limited').length;
      console.log(`seed ${seed}: cap $${CAP_USD}, billed $${billedUsd(server.requests).toFixed(6)}, booked $${ledgerBookedUsd(home).toFixed(6)}, ${reached} requests reached the server, ${ledgerAttempts(home)} attempts in the ledger, ${signals.SIGKILL} SIGKILL, ${signals.SIGTERM} SIGTERM`);
    }
    // The job went far enough for the cap to matter: it ran into it.
    expect(billedUsd(server.requests)).toBeGreaterThan(CAP_USD / 3);
    expect(done).toBe(true);
    // Whatever finished is in the file as whole lines.
    expect(() => jsonLines(readFileSync(out, 'utf8'))).not.toThrow();
  });
});

// After the trials, not beside them: this run is in process, and would hold up the timers that
// decide when to kill theirs.
describe('without kills, what frugal books exactly is what the server billed', () => {
  it('timeouts and dropped streams are booked at their reservation; every answer that came back whole, to the picodollar', async () => {
    // Each answer unique, so that an answer in -o names the request that carried it.
    let n = 0;
    const { server, home, env } = await trial('exact', { text: (prompt) => `Answer ${++n} to ${prompt}.`, usage: { input: INPUT_TOKENS, output: MAX_TOKENS } });
    const routes = join(dir, 'routes-exact.yaml');
    writeFileSync(routes, POLICY);
    const input = join(dir, 'in-exact.jsonl');
    writeFileSync(input, Array.from({ length: 30 }, (_, i) => JSON.stringify({ id: `e${i}`, prompt: `Summarize document number ${i} for me` })).join('\n') + '\n');
    const rand = random(7);
    server.enqueueFaults(Array.from({ length: 60 }, () => {
      const r = rand();
      return r < 0.2 ? { kind: 'reset-mid-stream', afterEvents: 1 } : r < 0.35 ? { kind: 'stall' } : { kind: 'ok' };
    }) as Fault[]);
    const out = join(dir, 'out-exact.jsonl');
    // A deadline a loaded machine does not reach on an answer sent at once (the server and frugal
    // share this process), so that every prompt gets its answer within its retries.
    const res = await runCli(['run', '--routes', routes, input, '-o', out, '--max-tokens', String(MAX_TOKENS), '-c', '4', '--timeout', '1', '--retries', '5', '-q'], { env });
    expect(res.code).toBe(0);
    const db = new Database(join(home, 'frugal.db'), { readonly: true });
    const row = db.prepare('SELECT SUM(cost_pico - unsettled_pico) AS exact, SUM(unsettled_pico) AS unsettled FROM calls').safeIntegers(true).get() as { exact: bigint; unsettled: bigint };
    db.close();
    // The answers that came back whole: one per prompt, each carried by one whole answer of the server,
    // after which that prompt was not sent again. (Not "every answer the server sent whole": on a loaded
    // machine the timeout may still fire on an answer already on its way; frugal keeps its reservation.)
    const outputs = jsonLines(readFileSync(out, 'utf8')).map((r) => r.output);
    const carried = outputs.map((text) => server.requests.filter((q) => q.text === text));
    expect(carried.map((qs) => qs.map((q) => q.outcome))).toEqual(Array(30).fill(['ok']));
    for (const [q] of carried) expect(server.requests.filter((r) => r.prompt === q!.prompt && r.seq > q!.seq)).toEqual([]);
    const whole = new Set(carried.map(([q]) => q!.seq));
    const cut = server.requests.filter((q) => !whole.has(q.seq) && !NOT_BILLED.has(q.outcome)).length;
    expect(cut).toBeGreaterThan(0);
    // The answers that came back whole: exactly what the server billed for them.
    expect(row.exact).toBe(BigInt(Math.round(BILL_MICRO * 1e6)) * BigInt(whole.size));
    // The cut ones: each at its reservation, never less than the server may bill for it.
    expect(row.unsettled).toBeGreaterThanOrEqual(BigInt(Math.round(BILL_MICRO * 1e6)) * BigInt(cut));
    expect(Number(row.unsettled) / 1e12).toBeGreaterThan(0);
  }, 60_000);
});
