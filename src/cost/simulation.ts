import type { CollectiveKind } from "./collectives.js";
import type { Pricing } from "./context.js";
import type { CostModel } from "./cost-model.js";
import type { MemoryBreakdown } from "./memory-kinds.js";

/** The simulation output format version. */
export const SIMULATION_VERSION = 1;

/** Options of a simulation. */
export interface SimulationOptions {
  /**
   * `point-to-point` (default) prices every derived transfer on its own; `collective` prices
   * recognised collectives (see `Timeline.collectives`) with the ring formulas.
   */
  readonly pricing?: Pricing;
  /** The per-task work model; `DEFAULT_COST_MODEL` when absent. */
  readonly costModel?: CostModel;
}

/** Bytes moved per link class. */
export interface LinkClassBytes {
  readonly intra: number;
  readonly inter: number;
}

/** What a plan costs on a cluster: the objectives of the search, and feasibility. Units: seconds, bytes. */
export interface CostVector {
  /** When the last task ends. */
  readonly makespan: number;
  /** Peak live bytes per plan device (resident inputs included). */
  readonly peakMemory: Readonly<Record<string, number>>;
  readonly maxPeakMemory: number;
  /** Bytes on the wire per link class: derived transfers, or ring traffic for collectives priced as rings. */
  readonly bytesByLinkClass: LinkClassBytes;
  /** Plan devices that run a task or hold program inputs. */
  readonly devicesUsed: number;
  /** True when every device's peak fits its memory. */
  readonly feasible: boolean;
}

/** A task running on a device over `[start, end)`. */
export interface ComputeInterval {
  readonly task: string;
  readonly device: string;
  readonly start: number;
  readonly end: number;
  readonly flops: number;
}

/** A derived transfer in flight over `[start, end)` (end = arrival, latency included). */
export interface TransferInterval {
  /** The transfer's id in `deriveTaskGraph(plan).transfers`. */
  readonly id: number;
  readonly tensor: string;
  readonly from: string;
  readonly to: string;
  readonly cls: "intra" | "inter";
  readonly start: number;
  readonly end: number;
  readonly bytes: number;
  /** Index into `Timeline.collectives` when the transfer belongs to a recognised collective. */
  readonly collective?: number;
}

/** A recognised collective and how it was priced. */
export interface CollectiveUse {
  readonly kind: CollectiveKind;
  /** Its devices, in ring order. */
  readonly devices: readonly string[];
  /** The reduced or gathered block's size. */
  readonly bytes: number;
  /** `ring` under collective pricing, else `point-to-point` (recognised but priced transfer by transfer). */
  readonly pricing: "point-to-point" | "ring";
  /** Ids of its transfers. */
  readonly transfers: readonly number[];
}

/** When and where everything happened. */
export interface Timeline {
  /** The cluster device each plan device ran on. */
  readonly devices: Readonly<Record<string, string>>;
  readonly compute: readonly ComputeInterval[];
  readonly transfers: readonly TransferInterval[];
  readonly collectives: readonly CollectiveUse[];
}

/** A plan's simulation: its cost vector and the timeline behind it (plain JSON data). */
export interface Simulation {
  readonly version: typeof SIMULATION_VERSION;
  readonly pricing: Pricing;
  readonly cost: CostVector;
  readonly timeline: Timeline;
  /**
   * Per plan device, its peak and what the peak held by kind (`memoryKinds`): weights,
   * optimizer states, gradients, activations kept for the backward, transient. The kinds sum
   * to the peak, which equals `cost.peakMemory`. Absent in simulations written before it existed.
   */
  readonly memory?: Readonly<Record<string, MemoryBreakdown>>;
}
