import type { DType } from "../../base/dtype.js";
import type { Region } from "../../kernels/region.js";
import type { ZRange } from "../../zspace/z-range.js";

/** What a worker keeps by default of the program inputs coordinators ask it to keep: 1 GiB. */
export const DEFAULT_INPUT_CACHE_BYTES = 1024 * 1024 * 1024;

/** One kept program-input region, with the coordinator (executor) and keep generation it belongs to. */
interface CachedInput {
  readonly executor: string;
  readonly generation: number;
  readonly region: Region;
}

/**
 * A worker's cache of program-input regions kept between runs (`keepInputs`), by the key the
 * coordinator assigns each load (`RunKeep.keys`: its executor's id, keep generation, the token
 * of the input value object, device, source and box). A key names one value of one executor,
 * so another coordinator, a changed input (a new value object) or a later generation never
 * finds a stale copy; a restarted worker finds nothing. A miss is never an error: the worker
 * reads the input as it would without the cache.
 *
 * Bounded: it holds at most `maxBytes` of region data, dropping the least recently used
 * regions first (a region larger than the bound is not kept). A region dropped here stays
 * alive only as long as a run's store still holds it.
 */
export class InputCache {
  /** In use order: the least recently used first (a `Map` iterates in insertion order). */
  private readonly entries = new Map<string, CachedInput>();
  private held = 0;

  /** An empty cache holding at most `maxBytes` bytes. */
  constructor(readonly maxBytes: number) {}

  /** Bytes of region data held now. */
  get bytes(): number {
    return this.held;
  }

  /** Regions held now. */
  get size(): number {
    return this.entries.size;
  }

  /** The region kept under `key`, if it is exactly `dtype` over `range` (anything else is a miss). */
  get(key: string, dtype: DType, range: ZRange): Region | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.region.dtype !== dtype || !entry.region.range.equals(range)) return undefined;
    // Most recently used now.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.region;
  }

  /** Keeps `region` under `key` for `executor`'s `generation`, dropping the least recently used regions to stay within the bound. */
  put(key: string, executor: string, generation: number, region: Region): void {
    this.delete(key);
    const bytes = region.data.byteLength;
    if (bytes > this.maxBytes) return;
    for (const [k] of this.entries) {
      if (this.held + bytes <= this.maxBytes) break;
      this.delete(k);
    }
    this.entries.set(key, { executor, generation, region });
    this.held += bytes;
  }

  /**
   * Drops every region of `executor` but those under `keys` (a run of it says what it reuses;
   * null: it keeps nothing, and nothing kept for it stays).
   */
  retain(executor: string, keys: ReadonlySet<string> | null): void {
    for (const [k, e] of this.entries) if (e.executor === executor && !keys?.has(k)) this.delete(k);
  }

  /** The executors (and their generations) whose regions are held. */
  executors(): Map<string, Set<number>> {
    const out = new Map<string, Set<number>>();
    for (const e of this.entries.values()) {
      const gens = out.get(e.executor) ?? new Set<number>();
      gens.add(e.generation);
      out.set(e.executor, gens);
    }
    return out;
  }

  /**
   * Drops every region of `executor` whose generation is not `current` (null: the executor is
   * gone, drop all); returns how many regions and bytes it dropped.
   */
  dropStale(executor: string, current: number | null): { regions: number; bytes: number } {
    const before = { regions: this.entries.size, bytes: this.held };
    for (const [k, e] of this.entries) {
      if (e.executor === executor && e.generation !== current) this.delete(k);
    }
    return { regions: before.regions - this.entries.size, bytes: before.bytes - this.held };
  }

  /** Drops everything. */
  clear(): void {
    this.entries.clear();
    this.held = 0;
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.held -= entry.region.data.byteLength;
  }
}
