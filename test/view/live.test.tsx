import { readdirSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ResultRecord, RunEvent } from '../../src/core/execution/events.js';
import type { Usage } from '../../src/core/money/pricing.js';
import { parsePolicy } from '../../src/core/policy/parse.js';
import { LiveView } from '../../src/view/live/view.js';
import { finishedLayout, finishedText, linesForFrame, MAX_LINES_PER_FRAME, type FinishedItem } from '../../src/view/live/finished.js';
import { startLiveView } from '../../src/view/live/start.js';
import { formatDuration } from '../../src/view/live/text.js';
import { RunStore } from '../../src/view/run-store.js';

const policy = parsePolicy(readFileSync(new URL('../fixtures/policies/with-local.yaml', import.meta.url), 'utf8'), 'routes.yaml', {
  now: new Date('2026-11-01'),
});

const LONG_ID = 'support-ticket-2026-11-01-customer-escalation-very-long-identifier-0004';

function usage(input: number, output: number): Usage {
  return { input, output, cacheRead: 0, cacheWrite: 0 };
}

function record(id: string, route: string, klass: string | null, fields: Partial<ResultRecord>): ResultRecord {
  const m = policy.models.get(route)!;
  return {
    id,
    source: { file: 'prompts.jsonl' },
    class: klass,
    route,
    provider: m.provider,
    model: m.model,
    reason: 'test',
    estimated: false,
    usage: usage(0, 0),
    cost: 0n,
    baselineCost: 0n,
    ...fields,
  };
}

/** A run of four prompts in two halves; `clock` is set to each half's end. */
const FIRST_HALF: RunEvent[] = [
  { type: 'run-start', at: 1000, dryRun: false, total: 4 },
  { type: 'prompt-start', at: 1000, id: 'p1', route: 'quick', class: 'lookup' },
  { type: 'call-start', at: 1000, id: 'p1', route: 'quick', kind: 'answer' },
  { type: 'prompt-start', at: 1000, id: 'p2', route: 'flagship', class: 'code' },
  { type: 'call-start', at: 1000, id: 'p2', route: 'flagship', kind: 'answer' },
  { type: 'retry', at: 1500, id: 'p2', route: 'flagship', attempt: 1, delayMs: 400, message: '429 rate limited' },
  // haiku at $1/$5 per Mtok; the baseline, opus, at $5/$25
  { type: 'call-end', at: 3000, id: 'p1', route: 'quick' },
  { type: 'prompt-end', at: 3000, record: record('p1', 'quick', 'lookup', { usage: usage(1000, 200), cost: 2_000_000_000n, baselineCost: 10_000_000_000n }) },
  { type: 'call-end', at: 6000, id: 'p2', route: 'flagship' },
  { type: 'prompt-end', at: 6000, record: record('p2', 'flagship', 'code', { usage: usage(3000, 1000), cost: 40_000_000_000n, baselineCost: 40_000_000_000n }) },
  { type: 'prompt-start', at: 6000, id: 'p3', route: 'balanced', class: null },
  { type: 'call-start', at: 6000, id: 'p3', route: 'balanced', kind: 'answer' },
];

const SECOND_HALF: RunEvent[] = [
  { type: 'input-error', at: 6500, file: 'prompts.jsonl', line: 7, message: 'not valid JSON' },
  { type: 'call-end', at: 7000, id: 'p3', route: 'balanced' },
  { type: 'prompt-end', at: 7000, record: record('p3', 'balanced', null, { error: { status: 500, message: 'upstream overloaded' } }) },
  { type: 'prompt-start', at: 7000, id: LONG_ID, route: 'local', class: 'tiny' },
  { type: 'call-start', at: 7000, id: LONG_ID, route: 'local', kind: 'answer' },
  { type: 'call-end', at: 9000, id: LONG_ID, route: 'local' },
  { type: 'prompt-end', at: 9000, record: record(LONG_ID, 'local', 'tiny', { usage: usage(20, 30), cost: 0n, baselineCost: 850_000_000n }) },
  { type: 'run-end', at: 11000, stop: 'done' },
];

