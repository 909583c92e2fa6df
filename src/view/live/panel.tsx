import { Box, Text } from 'ink';
import { formatInt, formatPct, formatUsd } from '../../core/money/money.js';
import type { Policy } from '../../core/policy/types.js';
import { etaMs, ratePerSecond, type BudgetFigures, type LiveSnapshot } from './snapshot.js';
import { fit, formatDuration, formatRate, padEnd, padStart, progressBar, width } from './text.js';

interface PanelProps {
  snapshot: LiveSnapshot;
  policy: Policy;
  columns: number;
  /** Terminal height: the panel must stay shorter, or Ink redraws the whole screen each frame. */
  rows?: number | undefined;
  /** False under NO_COLOR: no colours and no dimming. */
  color?: boolean | undefined;
}

type Hue = 'cyan' | 'green' | 'yellow' | 'red' | undefined;

/** The live area under the finished prompts: progress, one row per model, money, problems. */
export function Panel({ snapshot: s, policy, columns, rows, color = true }: PanelProps) {
  const hue = (h: Hue) => (color ? h : undefined);
  const dim = (d: boolean) => color && d;
  const modelRows = modelTable(s, columns);
  // progress + money (+ budget) + status, plus the table when it fits
  const showTable = modelRows.length > 0 && (rows === undefined || 3 + (s.budget ? 1 : 0) + s.cascades.length + modelRows.length < rows);
  return (
    <Box flexDirection="column" width={columns}>
      <Progress s={s} columns={columns} hue={hue} dim={dim} />
      {showTable &&
        modelRows.map((row, i) => (
          <Text key={i} dimColor={dim(i === 0)} wrap="truncate-end">
            {row}
          </Text>
        ))}
      <Money s={s} policy={policy} columns={columns} hue={hue} />
      {s.budget && <Text wrap="truncate-end">{budgetLine(s.budget)}</Text>}
      {s.cascades.map((c) => (
        <Text key={c.route} wrap="truncate-end">
          {cascadeLine(c)}
        </Text>
      ))}
      <Status s={s} hue={hue} />
    </Box>
  );
}

interface Paint {
  hue: (h: Hue) => Hue;
  dim: (d: boolean) => boolean;
}

function Progress({ s, columns, hue, dim }: { s: LiveSnapshot; columns: number } & Paint) {
  if (!s.started) return <Text dimColor={dim(true)}>starting…</Text>;
  const timing = s.ended
    ? s.stop === 'done' ? `done in ${formatDuration(s.elapsedMs)}` : `stopped (${s.stop}) after ${formatDuration(s.elapsedMs)}`
    : `elapsed ${formatDuration(s.elapsedMs)}`;
  const eta = etaMs(s);
  const rate = formatRate(ratePerSecond(s));
  if (s.total === undefined) {
    return <Text wrap="truncate-end">{fit(`${formatInt(s.done)} done  ${rate}  ${timing}`, columns)}</Text>;
  }
  const count = `${formatInt(s.done)}/${formatInt(s.total)}`;
  const pct = `${s.total > 0 ? Math.floor((Math.min(s.done, s.total) / s.total) * 100) : 100}%`;
  const after = `${padStart(pct, 4)}  ${rate}${s.ended ? '' : `  ETA ${eta === undefined ? '—' : formatDuration(eta)}`}  ${timing}`;
  const barWidth = Math.max(0, Math.min(30, columns - width(count) - width(after) - 2));
  const bar = progressBar(s.done, s.total, barWidth);
  return (
    <Text wrap="truncate-end">
      {count}{' '}
      <Text color={hue('cyan')}>{bar.filled}</Text>
      <Text dimColor={dim(true)}>{bar.empty}</Text> {after}
    </Text>
  );
}

