import { render } from 'ink';
import type { Policy } from '../../core/policy/types.js';
import { LiveView, type LiveViewProps } from './view.js';
import type { RunStore } from '../run-store.js';

export interface LiveViewOptions {
  stderr: NodeJS.WriteStream;
  store: RunStore;
  policy: Policy;
  /** Milliseconds, on the same clock as the run events' `at`. */
  clock: () => number;
  /** Colours on; default: on unless NO_COLOR is set (pass it from the command's Context). */
  color?: boolean | undefined;
  /** The --max-spend cap, read at each frame. */
  budget?: LiveViewProps['budget'];
}

/** https://no-color.org: NO_COLOR set to anything but the empty string turns colour off. */
export function colorAllowed(env: NodeJS.ProcessEnv): boolean {
  return !env.NO_COLOR;
}

/**
 * Render the live view on stderr. Loaded only through a dynamic import when stderr is a terminal,
 * so piped runs never load Ink or React. Ctrl-C is frugal's own, so Ink neither exits on it
 * nor patches the console.
 */
export async function startLiveView(options: LiveViewOptions): Promise<{ stop(): Promise<void> }> {
  const { stderr, store, policy, clock, budget } = options;
  const color = options.color ?? colorAllowed(process.env);
  const instance = render(<LiveView store={store} policy={policy} clock={clock} color={color} budget={budget} />, {
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
        instance.rerender(<LiveView store={store} policy={policy} clock={clock} color={color} budget={budget} final />);
        instance.unmount();
        await exited;
      })();
      return stopping;
    },
  };
}
