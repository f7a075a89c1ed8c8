import type { Program } from "../ir/program.js";
import type { OperationSharding } from "../shard/operation-sharding.js";

/** The plan format version this Tessera reads and writes. */
export const PLAN_VERSION = 1;

/** How one operation runs: its grid sharding, a device per shard and per combine step. */
export interface OperationPlan {
  readonly op: string;
  readonly sharding: OperationSharding;
  /** One device per shard, in the sharding's row-major grid order. */
  readonly devices: readonly string[];
  /** One device per combine step (output block) when a reduction is split; default each block's first shard's device. */
  readonly combineDevices?: readonly string[];
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
}
