import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isScalar, parseDocument } from 'yaml';
import { UserError } from '../core/errors.js';
import { didYouMean } from '../core/policy/suggest.js';
import type { Policy } from '../core/policy/types.js';
import type { PolicyTest } from '../core/routing/policy-tests.js';
import { similarMatchers } from '../core/routing/similar.js';
import { jsonErrorMessage, recordToPrompt } from '../io/records.js';

/** What a test record expects, or the reason it is not a test of this policy. */
function expectation(record: Record<string, unknown>, policy: Policy): PolicyTest['expect'] | string {
  const { class: cls, route } = record;
  if ((cls === undefined) === (route === undefined)) return 'a test expects either "class" or "route"';
  if (cls !== undefined) {
    const names = policy.classes.map((c) => c.name);
    if (typeof cls !== 'string' || !names.includes(cls)) return `unknown class ${JSON.stringify(cls)}${typeof cls === 'string' ? didYouMean(cls, names) : ''}`;
    return { class: cls };
  }
  if (typeof route !== 'string' || !policy.models.has(route)) return `unknown model ${JSON.stringify(route)}${typeof route === 'string' ? didYouMean(route, policy.models.keys()) : ''}`;
  return { route };
}

/** The policy's `tests:` and its `tests_file:` lines (JSONL, relative to the policy file). */
export function loadTests(policy: Policy, policyPath: string): PolicyTest[] {
  const tests: PolicyTest[] = policy.tests.map((record, i) => {
    const parsed = recordToPrompt({ id: `tests[${i}]`, ...record }, policy.file, 0);
    const expect = expectation(record, policy);
    // Validation already checked both; a failure here is a bug.
    if (!parsed.ok || typeof expect === 'string') throw new Error(`${policy.file} tests[${i}]: ${parsed.ok ? expect : parsed.message}`);
    return { prompt: { ...parsed.value, source: { file: policy.file } }, expect, source: `${policy.file} tests[${i}]` };
  });
  if (policy.testsFile === undefined) return tests;
  const path = resolve(dirname(policyPath), policy.testsFile);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`${policy.file} tests_file: cannot read ${policy.testsFile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'the path is relative to the policy file');
  }
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${policy.testsFile}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      problems.push(`${where}: ${jsonErrorMessage(err)}`);
      return;
    }
    const parsed = recordToPrompt(value, policy.testsFile!, i + 1);
    if (!parsed.ok) return problems.push(`${where}: ${parsed.message}`);
    const expect = expectation(value as Record<string, unknown>, policy);
    if (typeof expect === 'string') return problems.push(`${where}: ${expect}`);
    tests.push({ prompt: parsed.value, expect, source: where });
  });
  if (problems.length > 0) throw new UserError(problems.slice(0, 20).join('\n'), 'each line: {"prompt": "...", "class": NAME} or {"prompt": "...", "route": ALIAS}');
  return tests;
}

/**
 * Write new similar_to thresholds into the policy file, changing nothing else: each threshold's
 * text is replaced where the YAML parser found it, so comments, layout and quoting stay as written
 * (re-serialising the document would reflow long flow mappings).
 */
export function rewriteThresholds(path: string, policy: Policy, thresholds: ReadonlyMap<string, number>): void {
  const text = readFileSync(path, 'utf8');
  const doc = parseDocument(text);
  const edits: { from: number; to: number; value: string }[] = [];
  for (const { matcher } of similarMatchers(policy)) {
    const value = thresholds.get(matcher.key);
    if (value === undefined) continue;
    const node = doc.getIn([...matcher.path, 'threshold'], true);
    if (!isScalar(node) || !node.range) throw new UserError(`${policy.file}: cannot find ${matcher.key}.threshold to rewrite`, 'the file changed since it was read; run frugal test --fit again');
    edits.push({ from: node.range[0], to: node.range[1], value: String(value) });
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.from - a.from)) out = out.slice(0, e.from) + e.value + out.slice(e.to);
  writeFileSync(path, out);
}
