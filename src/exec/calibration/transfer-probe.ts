import { program } from "../../frontend/tensor-program.js";
import type { Program } from "../../ir/program.js";
import { makePlan } from "../../plan/make-plan.js";
import type { LocalExecutor } from "../local/local-executor.js";
import { randomInputs } from "../reference/random-inputs.js";
import { fastest } from "./fastest.js";
import { median } from "./median.js";
import { reluChain } from "./relu-chain.js";

/** How much the transfer probe measures. */
export interface TransferProbeOptions {
  /** Tasks of each chain (≥ 2): the chain on two devices moves one region per task after the first. */
  readonly chain: number;
  /** Float32 elements of the region moved in the small and in the large chains. */
  readonly small: number;
  readonly large: number;
  /**
   * Float32 elements each step of the idle-receiver chain computes on its own device before its
   * one-element result moves on (the receiver idles for that long); 0 skips that chain.
   */
  readonly idle: number;
  /** Timed runs of each chain; the fastest counts. */
  readonly repeats: number;
}

/** What a worker-to-worker transfer costs inside a run of the local executor. */
export interface TransferProbe {
  /** Worker threads of the executor measured (the transfers go between its first two). */
  readonly workers: number;
  /**
   * Seconds a small transfer adds to a run: the larger of the tight chain's figure and the
   * idle-receiver chain's (`idleLatency`).
   */
  readonly latency: number;
  /** Seconds a one-element transfer adds when its receiver has idled for a step of `idle` elements; 0 when not measured. */
  readonly idleLatency: number;
  /** Bytes per second of the extra bytes of the large transfers over the small ones. */
  readonly bandwidth: number;
  readonly chain: number;
  readonly smallBytes: number;
  readonly largeBytes: number;
  readonly idleElements: number;
  readonly repeats: number;
}

/**
 * Measures transfers the way a run makes them, on a running local executor of ≥ 2 threads:
 * a chain of `chain` `relu`s over a region of `small` (then `large`) float32 elements, run once
 * all on device 0 and once alternating between devices 0 and 1, so that every task after the
 * first reads its input from the other device. A transfer costs the difference of the two
 * compute phases over the `chain − 1` transfers: the sender's copy out, the message, the
 * receiver's copy in and the coordinator's round trip before the reader starts (each chain pays
 * its dispatches alike). The small chain's figure is the latency; the extra seconds of the large
 * one per extra byte give the bandwidth. A third chain of steps that each compute over `idle`
 * elements on their own device and pass one element on measures a transfer into a worker that
 * has idled for a step (`idleLatency`); the latency is the larger of the two. Fastest of
 * `repeats` runs after one untimed run of each; never less than the median transfer's traced
 * time from the send order to its arrival.
 *
 * A probe of separate threads pushing pieces around a ring measured neither the round trip nor
 * the run's allocation pattern, and was off by up to 10× against the executor's traces.
 */
export async function probeTransfers(
  executor: LocalExecutor,
  options: TransferProbeOptions,
): Promise<TransferProbe> {
  /**
   * Seconds per transfer of a chain program whose operation `i` belongs to step `stepOf(i)`:
   * the compute phases' difference between its steps alternating devices and all on one, and
   * the traced arrivals' median.
   */
  const perTransfer = async (
    prog: Program,
    stepOf: (i: number) => number,
  ): Promise<{ extra: number; traced: number }> => {
    const on = (device: (step: number) => string) =>
      makePlan(prog, {
        devices: ["d0", "d1"],
        placement: Object.fromEntries(prog.operations.map((o, i) => [o.id, [device(stepOf(i))]])),
      });
    const plans = [on(() => "d0"), on((step) => (step % 2 === 0 ? "d0" : "d1"))];
    const inputs = randomInputs(prog, 1);
    for (const p of plans) await executor.run(p, inputs);
    const compute: number[][] = [[], []];
    const arrivals: number[] = [];
    for (let r = 0; r < options.repeats; r++)
      for (const [i, p] of plans.entries()) {
        const { stats } = await executor.run(p, inputs);
        compute[i]!.push(stats.phases.computeMs);
        for (const t of stats.trace.transfers) arrivals.push(t.arrivedMs - t.sentMs);
      }
    const extra = (fastest(compute[1]!) - fastest(compute[0]!)) / 1000 / (options.chain - 1);
    return { extra, traced: median(arrivals) / 1000 };
  };
  const small = await perTransfer(reluChain("calibrate-transfers", options.chain, options.small), (i) => i);
  const large = await perTransfer(reluChain("calibrate-transfers", options.chain, options.large), (i) => i);
  // In a plan a device often idles for a task or more before its input arrives, and an idle
  // worker thread is slow to wake on a virtual machine: the tight chain (each worker idles for
  // one tiny task) does not see that, so a chain of longer steps measures it too.
  const idle =
    options.idle > 0
      ? await perTransfer(idleChainProgram(options.chain, options.idle), (i) => Math.floor(i / 2))
      : undefined;
  const idleLatency = idle === undefined ? 0 : Math.max(idle.extra, idle.traced);
  // A noisy run can make the alternating chain look as fast as the one-device one: a transfer
  // never costs less than its own message path, sender to receiver, as the trace timed it.
  const latency = Math.max(small.extra, small.traced, idleLatency);
  const largeSeconds = Math.max(large.extra, large.traced);
  const extraBytes = 4 * (options.large - options.small);
  return {
    workers: executor.threads,
    latency,
    idleLatency,
    bandwidth: extraBytes / Math.max(largeSeconds - Math.max(small.extra, small.traced), largeSeconds / 10),
    chain: options.chain,
    smallBytes: 4 * options.small,
    largeBytes: 4 * options.large,
    idleElements: options.idle,
    repeats: options.repeats,
  };
}

/**
 * `length` steps, each `add(x, r)` over `elements` float32 elements then its `mean` into the
 * one-element `r` of the next step: a step computes on its own device's copy of `x`, and only
 * four bytes move between steps.
 */
function idleChainProgram(length: number, elements: number): Program {
  const p = program("calibrate-idle-transfers");
  const x = p.input("x", [elements]);
  let r = p.input("r", [1]);
  for (let i = 0; i < length; i++) {
    const y = p.add(x, r, { id: `add${i}` });
    r = p.mean(y, { dims: [0] }, { id: `mean${i}` });
  }
  p.output("y", r);
  return p.build();
}
