/**
 * The messages between the local executor's coordinator (main thread) and its worker threads,
 * and between workers. Everything is plain data: ranges as `{start, end}`, regions as typed
 * arrays, errors as `WireError`. The coordinator holds the task graph and says what to do;
 * workers hold the data and move it to each other directly.
 */
import type { MessagePort } from "node:worker_threads";
import type { DType } from "../../base/dtype.js";
import type { Context, JsonValue } from "../../base/json.js";
import type { Monoid } from "../../kernels/signature.js";
import type { BackendName, BackendStats } from "../backend/kernel-backend.js";
import type { WireRange, WireRegion } from "./region-wire.js";

/**
 * A testing hook: make the worker running `task` fail on purpose, by throwing in place of the
 * kernel (`throw`, surfacing as `task_failed`) or by ending its thread with `process.exit(1)`
 * (`exit`, surfacing as `worker_crashed`). Not for production use.
 */
export interface FaultInjection {
  readonly task: string;
  readonly kind: "throw" | "exit";
}

/** What a worker is started with (`workerData`): what stays the same for every run of its pool. */
export interface WorkerInit {
  readonly thread: number;
  /** Absolute paths of kernel declaration files to add to the built-in registry. */
  readonly kernelFiles: readonly string[];
  readonly backend: BackendName;
  /** A port to every other thread by thread number; `null` at this thread's own index. */
  readonly peers: readonly (MessagePort | null)[];
}

/** What a worker needs to take part in one run (the `begin` message). */
export interface RunStart {
  /** The run's number in its pool: increasing, never reused; pieces carry it. */
  readonly run: number;
  /** The devices this thread stands for in this run. */
  readonly devices: readonly string[];
  /** The program as JSON, validated by the coordinator: the worker decodes it without re-validating. */
  readonly program: JsonValue;
  readonly fault: FaultInjection | null;
  /** Program-input loads kept from earlier runs that this run reuses; the thread drops its other kept loads. */
  readonly keep: readonly string[];
}

/** A box of a source that a task reads, for one of its operands. */
export interface PieceRef {
  readonly operand: string;
  readonly key: string;
  readonly range: WireRange;
}

/** An output a task writes into its device's store. */
export interface OutputRef {
  readonly name: string;
  readonly key: string;
  readonly dtype: DType;
  readonly range: WireRange;
}

/** Run one shard: assemble each input from its pieces, run the kernel, store the outputs. */
export interface ShardOrder {
  readonly kind: "shard";
  readonly id: string;
  readonly op: string;
  readonly device: string;
  readonly range: WireRange;
  /** Each input operand's region: the projection of `range` clipped to the selection. */
  readonly needs: readonly { readonly operand: string; readonly dtype: DType; readonly range: WireRange }[];
  readonly pieces: readonly PieceRef[];
  readonly outputs: readonly OutputRef[];
}

/** Fold the partials of one output block (pieces whose operand is the output name). */
export interface CombineOrder {
  readonly kind: "combine";
  readonly id: string;
  readonly op: string;
  readonly device: string;
  readonly monoid: Monoid;
  readonly pieces: readonly PieceRef[];
  readonly outputs: readonly OutputRef[];
}

/** A task as a worker receives it. */
export type TaskOrder = ShardOrder | CombineOrder;

/** An error as plain data (a `TesseraError`'s code and context survive the trip). */
export interface WireError {
  readonly message: string;
  readonly code: string | null;
  readonly context: Context;
  readonly issues: readonly JsonValue[];
}

/**
 * Coordinator → worker. Everything between a `begin` and its `end` belongs to that run (one
 * port, so the worker sees them in order).
 */
export type ToWorker =
  /** Start a run: decode its program, start with empty stores. */
  | ({ readonly type: "begin" } & RunStart)
  /**
   * Hold `region` of program input `key` on `device` (pre-distributed or home-placed); with
   * `keepAs`, keep it after the run too, under that load id (see `KeptInputs`).
   */
  | {
      readonly type: "load";
      readonly device: string;
      readonly key: string;
      readonly region: WireRegion;
      readonly keepAs: string | null;
    }
  /** Send transfer `transfer`: `range` of `key` held on `from` to device `to` on thread `thread`. */
  | {
      readonly type: "send";
      readonly transfer: number;
      readonly from: string;
      readonly to: string;
      readonly thread: number;
      readonly key: string;
      readonly range: WireRange;
    }
  | { readonly type: "run"; readonly task: TaskOrder }
  /** Reply with a copy of `range` of `key` held on `device` (program outputs at the end). */
  | {
      readonly type: "fetch";
      readonly request: number;
      readonly device: string;
      readonly key: string;
      readonly range: WireRange;
    }
  /** End the run: wait for its running task, drop its stores, report its backend counters. */
  | { readonly type: "end" }
  /** Release the backend and report its counters; the coordinator terminates the thread next. */
  | { readonly type: "close" };

/** Worker → coordinator. */
export type FromWorker =
  | { readonly type: "ready" }
  | { readonly type: "init-failed"; readonly error: WireError }
  /** Transfer `transfer` is stored on its receiving device: `bytes` counted at the receiver. */
  | { readonly type: "arrived"; readonly transfer: number; readonly bytes: number }
  | { readonly type: "done"; readonly task: string; readonly busyMs: number }
  | { readonly type: "failed"; readonly task: string; readonly error: WireError }
  | { readonly type: "fetched"; readonly request: number; readonly region: WireRegion }
  /** Something other than a task went wrong (a protocol violation: a bug). */
  | { readonly type: "fault"; readonly during: string; readonly error: WireError }
  /**
   * The run ended here: backend counters during the run and since the thread started, and the
   * buffers of the run's input loads (not kept ones), moved back for the coordinator to reuse.
   */
  | {
      readonly type: "ended";
      readonly backend: BackendStats;
      readonly total: BackendStats;
      readonly buffers: readonly ArrayBuffer[];
    }
  | { readonly type: "closed"; readonly backend: BackendStats };

/** Worker → worker, over the port between their threads: one transfer's bytes. */
export interface PieceMessage {
  readonly type: "piece";
  /** The run it belongs to: a piece of a failed run may still arrive during a later one. */
  readonly run: number;
  readonly transfer: number;
  readonly to: string;
  readonly key: string;
  readonly region: WireRegion;
}
