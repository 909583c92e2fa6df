/**
 * A live batch allocates fast (mostly the SDK and the HTTP client, per request) and keeps little.
 * V8 lets the old generation grow to up to four times what survives a collection before it
 * collects again; over 100,000 prompts that was 280 MB of peak RSS around a live heap of about
 * 30 MB. Growing it by half instead keeps the peak well under 200 MB for a few percent of throughput
 * (bench/sections/40-live.js). The flag is read at every collection, so setting it now works.
 */
export async function leanHeap(): Promise<void> {
  // node:v8 takes a millisecond to load: only batches, which need it, pay for it.
  const { setFlagsFromString } = await import('node:v8');
  setFlagsFromString('--heap-growing-percent=50');
}
