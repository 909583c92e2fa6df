import { render } from 'ink';
import type { Policy } from '../../core/policy/types.js';
import { LiveView } from './view.js';
import type { RunStore } from '../run-store.js';

export interface LiveViewOptions {
  stderr: NodeJS.WriteStream;
  store: RunStore;
  policy: Policy;
  /** Milliseconds, on the same clock as the run events' `at`. */
  clock: () => number;
}

/**
 * Render the live view on stderr. Loaded only through a dynamic import when stderr is a terminal,
 * so piped runs never load Ink or React. Ctrl-C is frugal's own, so Ink neither exits on it
 * nor patches the console.
 */
export async function startLiveView(options: LiveViewOptions): Promise<{ stop(): Promise<void> }> {
  const { stderr, store, policy, clock } = options;
  const instance = render(<LiveView store={store} policy={policy} clock={clock} />, {
    stdout: stderr,
    stderr,
    patchConsole: false,
    exitOnCtrlC: false,
  });
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        const exited = instance.waitUntilExit();
        // The final frame: every finished prompt printed and the totals as they ended.
        instance.rerender(<LiveView store={store} policy={policy} clock={clock} final />);
        instance.unmount();
        await exited;
      })();
      return stopping;
    },
  };
}
