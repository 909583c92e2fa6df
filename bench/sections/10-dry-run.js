// A dry run over a large generated JSONL file: it must stream (flat memory) and be fast.
import { rssMethod } from '../lib/measure.js';

export const name = 'dry-run';
export const title = 'Dry run over a generated JSONL file';

const lines = Number(process.env.BENCH_DRY_LINES ?? 1_000_000);
const runs = Number(process.env.BENCH_DRY_RUNS ?? 1);
// A tenth of the file for comparison: streaming means the same peak memory for both.
const smallLines = Math.max(1, Math.round(lines / 10));

const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`;

export async function run(ctx) {
  const input = await ctx.prompts(lines);
  console.log(`input: ${lines.toLocaleString('en-US')} lines, ${input.generated ? `generated in ${input.seconds.toFixed(1)} s` : 'reused'} (${input.file})`);
  console.log(`command: node bin/frugal.js run --dry-run ${input.file} | (count lines); peak RSS via ${rssMethod}`);
  for (let i = 1; i <= runs; i++) {
    const r = await ctx.measure(process.execPath, [ctx.bin, 'run', '--dry-run', input.file]);
    const seconds = r.wallMs / 1000;
    const cpu = r.userS === undefined ? '' : `, CPU ${(r.userS + r.sysS).toFixed(2)} s (user ${r.userS.toFixed(2)}, sys ${r.sysS.toFixed(2)})`;
    console.log(`run ${i}/${runs}: wall ${seconds.toFixed(2)} s, ${Math.round(lines / seconds).toLocaleString('en-US')} prompts/s, peak RSS ${r.maxRssKb ? mb(r.maxRssKb) : 'unknown'}${cpu}`);
    const summary = r.stderr.split('\n').find((l) => l.startsWith('prompts:'));
    const ok = r.code === 0 && r.stdoutLines === lines;
    console.log(`  output: ${r.stdoutLines.toLocaleString('en-US')} lines (${(r.stdoutBytes / 1e6).toFixed(0)} MB), exit ${r.code}, ${summary ?? 'no summary'} ${ok ? '[ok]' : '[WRONG: expected one line per prompt and exit 0]'}`);
    if (!ok) {
      process.stderr.write(r.stderr.slice(-2000));
      process.exitCode = 1;
    }
  }
  const small = await ctx.prompts(smallLines);
  const r = await ctx.measure(process.execPath, [ctx.bin, 'run', '--dry-run', small.file]);
  console.log(`flat memory: peak RSS ${r.maxRssKb ? mb(r.maxRssKb) : 'unknown'} for a file of ${smallLines.toLocaleString('en-US')} prompts (wall ${(r.wallMs / 1000).toFixed(2)} s)`);
}
