// Compiles the test suite's loopback fake provider (test/fake/*.ts) and runs it in a child
// process of its own, so that the process being measured does not share its event loop.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function buildFakeServer(root, outDir) {
  const sources = readdirSync(join(root, 'test', 'fake')).filter((f) => f.endsWith('.ts')).map((f) => join(root, 'test', 'fake', f));
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = [tsc, ...sources, '--outDir', outDir, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node'];
  const res = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`compiling the fake server failed:\n${res.stdout}${res.stderr}`);
  writeFileSync(join(outDir, 'package.json'), '{"type":"module"}');
  writeFileSync(
    join(outDir, 'serve.js'),
    `import { startFakeServer } from './server.js';
const options = JSON.parse(process.argv[2] ?? '{}');
const server = await startFakeServer(options);
server.setDefaults({ text: 'ok, here is a short answer', usage: { input: 120, output: 12 } });
process.stdout.write(server.url + '\\n');
process.on('SIGTERM', async () => {
  process.stderr.write(JSON.stringify(server.stats()) + '\\n');
  await server.close();
  process.exit(0);
});
`,
  );
  return join(outDir, 'serve.js');
}

/** Starts the fake server; resolves { url, stop(): Promise<stats> }. */
export function startFake(script, options = {}) {
  const child = spawn(process.execPath, [script, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s) => (stderr += s));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.setEncoding('utf8').once('data', (line) => {
      resolve({
        url: line.trim(),
        stop: () =>
          new Promise((done) => {
            child.once('close', () => {
              const last = stderr.trim().split('\n').pop();
              try {
                done(JSON.parse(last));
              } catch {
                done(undefined);
              }
            });
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** The fake server compiled into the bench's temp dir, and a one-model policy for it (gpt-5.4-mini, Responses API). */
export function fakeSetup(ctx, name) {
  const fakeDir = join(ctx.tmp, `fake-${name}`);
  mkdirSync(fakeDir, { recursive: true });
  const routes = join(ctx.tmp, `${name}-routes.yaml`);
  writeFileSync(routes, 'default: m\nmodels:\n  m: { provider: openai, model: gpt-5.4-mini }\n');
  return { serve: buildFakeServer(ctx.root, fakeDir), routes };
}