/** Header and rows as text, with columns sized to what they hold; empty when no model has been used. */
function modelTable(s: LiveSnapshot, columns: number): string[] {
  if (s.models.length === 0) return [];
  const head = ['route', 'model', 'in flight', 'done', 'failed', 'tokens in / out', 'spend'];
  const body = s.models.map((m) => [
    m.route,
    m.model,
    formatInt(m.inFlight),
    formatInt(m.calls),
    formatInt(m.failed),
    `${formatInt(m.inputTokens)} / ${formatInt(m.outputTokens)}`,
    formatUsd(m.cost) + (m.costUnknown > 0 ? ` +${m.costUnknown}×—` : ''),
  ]);
  const minimum = [0, 0, 0, 0, 0, 20, 10];
  const widths = head.map((h, i) => Math.max(width(h), minimum[i]!, ...body.map((r) => width(r[i]!))));
  widths[1] = Math.min(widths[1]!, 28);
  const line = (cells: string[]) =>
    fit(cells.map((c, i) => (i < 2 ? padEnd(c, widths[i]!) : padStart(c, widths[i]!))).join('  '), columns);
  return [line(head), ...body.map(line)];
}

function Money({ s, policy, columns, hue }: { s: LiveSnapshot; policy: Policy; columns: number; hue: Paint['hue'] }) {
  const saved = s.baselineCost - s.cost;
  const savedText = `saved ${formatUsd(saved)} (${formatPct(saved, s.baselineCost)})`;
  let spent = `spend ${formatUsd(s.cost)}  baseline (${policy.baseline}) ${formatUsd(s.baselineCost)}  `;
  // On a narrow terminal the savings matter more than the baseline's name.
  if (width(spent + savedText) > columns) spent = `spend ${formatUsd(s.cost)}  baseline ${formatUsd(s.baselineCost)}  `;
  return (
    <Text wrap="truncate-end">
      {spent}
      <Text color={hue(saved > 0n ? 'green' : saved < 0n ? 'yellow' : undefined)}>{savedText}</Text>
    </Text>
  );
}

/** What the cap leaves: spent by the job so far (earlier runs too), held by the prompts in flight at their worst case. */
function budgetLine(b: BudgetFigures): string {
  const used = formatPct(b.spent + b.reserved, b.cap);
  return `budget ${formatUsd(b.cap)}: spent ${formatUsd(b.spent)} + reserved ${formatUsd(b.reserved)} (${used})`;
}

/** A cascade so far: how often its cheap answers failed their checks, and what those answers cost. */
function cascadeLine(c: LiveSnapshot['cascades'][number]): string {
  return `cascade ${c.route}: ${formatInt(c.escalated)} of ${formatInt(c.prompts)} escalated (${formatPct(BigInt(c.escalated), BigInt(c.prompts))}), answers thrown away ${formatUsd(c.discardedCost)}`;
}

function Status({ s, hue }: { s: LiveSnapshot; hue: Paint['hue'] }) {
  const failures = s.failed + s.inputErrors;
  const unreadable = s.inputErrors > 0 ? ` (${formatInt(s.inputErrors)} unreadable input)` : '';
  const extra = [];
  if (s.cacheHits > 0) extra.push(`cache hits ${formatInt(s.cacheHits)}`);
  if (s.costUnknown > 0) extra.push(`unknown cost ${formatInt(s.costUnknown)}`);
  if (s.unsettledCalls > 0) extra.push(`unsettled ${formatInt(s.unsettledCalls)} (up to ${formatUsd(s.unsettled)})`);
  if (s.interrupt === 'stopping' && !s.ended) extra.push('stopping: finishing what is in flight (Ctrl-C again to abort)');
  if (s.interrupt === 'aborting' && !s.ended) extra.push('aborting');
  return (
    <Text wrap="truncate-end">
      in flight {formatInt(s.inFlight)}  retries {formatInt(s.retries)}{'  '}
      <Text color={hue(failures > 0 ? 'red' : undefined)}>
        failed {formatInt(failures)}
        {unreadable}
      </Text>
      {extra.map((e) => `  ${e}`).join('')}
    </Text>
  );
}
