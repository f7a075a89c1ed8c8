import type { InferenceSession } from "onnxruntime-node";
import type { StatsRecorder } from "../backend-stats.js";

interface Slot {
  readonly session: Promise<InferenceSession>;
  /** The session once built. */
  ready?: InferenceSession;
  /** Runs between acquiring the slot and finishing with its session; a busy slot is never released. */
  busy: number;
  /** Set when the model failed: the session is released once the last run using it is done. */
  retired: boolean;
}

/** The outcome of `SessionCache.use`: the value, or why no session could run the graph. */
export type CacheOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

/** A model that cannot run: how to cache the decision. */
interface Failure {
  readonly reason: string;
  /** True when the failure is about an op and dtype, not about shapes (cached for the capability). */
  readonly capability: boolean;
}

/** How many failure decisions are remembered (oldest forgotten first). */
const MAX_FAILURES = 4096;

/**
 * ONNX Runtime sessions by model key, least recently used released first beyond `capacity`,
 * and the models that could not be built or run. A failure that names a missing kernel or a
 * type error is about an (op, dtype) pair, not about shapes, so it is also remembered under
 * a coarser capability key: conv2d in float64 is probed once, not once per shard shape.
 */
export class SessionCache {
  private readonly slots = new Map<string, Slot>();
  private readonly failures = new Map<string, string>();

  constructor(
    private readonly capacity: number,
    private readonly stats: StatsRecorder,
  ) {}

  /**
   * Runs `use` on the session for `key` (built by `build` on a miss), unless the model or its
   * capability is known not to run; a build or run failure is remembered and reported.
   */
  async use<T>(
    key: string,
    capability: string,
    build: () => Promise<InferenceSession>,
    use: (session: InferenceSession) => Promise<T>,
  ): Promise<CacheOutcome<T>> {
    const known = this.failures.get(capability) ?? this.failures.get(key);
    if (known !== undefined) {
      this.stats.cacheHit();
      return { ok: false, reason: known };
    }
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = { session: build(), busy: 0, retired: false };
      this.slots.set(key, slot);
    } else {
      this.stats.cacheHit();
      // Re-inserting moves the key to the young end of the map's insertion order.
      this.slots.delete(key);
      this.slots.set(key, slot);
    }
    slot.busy++;
    try {
      let session: InferenceSession;
      try {
        session = await slot.session;
      } catch (error) {
        return this.fail(key, capability, slot, classify("cannot build", error));
      }
      if (slot.ready === undefined) {
        slot.ready = session;
        this.stats.sessionCreated();
      }
      try {
        return { ok: true, value: await use(session) };
      } catch (error) {
        return this.fail(key, capability, slot, classify("failed to run", error));
      }
    } finally {
      slot.busy--;
      if (slot.retired && slot.busy === 0) void slot.ready?.release().catch(() => {});
      this.evict();
    }
  }

  /** Releases every session; pending ones as soon as they are built. */
  async dispose(): Promise<void> {
    const slots = [...this.slots.values()];
    this.slots.clear();
    await Promise.all(slots.map((s) => s.session.then((session) => session.release()).catch(() => {})));
  }

  private fail<T>(key: string, capability: string, slot: Slot, failure: Failure): CacheOutcome<T> {
    if (this.slots.get(key) === slot) this.slots.delete(key);
    slot.retired = true;
    this.remember(key, failure.reason);
    if (failure.capability) this.remember(capability, failure.reason);
    return { ok: false, reason: failure.reason };
  }

  private remember(key: string, reason: string): void {
    this.failures.set(key, reason);
    for (const oldest of this.failures.keys()) {
      if (this.failures.size <= MAX_FAILURES) break;
      this.failures.delete(oldest);
    }
  }

  /** Releases idle sessions, least recently used first, until at most `capacity` remain. */
  private evict(): void {
    let excess = this.slots.size - this.capacity;
    for (const [key, slot] of this.slots) {
      if (excess <= 0) break;
      if (slot.busy > 0 || slot.ready === undefined) continue;
      this.slots.delete(key);
      excess--;
      this.stats.sessionEvicted();
      void slot.ready.release().catch(() => {});
    }
  }
}

/** A failure's reason, one line, and whether it is about ops and dtypes rather than shapes. */
function classify(what: string, error: unknown): Failure {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split("\n")[0]!.trim();
  return {
    reason: `onnxruntime ${what} the graph: ${line}`,
    capability: /NOT_IMPLEMENTED|Could not find an implementation|Type Error/.test(line),
  };
}
