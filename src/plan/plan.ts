import type { Program } from "../ir/program.js";
import type { OperationSharding } from "../shard/operation-sharding.js";

/** The plan format version this Tessera reads and writes. */
export const PLAN_VERSION = 1;

/**
 * How the partial results of a split reduction combine. `gather`: each output block's `n`
 * partials travel to one device, which folds them (it holds `(n + 1)·S` for a block of `S`
 * bytes). `reduce-scatter`: the block is cut into `n` chunks and chunk `j` is folded on part
 * `j`'s device (each holds about `2·S` at most, and the reduced block ends up spread over the
 * part devices); a consumer that reads the whole block on each part device makes it an
 * all-reduce (reduce-scatter, then the all-gather its reads derive).
 */
export type CombineMode = "gather" | "reduce-scatter";

/** How one operation runs: its grid sharding, a device per shard and per combine step. */
export interface OperationPlan {
  readonly op: string;
  readonly sharding: OperationSharding;
  /** One device per shard, in the sharding's row-major grid order. */
  readonly devices: readonly string[];
  /**
   * One device per combine step when a reduction is split (per output block when gathered, per
   * chunk of each block when scattered); default the device of the block's first shard
   * (gathered) or of the chunk's own part (scattered).
   */
  readonly combineDevices?: readonly string[];
  /** How partial results combine when a reduction is split; default `gather`. Ignored when none is. */
  readonly combine?: CombineMode;
}

/**
 * Where a program input starts. With a `device` it lives there whole and every consumer on
 * another device receives its region from it; without one it is *pre-distributed*: each
 * device already holds exactly the regions its shards read (weights loaded in place).
 */
export interface InputPlacement {
  readonly tensor: string;
  readonly device?: string;
}

/**
 * Activations a training step's plan recomputes for the backward instead of keeping (see
 * `withRecompute`): the plan's program is then the rewritten one, and this says how it came.
 */
export interface Recomputation {
  /** The recomputed activations, in the order asked. */
  readonly tensors: readonly string[];
  /** The program before the copies were added: what a plan file stores. */
  readonly program: Program;
  /** Copy operation id → the id of the operation it copies, whose plan it mirrors. */
  readonly copies: Readonly<Record<string, string>>;
}

/**
 * A plan: the program, a sharding and placement for every operation, where inputs start, and
 * optionally an execution order of its tasks. Data movement is not part of a plan: it is
 * derived from the geometry (see `deriveTaskGraph`).
 */
export interface Plan {
  readonly version: typeof PLAN_VERSION;
  readonly program: Program;
  readonly devices: readonly string[];
  readonly inputs: readonly InputPlacement[];
  /** One entry per program operation, in program order. */
  readonly operations: readonly OperationPlan[];
  /** Task ids in execution order (`op#k` shards, `op#combine#b` combines); derived when absent. */
  readonly order?: readonly string[];
  /**
   * When present, `program` is `recompute.program` with `recompute.tensors` recomputed, and
   * `operations` plans each copy like the operation it copies. Every consumer runs the
   * program as it stands; only the plan file stores the program before the rewrite.
   */
  readonly recompute?: Recomputation;
}
