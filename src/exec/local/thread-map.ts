import { TesseraError } from "../../base/errors.js";

/** Which OS thread stands for which devices: `threads` workers, devices dealt over them. */
export interface ThreadMap {
  readonly threads: number;
  /** The devices of each thread, in plan order. */
  readonly devicesOf: readonly (readonly string[])[];
  /** The thread of a device; throws `unknown_device` for a device not in the plan. */
  threadOf(device: string): number;
}

/**
 * Maps the plan's devices onto at most `cap` threads, round-robin in device order (device `i`
 * on thread `i mod n`, `n = min(cap, #devices)`), so 4 devices on 2 threads pair d0+d2, d1+d3.
 * With no devices there is still one thread, which simply has nothing to run.
 */
export function mapDevicesToThreads(devices: readonly string[], cap: number): ThreadMap {
  const threads = Math.max(1, Math.min(cap, devices.length));
  const devicesOf = Array.from({ length: threads }, (_, t) => devices.filter((_, i) => i % threads === t));
  const index = new Map(devices.map((d, i) => [d, i % threads]));
  return {
    threads,
    devicesOf,
    threadOf: (device) => {
      const t = index.get(device);
      if (t === undefined) {
        throw new TesseraError(
          "unknown_device",
          `'${device}' is not one of the plan's devices (${devices.join(", ")})`,
          { device },
        );
      }
      return t;
    },
  };
}
