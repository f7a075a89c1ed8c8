/**
 * Input buffers the workers gave back at the end of a run, for the coordinator to copy the next
 * run's inputs into. Copying into pages already mapped is several times faster than into a new
 * allocation (whose every page faults on first write), and the values are still copied afresh
 * every run. Only buffers of exactly the size asked for are reused; whatever a run's loads did
 * not take is dropped, so at most one run's worth of input bytes waits here between runs.
 */
export class RecycledBuffers {
  private readonly free = new Map<number, ArrayBuffer[]>();

  /** A buffer of exactly `byteLength` bytes, if one was given back. */
  take(byteLength: number): ArrayBuffer | undefined {
    return this.free.get(byteLength)?.pop();
  }

  /** Buffers a worker gave back (detached there: nothing else holds them). */
  give(buffers: readonly ArrayBuffer[]): void {
    for (const b of buffers) {
      const list = this.free.get(b.byteLength);
      if (list === undefined) this.free.set(b.byteLength, [b]);
      else list.push(b);
    }
  }

  /** Drops every buffer not taken. */
  clear(): void {
    this.free.clear();
  }
}
