import { Static, Text, useStdout } from 'ink';
import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Policy } from '../../core/policy/types.js';
import type { RunStore } from '../run-store.js';
import { finishedLayout, finishedText, linesForFrame, type FinishedItem } from './finished.js';
import { Panel } from './panel.js';
import { takeSnapshot, type BudgetFigures, type LiveSnapshot } from './snapshot.js';

export interface LiveViewProps {
  store: RunStore;
  policy: Policy;
  /** Milliseconds, on the same clock as the run events' `at`: rate, ETA and elapsed time come from it. */
  clock: () => number;
  /** Shortest time between two frames, in milliseconds. */
  intervalMs?: number | undefined;
  /** Draw everything now and stop refreshing: the run is over and the view is about to unmount. */
  final?: boolean | undefined;
  /** False under NO_COLOR. */
  color?: boolean | undefined;
  /** The --max-spend cap, read at each frame (undefined without one). */
  budget?: (() => BudgetFigures | undefined) | undefined;
}

/** The prompts finished since the previous frame; a new key mounts a new <Static> that prints them once. */
interface Batch {
  key: number;
  items: FinishedItem[];
}

interface Frame {
  snapshot: LiveSnapshot;
  batch: Batch;
}

/** Without events, redraw about once a second anyway so elapsed time, rate and ETA move. */
const IDLE_REDRAW_MS = 1000;

/**
 * The live view of a run, for stderr on a terminal. The store is folded on every event; this
 * view only marks itself dirty then and draws on a timer, so a run with tens of thousands of
 * events a second costs at most one frame per interval.
 */
export function LiveView({ store, policy, clock, intervalMs = 100, final = false, color = true, budget }: LiveViewProps) {
  const { columns, rows } = useTerminalSize();
  const [frame, setFrame] = useState<Frame>(() => ({ snapshot: takeSnapshot(store.totals, clock(), budget?.()), batch: { key: 0, items: [] } }));
  const inputErrorsShown = useRef(0);
  const batchKey = useRef(0);

  useLayoutEffect(() => {
    const draw = () => {
      const t = store.totals;
      const items: FinishedItem[] = t.inputErrors.slice(inputErrorsShown.current).map((problem) => ({ kind: 'input', problem }));
      inputErrorsShown.current = t.inputErrors.length;
      for (const line of store.takeFinished()) items.push({ kind: 'prompt', line });
      const snapshot = takeSnapshot(t, clock(), budget?.());
      if (items.length > 0) {
        const batch = { key: ++batchKey.current, items: linesForFrame(items) };
        setFrame({ snapshot, batch });
      } else {
        setFrame((previous) => ({ snapshot, batch: previous.batch }));
      }
    };
    if (final) {
      draw();
      return undefined;
    }
    let dirty = false;
    let idle = 0;
    const unsubscribe = store.subscribe(() => {
      // The last frame should not wait for the timer.
      if (store.totals.endedAt !== undefined) draw();
      else dirty = true;
    });
    const idleTicks = Math.max(1, Math.round(IDLE_REDRAW_MS / intervalMs));
    const timer = setInterval(() => {
      if (!dirty && ++idle < idleTicks) return;
      dirty = false;
      idle = 0;
      draw();
    }, intervalMs);
    timer.unref?.();
    return () => {
      unsubscribe();
      clearInterval(timer);
    };
  }, [store, clock, intervalMs, final]);

  const layout = useMemo(() => finishedLayout(policy, columns), [policy, columns]);
  const { batch } = frame;
  return (
    <>
      <Static key={batch.key} items={batch.items.length > 0 ? [batch] : []}>
        {(b) => <Text key={b.key}>{b.items.map((item) => finishedText(item, layout)).join('\n')}</Text>}
      </Static>
      {/* A run that never started leaves nothing behind. */}
      {final && !frame.snapshot.started ? null : <Panel snapshot={frame.snapshot} policy={policy} columns={columns} rows={rows} color={color} />}
    </>
  );
}

function useTerminalSize(): { columns: number; rows: number | undefined } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || undefined });
  const [size, setSize] = useState(read);
  useLayoutEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