const plain = (frame: string | undefined) => stripVTControlCharacters(frame ?? '');
const lines = (frame: string | undefined) => plain(frame).split('\n');
/** React commits state set outside it (a timer, a store listener) on a later turn of the event loop. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

describe('LiveView', () => {
  let now: number;
  let store: RunStore;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
    now = 1000;
    store = new RunStore(policy);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function start() {
    const app = render(<LiveView store={store} policy={policy} clock={() => now} />);
    const emit = (events: RunEvent[]) => events.forEach((e) => store.apply(e));
    const tick = async (ms = 100) => {
      vi.advanceTimersByTime(ms);
      await settle();
    };
    return { app, emit, tick };
  }

  it('shows progress, rate, ETA, one row per active model, money and problems while the run goes', async () => {
    const { app, emit, tick } = start();
    expect(plain(app.lastFrame())).toContain('starting…');

    emit(FIRST_HALF);
    now = 6000;
    await tick();
    const frame = lines(app.lastFrame());
    expect(frame).toContain('2/4 ███████████████░░░░░░░░░░░░░░░  50%  0.4/s  ETA 5.0s  elapsed 5.0s');
    expect(frame).toContain('route     model             in flight  done  failed       tokens in / out       spend');
    expect(frame).toContain('flagship  claude-opus-5-5           0     1       0         3,000 / 1,000     $0.0400');
    expect(frame).toContain('balanced  gpt-5.4-mini              1     0       0                 0 / 0       $0.00');
    expect(frame).toContain('quick     claude-haiku-4-5          0     1       0           1,000 / 200   $0.002000');
    expect(frame.some((l) => l.startsWith('local'))).toBe(false);
    expect(frame).toContain('spend $0.0420  baseline (flagship) $0.0500  saved $0.008000 (16.0%)');
    expect(frame).toContain('in flight 1  retries 1  failed 0');
    // finished prompts sit above the live area, in the order they finished
    expect(frame.indexOf('✓ p1                                lookup       claude-haiku-4-5   $0.002000')).toBe(0);
    expect(frame.indexOf('✓ p2                                code         claude-opus-5-5      $0.0400')).toBe(1);
  });

  it('shows the budget: what the job has spent, what prompts in flight reserve, and the cap', async () => {
    const figures = { cap: 1_000_000_000_000n, spent: 42_000_000_000n, reserved: 250_000_000_000n };
    const app = render(<LiveView store={store} policy={policy} clock={() => now} budget={() => figures} />);
    FIRST_HALF.forEach((e) => store.apply(e));
    now = 6000;
    vi.advanceTimersByTime(100);
    await settle();
    const frame = lines(app.lastFrame());
    expect(frame).toContain('budget $1.00: spent $0.0420 + reserved $0.2500 (29.2%)');
    expect(frame.indexOf('budget $1.00: spent $0.0420 + reserved $0.2500 (29.2%)')).toBe(frame.indexOf('spend $0.0420  baseline (flagship) $0.0500  saved $0.008000 (16.0%)') + 1);
  });

  it('draws at most once per interval however many events arrive', async () => {
    const { app, emit, tick } = start();
    await tick();
    const before = app.frames.length;
    emit([{ type: 'run-start', at: 1000, dryRun: false, total: 20_000 }]);
    for (let i = 0; i < 10_000; i++) {
      emit([
        { type: 'prompt-start', at: 1000, id: `q${i}`, route: 'quick', class: 'lookup' },
        { type: 'prompt-end', at: 1000, record: record(`q${i}`, 'quick', 'lookup', { cost: 1n, baselineCost: 2n }) },
      ]);
    }
    await settle();
    expect(app.frames.length).toBe(before);
    now = 2000;
    await tick(99);
    expect(app.frames.length).toBe(before);
    await tick(1);
    const drawn = app.frames.length - before;
    // one commit for the totals and the new <Static>, one as <Static> marks its items printed
    expect(drawn).toBeGreaterThan(0);
    expect(drawn).toBeLessThanOrEqual(2);
    const frame = plain(app.lastFrame());
    expect(frame).toContain('10,000/20,000');
    expect(frame).toContain('10,000/s  ETA 1.0s');
    // Ink lays printed lines out cell by cell: a frame lists a few and counts the rest
    expect(frame.match(/✓ q\d+ /g)).toHaveLength(MAX_LINES_PER_FRAME - 1);
    expect(frame).toContain('✓ q0 ');
    expect(frame).toContain(`… ${(10_000 - MAX_LINES_PER_FRAME + 1).toLocaleString('en-US')} more finished, not listed`);
  });

  it('ends with every prompt listed, errors in place of costs, and the totals as they ended', async () => {
    const { app, emit, tick } = start();
    emit(FIRST_HALF);
    now = 6000;
    await tick();
    emit(SECOND_HALF);
    now = 11_000;
    // run-end draws without waiting for the timer
    await settle();
    const frame = lines(app.lastFrame());
    expect(frame.slice(0, 5)).toEqual([
      '✓ p1                                lookup       claude-haiku-4-5   $0.002000',
      '✓ p2                                code         claude-opus-5-5      $0.0400',
      '✗ prompts.jsonl:7: not valid JSON',
      '✗ p3                                (default)    gpt-5.4-mini      500 upstream overloaded',
      '✓ support-ticket-2026-11-01-custo…  tiny         llama3.2:3b            $0.00',
    ]);
    expect(frame).toContain('4/4 ██████████████████████████████ 100%  0.4/s  done in 10s');
    expect(frame).toContain('balanced  gpt-5.4-mini              0     1       1                 0 / 0       $0.00');
    expect(frame).toContain('local     llama3.2:3b               0     1       0               20 / 30       $0.00');
    expect(frame).toContain('spend $0.0420  baseline (flagship) $0.0509  saved $0.008850 (17.4%)');
    expect(frame).toContain('in flight 0  retries 1  failed 2 (1 unreadable input)');
    // each finished prompt is printed once
    expect(plain(app.lastFrame()).match(/✓ p1 /g)).toHaveLength(1);
    expect(plain(app.lastFrame())).not.toContain('ETA');
  });

  it('keeps every line within the terminal width', async () => {
    const { app, emit, tick } = start();
    emit(FIRST_HALF);
    emit(SECOND_HALF);
    await tick();
    for (const frame of app.frames) for (const line of lines(frame)) expect([...line].length).toBeLessThanOrEqual(100);
  });

  it('shows done and rate without a bar or ETA when the input size is unknown', async () => {
    const { app, emit, tick } = start();
    emit([{ ...FIRST_HALF[0]!, total: undefined } as RunEvent, ...FIRST_HALF.slice(1)]);
    now = 6000;
    await tick();
    const frame = plain(app.lastFrame());
    expect(frame).toContain('2 done  0.4/s  elapsed 5.0s');
    expect(frame).not.toContain('ETA');
    expect(frame).not.toContain('█');
  });
});

describe('linesForFrame', () => {
  const ok = (id: string): FinishedItem => ({ kind: 'prompt', line: { id, class: null, route: 'quick', model: 'm', cost: 1n } });
  const bad = (id: string): FinishedItem => ({ kind: 'prompt', line: { id, class: null, route: 'quick', model: 'm', cost: 0n, error: 'boom' } });
  const ids = (items: FinishedItem[]) => items.map((i) => (i.kind === 'prompt' ? i.line.id : i.kind === 'elided' ? `+${i.count}/${i.failed}` : 'input'));

  it('keeps every item when they fit', () => {
    expect(ids(linesForFrame([ok('a'), bad('b')], 2))).toEqual(['a', 'b']);
  });

  it('lists failures before successes when not all fit, in their order, and counts the rest', () => {
    const items = [ok('a'), ok('b'), bad('c'), ok('d'), bad('e'), bad('f')];
    expect(ids(linesForFrame(items, 5))).toEqual(['a', 'c', 'e', 'f', '+2/0']);
    expect(ids(linesForFrame(items, 4))).toEqual(['c', 'e', 'f', '+3/0']);
    expect(ids(linesForFrame(items, 3))).toEqual(['c', 'e', '+4/1']);
  });
});

class FakeTerminal extends Writable {
  isTTY = true;
  text = '';
  constructor(
    readonly columns = 100,
    readonly rows = 40,
  ) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

describe('startLiveView', () => {
  it('renders on the stream it is given and stop() draws the final frame and unmounts', async () => {
    const stderr = new FakeTerminal();
    const store = new RunStore(policy);
    let now = 1000;
    const view = await startLiveView({ stderr: stderr as unknown as NodeJS.WriteStream, store, policy, clock: () => now });
    for (const e of [...FIRST_HALF, ...SECOND_HALF.slice(0, -1)]) store.apply(e);
    now = 11_000;
    // stopped before run-end and before any timer fired: everything still reaches the terminal
    await view.stop();
    const out = stripVTControlCharacters(stderr.text);
    expect(out).toContain('✓ p1 ');
    expect(out).toContain('✗ p3                                (default)    gpt-5.4-mini      500 upstream overloaded');
    expect(out).toContain('4/4 ');
    expect(out).toContain('spend $0.0420  baseline (flagship) $0.0509  saved $0.008850 (17.4%)');
    expect(out.match(/✓ p1 /g)).toHaveLength(1);
    const length = stderr.text.length;
    store.apply(SECOND_HALF.at(-1)!);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(stderr.text.length).toBe(length);
    await view.stop();
  });
});

describe('startLiveView on a small terminal', () => {
  it('fits the width and drops the model table when the terminal is too short for it', async () => {
    const stderr = new FakeTerminal(60, 6);
    const store = new RunStore(policy);
    const view = await startLiveView({ stderr: stderr as unknown as NodeJS.WriteStream, store, policy, clock: () => 11_000 });
    for (const e of [...FIRST_HALF, ...SECOND_HALF]) store.apply(e);
    await view.stop();
    const out = stripVTControlCharacters(stderr.text);
    for (const line of out.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(60);
    expect(out).toContain('✓ support-ticket…  tiny         llama3.2:3b            $0.00');
    expect(out).toContain('spend $0.0420  baseline $0.0509  saved $0.008850 (17.4%)');
    expect(out).toContain('4/4 ');
    expect(out).toContain('in flight 0  retries 1  failed 2 (1 unreadable input)');
    expect(out).not.toContain('tokens in / out');
  });
});

describe('finishedText', () => {
  it('keeps ids and errors from the input and the servers on one line, without escape sequences', () => {
    const layout = finishedLayout(policy, 100);
    const line = { id: 'a\nb\u001b[2J', class: null, route: 'quick', model: 'claude-haiku-4-5', cost: 0n, error: '503\r\nService Unavailable' };
    expect(finishedText({ kind: 'prompt', line }, layout)).toBe(
      '✗ a b                               (default)    claude-haiku-4-5  503 Service Unavailable',
    );
    expect(finishedText({ kind: 'prompt', line: { ...line, error: undefined, cost: undefined, cached: true } }, layout)).toMatch(/claude-haiku-4-5 {11}— cached$/);
  });
});

describe('formatDuration', () => {
  it('gives tenths below ten seconds, then seconds, minutes and hours', () => {
    expect([400, 9_940, 12_400, 65_000, 7_380_000].map(formatDuration)).toEqual(['0.4s', '9.9s', '12s', '1m05s', '2h03m']);
  });
});

describe('loading', () => {
  it('keeps Ink and React out of everything but the live view, which is only imported dynamically', () => {
    const src = new URL('../../src/', import.meta.url);
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => /\.tsx?$/.test(f));
    const live = (f: string) => /^view[\\/](live\.tsx|live-start\.tsx|live[\\/])/.test(f);
    expect(files.filter(live).length).toBeGreaterThan(0);
    for (const file of files.filter((f) => !live(f))) {
      const text = readFileSync(new URL(file, src), 'utf8');
      expect(text, file).not.toMatch(/^\s*import\s[^;]*from\s+'(ink|react)(\/[^']*)?'/m);
      expect(text, file).not.toMatch(/^\s*import\s[^;]*from\s+'[^']*\/live(-start)?\.js'/m);
    }
  });
});

