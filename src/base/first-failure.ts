/**
 * How a run fails: with its first error. `fail` may be called from every place a run can go
 * wrong (a worker crash, a timeout, a failed job, …); only the first call counts, so the error a
 * caller sees is the cause, not one of its consequences. Every wait of the run races `failed`,
 * so nothing hangs once the run has failed.
 *
 * @example
 * const failure = new FirstFailure();
 * failure.fail(new Error("first"));
 * failure.fail(new Error("second")); // ignored
 * await Promise.race([work, failure.failed]); // rejects with "first"
 */
export class FirstFailure<E extends Error = Error> {
  /** Rejects with the first error given to `fail`; never resolves. */
  readonly failed: Promise<never>;
  private first: E | undefined;
  private reject: (error: E) => void = () => {};

  /** A run that has not failed yet. */
  constructor() {
    this.failed = new Promise<never>((_, reject) => {
      this.reject = reject;
    });
    // Rejections are observed by whoever races `failed`; this keeps an unraced one from being "unhandled".
    this.failed.catch(() => {});
  }

  /** Fails the run with `error` unless it has already failed; bound, so it can be passed as a callback. */
  readonly fail = (error: E): void => {
    if (this.first !== undefined) return;
    this.first = error;
    this.reject(error);
  };

  /** The error the run failed with, or undefined while it has not failed. */
  get error(): E | undefined {
    return this.first;
  }
}
