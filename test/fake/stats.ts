import type { FakeStats, RecordedRequest } from './types.js';

export function statsOf(requests: readonly RecordedRequest[]): FakeStats {
  const stats: FakeStats = {
    requests: requests.length,
    billed: 0,
    rateLimited: 0,
    resets: 0,
    byStatus: {},
    usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
  };
  for (const r of requests) {
    if (r.outcome === 'rate-limited') stats.rateLimited += 1;
    if (r.outcome === 'reset' || r.outcome === 'reset-mid-stream') stats.resets += 1;
    if (r.status !== undefined) stats.byStatus[r.status] = (stats.byStatus[r.status] ?? 0) + 1;
    if (r.usage === undefined) continue;
    stats.billed += 1;
    stats.usage.input += r.usage.input;
    stats.usage.output += r.usage.output;
    stats.usage.cacheRead += r.usage.cacheRead ?? 0;
    stats.usage.cacheWrite += r.usage.cacheWrite ?? 0;
    stats.usage.reasoning += r.usage.reasoning ?? 0;
  }
  return stats;
}
