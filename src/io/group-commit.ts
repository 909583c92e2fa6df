import type { Db } from './db.js';

/**
 * Group commit. What must be on disk before a request leaves (its row, a retry's new booking) is
 * committed at once, together with whatever waits; what only records how a call ended (a settle,
 * a kept answer's baseline) waits in memory for that next commit or the end of the event loop's
 * turn, whichever is first: one commit per call instead of two, and no lock held in between (the
 * response cache writes to the same file). A kill inside that turn leaves the call booked at its
 * reservation, never at less.
 */
export class GroupCommit {
  private waiting: (() => void)[] = [];
  private timer: NodeJS.Immediate | undefined;
  /** A commit at the end of a turn that failed (a full disk): thrown to the next write, which the run's fault handling sees. */
  private failed: unknown;

  constructor(private readonly db: Db) {}

  /** A write that may wait for the next commit. */
  later(write: () => void): void {
    this.waiting.push(write);
    this.timer ??= setImmediate(() => {
      this.timer = undefined;
      try {
        this.now();
      } catch (err) {
        this.failed = err;
      }
    });
  }

  /** Commits what waits, and `write` with it; returns what `write` returns. */
  now<T>(write?: () => T): T | undefined {
    if (this.failed !== undefined) {
      const err = this.failed;
      this.failed = undefined;
      throw err;
    }
    if (this.waiting.length === 0) return write?.();
    const waiting = this.waiting;
    this.waiting = [];
    if (this.timer) clearImmediate(this.timer);
    this.timer = undefined;
    return this.db.transaction(() => {
      for (const w of waiting) w();
      return write?.();
    })();
  }
}
