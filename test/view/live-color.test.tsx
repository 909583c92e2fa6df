import chalk from 'chalk';
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeSnapshot } from '../../src/view/live/snapshot.js';
import { Panel } from '../../src/view/live/panel.js';
import { colorAllowed } from '../../src/view/live/start.js';
import { applyEvent, emptyTotals } from '../../src/core/money/accounting.js';
import { shippedPolicy } from '../support.js';

const policy = shippedPolicy();
const level = chalk.level;
// Ink colours through chalk; a test run is no terminal, so turn colours on to see them go.
beforeAll(() => {
  chalk.level = 1;
});
afterAll(() => {
  chalk.level = level;
});

function snapshot() {
  const totals = emptyTotals(policy);
  applyEvent(totals, { type: 'run-start', at: 0, dryRun: false, total: 4 });
  applyEvent(totals, { type: 'prompt-start', at: 1, id: 'a', route: 'quick', class: null });
  return takeSnapshot(totals, 1000);
}

describe('the live view and NO_COLOR', () => {
  it('colours and dims by default', () => {
    const frame = render(<Panel snapshot={snapshot()} policy={policy} columns={100} />).lastFrame() ?? '';
    expect(frame).toContain('\x1b[');
  });

  it('prints no escape sequence for colour when colour is off', () => {
    const frame = render(<Panel snapshot={snapshot()} policy={policy} columns={100} color={false} />).lastFrame() ?? '';
    expect(frame).toContain('0/4');
    expect(frame).not.toContain('\x1b[');
  });

  it('turns colour off when NO_COLOR is set to anything but the empty string', () => {
    expect([colorAllowed({}), colorAllowed({ NO_COLOR: '1' }), colorAllowed({ NO_COLOR: '' })]).toEqual([true, false, true]);
  });
});
