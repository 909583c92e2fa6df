import { statSync } from 'node:fs';
import type { CallJournal } from '../core/execution/call-runner.js';
import type { SendFailure } from '../core/execution/retry.js';

/** Which file a run could not write: the -o file, or the ledger (whose path is `where`). */
export interface WriteFault {
  what: 'output' | 'ledger';
  where: string;
  /** ENOSPC, SQLITE_FULL, SQLITE_IOERR_WRITE, ... */
  code: string;
}

const codeOf = (err: unknown) => {
  const e = err as { code?: unknown; message?: unknown };
  return typeof e?.code === 'string' ? e.code : typeof e?.message === 'string' ? e.message : String(err);
};

/**
 * The first write a live run could not make (a full disk, a ledger gone bad): from then on the run
 * sends nothing new (`onFirst` stops it), keeps what it has written, and says so once at the end.
 * The -o file is the truth of what was answered; the ledger may lack the calls after the fault.
 */
export class WriteFaults {
  first: WriteFault | undefined;
  /** Records that reached neither the -o file (nor stdout) after it failed. */
  unwritten = 0;

  constructor(private readonly onFirst: (fault: WriteFault) => void) {}

  fail(what: WriteFault['what'], where: string, err: unknown): void {
    if (this.first) return;
    this.first = { what, where, code: codeOf(err) };
    this.onFirst(this.first);
  }

  /** What a request that was about to leave gets instead: it is not sent, and costs nothing. */
  notSent(): SendFailure {
    const f = this.first!;
    return { kind: 'aborted', message: `not sent: ${f.what === 'output' ? 'the -o file' : 'the ledger'} could not be written (${f.code})` };
  }

  /** The one message the run ends with, or undefined when every write went through. */
  report(output: string | undefined, again = 'run the same command with --resume'): string | undefined {
    const f = this.first;
    if (!f) return undefined;
    const lost = this.unwritten ? `; ${this.unwritten} finished records could not be written (--resume runs those prompts again; the ledger has what they cost)` : '';
    const truth = f.what === 'ledger' && output ? `; ${output} holds every answer received` : '';
    const fix = f.what === 'ledger' ? 'free some space (or move a damaged ledger aside)' : 'free some space';
    return `frugal: ${f.where}: cannot write (${f.code}): stopped sending${lost}${truth}; ${fix}, then ${again}`;
  }
}

/** Journal methods called just before a request leaves: if they fail, the request must not leave. */
const BEFORE_SEND = new Set(['open', 'rebook']);

/**
 * The ledger's journal, guarded: a write that fails (SQLITE_FULL, an I/O error, a deleted or
 * damaged file) is a fault of the run, not a crash. Writing a call down before its request fails:
 * the request is not sent. Settling one after its answer fails: the answer still goes to -o.
 */
export function guardJournal(journal: CallJournal, faults: WriteFaults, where: string): CallJournal {
  const gone = watchFile(where);
  const guarded: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(journal) as [string, (...args: unknown[]) => unknown][]) {
    guarded[name] = (...args: unknown[]) => {
      // Deleted or replaced under the run, the ledger would take rows that nobody can read again.
      const lost = name === 'open' && !faults.first ? gone() : undefined;
      if (lost) faults.fail('ledger', where, { code: lost });
      if (faults.first?.what === 'ledger') {
        if (BEFORE_SEND.has(name)) throw faults.notSent();
        return undefined;
      }
      try {
        return fn(...args);
      } catch (err) {
        faults.fail('ledger', where, err);
        if (BEFORE_SEND.has(name)) throw faults.notSent();
        return undefined;
      }
    };
  }
  return guarded as unknown as CallJournal;
}

/** Whether the file at `path` is still the one it was (same device and inode): what else it has become. */
function watchFile(path: string): () => string | undefined {
  const first = statSync(path, { throwIfNoEntry: false });
  return () => {
    const now = statSync(path, { throwIfNoEntry: false });
    if (!now) return 'deleted while the run was going';
    if (first && (now.ino !== first.ino || now.dev !== first.dev)) return 'replaced while the run was going';
    return undefined;
  };
}
