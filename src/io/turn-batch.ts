/**
 * Text gathered during one turn of the event loop and handed to `sink` in one piece at the end of
 * that turn (setImmediate), or earlier by `flush`. Every caller of a turn shares one promise that
 * settles once the sink has taken the text (and drained, when the sink returns a promise).
 */
export class TurnBatch {
  private queued = '';
  private done: Promise<void> | undefined;
  private settle: (() => void) | undefined;

  constructor(private readonly sink: (text: string) => Promise<void> | undefined) {}

  add(text: string): Promise<void> {
    this.queued += text;
    this.done ??= new Promise((resolve) => {
      this.settle = resolve;
      setImmediate(() => void this.flush());
    });
    return this.done;
  }

  /** Hands over what is queued now; the promise is the sink's, when it has one. */
  flush(): Promise<void> | undefined {
    const settle = this.settle;
    this.done = undefined;
    this.settle = undefined;
    const text = this.queued;
    this.queued = '';
    const wait = text === '' ? undefined : this.sink(text);
    if (settle) {
      if (wait) void wait.then(settle);
      else settle();
    }
    return wait;
  }
}
