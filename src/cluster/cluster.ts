import type { DType } from "../base/dtype.js";

/** What one kind of device can do. Units: FLOP/s, bytes, bytes/s, seconds. */
export interface DeviceType {
  /** Peak arithmetic rate per dtype; a dtype absent here cannot run on the device. */
  readonly peakFlops: Readonly<Partial<Record<DType, number>>>;
  readonly memoryBytes: number;
  readonly memoryBandwidth: number;
  /** Fixed cost of starting one kernel (launch, scheduling), added to every shard priced by the roofline. */
  readonly launchOverhead: number;
  /**
   * Measured run times of kernel classes by size, which replace the roofline (and the launch
   * overhead) for the kernels they name; see `KernelTable`. Absent: every kernel is priced by
   * the roofline.
   */
  readonly kernels?: readonly KernelTable[];
}

/**
 * Measured seconds of one class of kernels on one device type, by the task's size: its FLOPs
 * (`by: "flops"`, compute-bound kernels) or its bytes read and written (`by: "bytes"`,
 * memory-bound ones), both counted as the simulator's cost model counts them. `points` are
 * `[size, seconds]` with sizes strictly increasing; seconds between two points are interpolated
 * linearly in log–log space; below the first point a task costs the first point's seconds (the
 * fixed cost dominates), above the last it runs at the last point's rate.
 */
export interface KernelTable {
  /** Kernel ids the table prices (`combine` for the folds of split reductions). */
  readonly kernels: readonly string[];
  readonly dtype: DType;
  readonly by: "flops" | "bytes";
  readonly points: readonly (readonly [number, number])[];
  /**
   * Optional, `by: "flops"` tables only: measured single products `[m, k, n, seconds]`
   * (`m × k · k × n`, 2·m·k·n FLOPs). A contraction task (one with a GEMM shape, see the cost
   * model's `gemmShape`) is priced by `points` at its FLOPs times a shape factor interpolated
   * from these (each point's seconds over `points`' seconds at its FLOPs), so shards of equal
   * FLOPs but different aspect ratios get different seconds; other tasks, and every task when
   * absent, are priced by `points` alone.
   */
  readonly shapes?: readonly (readonly [number, number, number, number])[];
  /**
   * How many devices of one host computed at once when the table was measured (they share the
   * host's memory bandwidth and caches). A task runs at the rate of the table whose `busy` is
   * the smallest at least the number of its host's devices computing at that moment (else the
   * largest); absent, the table counts as measured with all of them busy.
   */
  readonly busy?: number;
}

/** The kinds of executor whose costs around kernels a cluster can describe. */
export type ExecutorKind = "local" | "distributed";

/** A fixed cost per message plus a rate: `latency + bytes / bandwidth`. */
export interface CopyCost {
  readonly bandwidth: number;
  readonly latency: number;
}

/**
 * What one copy of a task's input costs: `latency + runs · perRun + bytes / bandwidth`, where
 * runs are the copy's contiguous stretches (a narrow piece of a wide region has one per row).
 */
export interface InputCopyCost extends CopyCost {
  readonly perRun: number;
}

/**
 * What an executor adds around the kernels of a run, in seconds: starting the run (checking
 * the plan, deriving its tasks, telling the workers), loading program inputs into the devices
 * (one copy per device region, before the first task), dispatching each task (the coordinator's
 * round trip between a task's end and the next task's start on that device), fetching the
 * outputs, and ending the run. Measured by `tessera calibrate` for the executor it calibrates.
 */
export interface ExecutorOverheads {
  readonly kind: ExecutorKind;
  readonly runStart: number;
  /** Added per task to the run start (deriving and ordering the task graph grows with it). */
  readonly runStartPerTask: number;
  readonly load: CopyCost;
  readonly taskDispatch: number;
  /**
   * Dispatch per task while other devices of its host compute (the coordinator then competes
   * with busy workers for the cores); `taskDispatch` when absent.
   */
  readonly taskDispatchBusy?: number;
  /**
   * Dispatch per byte of the task's output, on top of `taskDispatch`: the round trip after a
   * large task is slower (freeing and allocating its buffers); 0 when absent.
   */
  readonly taskDispatchPerByte?: number;
  /**
   * Copies a worker makes before a task's kernel: a piece cut out of a larger region it holds,
   * or an operand written together from several pieces into one buffer. Added to the task's
   * duration; absent, such copies are free (as they were before it was measured).
   */
  readonly assemble?: InputCopyCost;
  readonly fetch: CopyCost;
  readonly runEnd: number;
}

/** A point-to-point link class: bandwidth per direction per device port, and latency per message. */
export interface Link {
  readonly bandwidth: number;
  readonly latency: number;
}

/** One device of the cluster. */
export interface Device {
  readonly id: string;
  readonly host: string;
  readonly type: string;
}

/** A host: its devices share the intra-host link class. */
export interface Host {
  readonly id: string;
  readonly devices: readonly string[];
}

/** A link class override: inside one host (`hosts` of length 1) or between two hosts. */
export interface LinkOverride {
  readonly hosts: readonly [string] | readonly [string, string];
  readonly link: Link;
}

/** A cluster, expanded: every host and device listed, ids `host.dK`. */
export interface Cluster {
  readonly name: string;
  readonly description?: string;
  readonly sources: readonly string[];
  readonly deviceTypes: Readonly<Record<string, DeviceType>>;
  readonly hosts: readonly Host[];
  readonly devices: readonly Device[];
  readonly intraHost: Link;
  readonly interHost: Link;
  readonly overrides: readonly LinkOverride[];
  /** The costs the executor adds around kernels; absent, a plan is priced by its kernels and transfers alone. */
  readonly executor?: ExecutorOverheads;
}

/** Which class of link connects two devices. */
export type LinkClass = "local" | "intra" | "inter";
