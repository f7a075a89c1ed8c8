/**
 * A binary min-heap of events keyed by time, ties broken by item (smaller first), over
 * caller-owned typed arrays with room for every event of one schedule.
 */
export class EventHeap {
  size = 0;

  constructor(
    private readonly keys: Float64Array,
    private readonly items: Int32Array,
  ) {}

  /** Adds event `item` at time `key`. */
  push(key: number, item: number): void {
    const { keys, items } = this;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = keys[parent]!;
      if (pk < key || (pk === key && items[parent]! < item)) break;
      keys[i] = pk;
      items[i] = items[parent]!;
      i = parent;
    }
    keys[i] = key;
    items[i] = item;
  }

  /** The earliest event's time (the heap must not be empty). */
  peekKey(): number {
    return this.keys[0]!;
  }

  /** Removes and returns the earliest event's item. */
  pop(): number {
    const { keys, items } = this;
    const top = items[0]!;
    const n = --this.size;
    const key = keys[n]!;
    const item = items[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (keys[r]! < keys[c]! || (keys[r] === keys[c] && items[r]! < items[c]!))) c = r;
      const ck = keys[c]!;
      if (key < ck || (key === ck && item < items[c]!)) break;
      keys[i] = ck;
      items[i] = items[c]!;
      i = c;
    }
    keys[i] = key;
    items[i] = item;
    return top;
  }
}
