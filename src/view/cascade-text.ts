import type { Policy } from '../core/policy/types.js';
import type { Cascade } from '../core/routing/cascade.js';
import { CHECK_KINDS } from '../core/routing/checks/kinds.js';
import { describeCheck, describeLeaf, leaves } from '../core/routing/checks/evaluate.js';

/** A cascade as `explain` and `validate` show it: the steps in order and the checks on each answer. */
export function cascadeLines(policy: Policy, cascade: Cascade): string[] {
  const lines = ['cascade, in order (the first accepted answer is kept; the last step always answers):'];
  cascade.try.forEach((alias, i) => {
    const m = policy.models.get(alias)!;
    const last = i === cascade.try.length - 1;
    lines.push(`  ${i + 1}. ${alias.padEnd(12)} -> ${m.provider}/${m.model}${last ? '  (kept as it is)' : '  then the checks below'}`);
  });
  lines.push(`checks on each answer but the last: ${describeCheck(cascade.accept)}`);
  for (const leaf of leaves(cascade.accept)) {
    lines.push(`  - ${leaf.id}: ${describeLeaf(leaf)}${CHECK_KINDS[leaf.kind].calls ? ' (a call of its own, paid)' : ''}`);
  }
  return lines;
}

export function cascadeJson(policy: Policy, cascade: Cascade) {
  return {
    name: cascade.name,
    try: cascade.try.map((alias) => {
      const m = policy.models.get(alias)!;
      return { alias, provider: m.provider, model: m.model };
    }),
    accept: describeCheck(cascade.accept),
    checks: leaves(cascade.accept).map((c) => ({ id: c.id, kind: c.kind, describe: describeLeaf(c), calls: CHECK_KINDS[c.kind].calls })),
  };
}
