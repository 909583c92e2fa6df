import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frugalIn } from '../helpers/in-process.js';
import { SHIPPED_ROUTES } from '../support.js';

const dir = mkdtempSync(join(tmpdir(), 'frugal-json-'));

describe('--json for models and validate', () => {
  it('models --json lists each model with prices in USD per million tokens and their source', async () => {
    const r = await frugalIn(['models', '--json', '--routes', SHIPPED_ROUTES]);
    expect(r.code).toBe(0);
    const models = JSON.parse(r.stdout) as Record<string, unknown>[];
    const flagship = models.find((m) => m.alias === 'flagship')!;
    expect(flagship).toMatchObject({ provider: 'anthropic', model: 'claude-opus-5-5', baseline: true, price_source: { kind: 'catalogue', exact: expect.any(Boolean) } });
    expect((flagship.prices as { output: { usd_per_mtok: number } }).output.usd_per_mtok).toBeGreaterThan(0);
  });

  it('validate --json prints the resolved policy, or every problem with exit 2', async () => {
    const ok = await frugalIn(['validate', '--json', SHIPPED_ROUTES]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, baseline: 'flagship', default: expect.any(String), classes: expect.any(Array) });

    writeFileSync(join(dir, 'bad.yaml'), 'default: nope\nmodels:\n  a: { provider: openai, model: gpt-5.4-mini }\n');
    const bad = await frugalIn(['validate', '--json', 'bad.yaml'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toEqual({ ok: false, file: 'bad.yaml', problems: [{ line: 1, path: 'default', message: 'unknown model "nope"', hint: 'default must name one of the models: a' }] });
    expect(bad.stderr).toBe('');
  });
});
