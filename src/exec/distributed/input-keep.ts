import { randomBytes } from "node:crypto";
import type { ChainableCommander, Redis } from "ioredis";
import type { Region } from "../../kernels/region.js";
import type { InitialLoad } from "../local/initial-loads.js";
import { loadId } from "../local/kept-inputs.js";
import { announceChannel, executorKey } from "./run-keys.js";
import type { RunKeep } from "./run-meta.js";

/** An executor's key (`executorKey`) lives this long unless renewed: workers drop a dead coordinator's kept inputs after it. */
export const EXECUTOR_KEY_TTL_MS = 30_000;

/** How often a live executor whose workers keep inputs renews its key. */
const RENEW_MS = EXECUTOR_KEY_TTL_MS / 3;

/**
 * A coordinator's side of `keepInputs` on the distributed executor: it names every program-input
 * load of a run with a key workers cache it under (`RunKeep`), made of the executor's random id,
 * its keep generation, a token of the input value object and the load's device, source and box.
 * The very same value object (with the same data array) gets the same token, so a later run
 * with it finds the worker's copy; any other value, executor or generation finds nothing.
 *
 * It holds no record of what workers keep: a worker's cache is the only truth, and a miss (a
 * restarted worker, one taking over another's devices, an eviction) reads the input as a run
 * without `keepInputs` would. While its workers may keep inputs, the executor's key in Redis
 * holds its generation (renewed every `RENEW_MS`, deleted at `close`); a run without
 * `keepInputs` ends the generation and deletes the key, so workers drop what they kept for it
 * even when they take no part in that run.
 */
export class InputKeep {
  /** This executor's id: 64 random bits, in every key it hands out. */
  readonly executor = randomBytes(8).toString("hex");
  private generation = 0;
  /** A run with `keepInputs` was announced since the executor began or a run without it ended the last generation. */
  private keeping = false;
  /** Some run had `keepInputs`: workers may hold (or have held) inputs of this executor. */
  private used = false;
  private readonly tokens = new WeakMap<Region, { readonly data: Region["data"]; readonly token: number }>();
  private nextToken = 0;
  /** The keys handed out to the last run with `keepInputs`, and to the one before it. */
  private handedOut = new Set<string>();
  private handedBefore = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  /** Keep state of an executor using `client` under key prefix `prefix`. */
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
  ) {}

  /**
   * What a run's meta tells workers (`RunMeta.keep`): with `keep`, the key of each of `loads`;
   * without, that nothing kept stays (null when this executor never kept anything).
   */
  forRun(keep: boolean, loads: readonly InitialLoad[]): RunKeep | null {
    if (!keep) {
      if (!this.used) return null;
      if (this.keeping) {
        this.keeping = false;
        this.generation++;
        this.stopRenewing();
      }
      return { executor: this.executor, generation: this.generation, keys: null };
    }
    this.used = true;
    this.keeping = true;
    this.startRenewing();
    const prefix = `${this.executor}/${this.generation}`;
    const keys = loads.map((l) => `${prefix}/${this.token(l.value)}/${loadId(l)}`);
    this.handedBefore = this.handedOut;
    this.handedOut = new Set(keys);
    return { executor: this.executor, generation: this.generation, keys };
  }

  /**
   * True when `key`, handed out by the last `forRun`, was handed out to the run with
   * `keepInputs` before it too: a worker then likely holds the load (it may have dropped it;
   * it reads it then). A guess for sending ahead, never for correctness.
   */
  likelyKept(key: string): boolean {
    return this.handedBefore.has(key);
  }

  /** Adds the executor's key as it must be now to a run's announcement (one round trip with it). */
  announce(multi: ChainableCommander): void {
    if (!this.used) return;
    const key = executorKey(this.prefix, this.executor);
    if (this.keeping) multi.set(key, String(this.generation), "PX", EXECUTOR_KEY_TTL_MS);
    else multi.del(key);
  }

  /** Deletes the executor's key and tells the workers, which drop what they kept for it. */
  async close(): Promise<void> {
    this.stopRenewing();
    if (!this.used) return;
    this.keeping = false;
    await this.client
      .multi()
      .del(executorKey(this.prefix, this.executor))
      .publish(announceChannel(this.prefix), `executor:${this.executor}`)
      .exec();
  }

  /** The token of `value`: the same while it is the same object with the same data array. */
  private token(value: Region): number {
    const known = this.tokens.get(value);
    if (known !== undefined && known.data === value.data) return known.token;
    const token = this.nextToken++;
    this.tokens.set(value, { data: value.data, token });
    return token;
  }

  private startRenewing(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.client
        .set(executorKey(this.prefix, this.executor), String(this.generation), "PX", EXECUTOR_KEY_TTL_MS)
        .catch(() => {});
    }, RENEW_MS);
    // A coordinator process that is otherwise done must not stay alive for this.
    this.timer.unref();
  }

  private stopRenewing(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
