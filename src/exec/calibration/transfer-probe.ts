import { program } from "../../frontend/tensor-program.js";
import type { Program } from "../../ir/program.js";
import { makePlan } from "../../plan/make-plan.js";
import type { LocalExecutor } from "../local/local-executor.js";
import { randomInputs } from "../reference/random-inputs.js";
import { fastest } from "./fastest.js";
import { median } from "./median.js";

/** How much the transfer probe measures. */
export interface TransferProbeOptions {
  /** Tasks of each chain (≥ 2): the chain on two devices moves one region per task after the first. */
  readonly chain: number;
  /** Float32 elements of the region moved in the small and in the large chains. */
  readonly small: number;
  readonly large: number;
  /** Timed runs of each chain; the fastest counts. */
  readonly repeats: number;
}

/** What a worker-to-worker transfer costs inside a run of the local executor. */
export interface TransferProbe {
  /** Worker threads of the executor measured (the transfers go between its first two). */
  readonly workers: number;
  /** Seconds a transfer of `small` elements adds to a run. */
  readonly latency: number;
  /** Bytes per second of the extra bytes of the large transfers over the small ones. */
  readonly bandwidth: number;
  readonly chain: number;
  readonly smallBytes: number;
  readonly largeBytes: number;
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
 * one per extra byte give the bandwidth. Fastest of `repeats` runs after one untimed run of each;
 * never less than the median transfer's traced time from the send order to its arrival.
 *
 * A probe of separate threads pushing pieces around a ring measured neither the round trip nor
 * the run's allocation pattern, and was off by up to 10× against the executor's traces.
 */
export async function probeTransfers(
  executor: LocalExecutor,
  options: TransferProbeOptions,
): Promise<TransferProbe> {
  /** Seconds per transfer of `elements`: the compute phases' difference, and the traced arrivals' median. */
  const perTransfer = async (elements: number): Promise<{ extra: number; traced: number }> => {
    const prog = chainProgram(options.chain, elements);
    const on = (device: (i: number) => string) =>
      makePlan(prog, {
        devices: ["d0", "d1"],
        placement: Object.fromEntries(prog.operations.map((o, i) => [o.id, [device(i)]])),
      });
    const plans = [on(() => "d0"), on((i) => (i % 2 === 0 ? "d0" : "d1"))];
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
  const small = await perTransfer(options.small);
  const large = await perTransfer(options.large);
  // A noisy run can make the alternating chain look as fast as the one-device one: a transfer
  // never costs less than its own message path, sender to receiver, as the trace timed it.
  const latency = Math.max(small.extra, small.traced);
  const largeSeconds = Math.max(large.extra, large.traced);
  const extraBytes = 4 * (options.large - options.small);
  return {
    workers: executor.threads,
    latency,
    bandwidth: extraBytes / Math.max(largeSeconds - latency, largeSeconds / 10),
    chain: options.chain,
    smallBytes: 4 * options.small,
    largeBytes: 4 * options.large,
    repeats: options.repeats,
  };
}

function chainProgram(length: number, elements: number): Program {
  const p = program("calibrate-transfers");
  let x = p.input("x", [elements]);
  for (let i = 0; i < length; i++) x = p.relu(x, { id: `relu${i}` });
  p.output("y", x);
  return p.build();
}
