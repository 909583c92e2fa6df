import { Box, render, Text } from 'ink';
import { formatInt, formatUsd } from '../../core/money/money.js';
import type { Policy } from '../../core/policy/types.js';
import type { JobProgress } from '../../run/batch-job.js';
import type { RunStore } from '../run-store.js';
import { fit } from './text.js';

export interface BatchPanelProps {
  jobId: string;
  progress: JobProgress | undefined;
  store: RunStore;
  policy: Policy;
  color?: boolean | undefined;
}

/**
 * A batch job as it goes: each batch (provider, model, status, requests done and failed) and the
 * spend so far of the results collected, per model and in all.
 */
export function BatchPanel({ jobId, progress, store, policy, color = true }: BatchPanelProps) {
  const t = store.totals;
  const batches = progress?.batches ?? [];
  return (
    <Box flexDirection="column">
      <Text>
        {fit(`batch job ${jobId}: ${formatInt(progress?.done ?? 0)} of ${formatInt(progress?.total ?? 0)} prompts collected`, 100)}
      </Text>
      <Text>{`${'model'.padEnd(36)} ${'batch'.padEnd(20)} ${'status'.padEnd(12)} ${'done'.padStart(8)} ${'failed'.padStart(7)} ${'spend'.padStart(11)}`}</Text>
      {batches.map((b, i) => {
        const m = policy.models.get(b.route);
        const spend = t.models.get(b.route)?.cost ?? 0n;
        return (
          <Text key={`${b.route}-${b.id ?? i}`} color={color && b.failed > 0 ? 'yellow' : undefined}>
            {`${fit(m ? `${m.provider}/${m.model}` : b.route, 36).padEnd(36)} ${fit(b.id ?? '(submitting)', 20).padEnd(20)} ${fit(b.status, 12).padEnd(12)} ${formatInt(b.succeeded).padStart(8)} ${formatInt(b.failed).padStart(7)} ${formatUsd(spend).padStart(11)}`}
          </Text>
        );
      })}
      <Text>{`spend so far ${formatUsd(t.cost)}  baseline ${formatUsd(t.baselineCost)}  failed ${formatInt(t.failed)}`}</Text>
    </Box>
  );
}

/** The batch view on stderr (a terminal only; piped runs print a progress line instead). */
export function startBatchView(o: { stderr: NodeJS.WriteStream; jobId: string; store: RunStore; policy: Policy; color: boolean }): { update(p: JobProgress): void; stop(): void } {
  let last: JobProgress | undefined;
  const instance = render(<BatchPanel jobId={o.jobId} progress={last} store={o.store} policy={o.policy} color={o.color} />, { stdout: o.stderr, stderr: o.stderr, patchConsole: false, exitOnCtrlC: false });
  return {
    update(p) {
      last = p;
      instance.rerender(<BatchPanel jobId={o.jobId} progress={last} store={o.store} policy={o.policy} color={o.color} />);
    },
    stop() {
      instance.unmount();
    },
  };
}
