import type { Region } from "../../kernels/region.js";
import type { InitialLoad } from "./initial-loads.js";

/** How a load is named in a worker across runs: device, source key and box. */
export function loadId(load: InitialLoad): string {
  return `${load.device}|${load.key}|${load.range}`;
}

/**
 * The coordinator's record of the program-input regions each worker keeps between runs (runs
 * with `keepInputs`), by load id, with the input value each was copied from. A later run that
 * passes the very same value (same region object, same data array) for the same load reuses
 * the worker's copy instead of copying it again. It mirrors the workers exactly: a run's
 * `begin` tells each of its threads which kept loads it reuses, the worker drops the others,
 * and the run's new loads are kept in their place.
 */
export class KeptInputs {
  private readonly threads: Map<string, Region>[];

  /** Nothing kept yet on any of `threads` threads. */
  constructor(threads: number) {
    this.threads = Array.from({ length: threads }, () => new Map());
  }

  /** True when `thread` keeps a copy of exactly `load` (same id, same value object, same data). */
  has(thread: number, load: InitialLoad): boolean {
    const kept = this.threads[thread]!.get(loadId(load));
    return kept !== undefined && kept === load.value && kept.data === load.value.data;
  }

  /** Records what `thread` keeps after a run: the loads it reused and the ones it was sent to keep. */
  replace(thread: number, loads: readonly InitialLoad[]): void {
    this.threads[thread] = new Map(loads.map((l) => [loadId(l), l.value]));
  }

  /** Forgets everything (after a failed run): the next run with `keepInputs` copies its inputs again. */
  clear(): void {
    for (let t = 0; t < this.threads.length; t++) this.threads[t] = new Map();
  }
}
