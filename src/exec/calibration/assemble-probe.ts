import type { InputCopyCost } from "../../cluster/cluster.js";
import { program } from "../../frontend/tensor-program.js";
import type { Program } from "../../ir/program.js";
import { deviceNames, makePlan } from "../../plan/make-plan.js";
import type { Plan } from "../../plan/plan.js";
import type { LocalExecutor } from "../local/local-executor.js";
import { randomInputs } from "../reference/random-inputs.js";
import { fastest } from "./fastest.js";
import { median } from "./median.js";

/** The copies a worker makes before a task's kernel, measured, with how. */
export interface AssembleProbe {
  /** Per copied piece (`latency`), per contiguous run (`perRun`) and per copied byte (`1 / bandwidth`). */
  readonly cost: InputCopyCost;
  readonly repeats: number;
  /** Assembling tasks per chain (one chain per worker, all at once). */
  readonly chain: number;
  /** Float32 elements of the operand assembled in the small and in the large runs (one run per piece). */
  readonly smallElements: number;
  readonly largeElements: number;
  /** Shape of the operand assembled from its two column halves (one run per row and piece). */
  readonly rowsShape: readonly [number, number];
}

/**
 * Measures what the local executor's workers spend copying a task's inputs before its kernel
 * (`ExecutorOverheads.assemble`): chains of `relu` pairs, one chain per worker at once, where
 * each pair's first `relu` is cut in two shards on the chain's device and its second reads
 * the whole, so the worker writes both halves into one fresh buffer (two copied pieces) —
 * against the same chains left whole, whose second `relu`s read their operand as it is held.
 * The extra busy time of the second `relu`s (the median task of a run, fastest of `repeats`
 * runs): for a vector of `small` elements cut in two (two runs) it gives the latency per copied
 * piece, its growth to `large` elements the bandwidth, and a `rows[0] × rows[1]` matrix cut in
 * two column halves (a run per row and half) what each further run costs.
 */
export async function probeAssemble(
  executor: LocalExecutor,
  options: {
    readonly repeats: number;
    readonly chain: number;
    readonly small: number;
    readonly large: number;
    readonly rows: readonly [number, number];
  },
): Promise<AssembleProbe> {
  const extra = async (shape: readonly number[]): Promise<number> => {
    const prog = pairChains(options.chain, executor.threads, shape);
    const cut = pairPlan(prog, executor.threads, shape.length - 1);
    const whole = pairPlan(prog, executor.threads, undefined);
    const inputs = randomInputs(prog, 1);
    await executor.run(cut, inputs);
    await executor.run(whole, inputs);
    const cutTimes: number[] = [];
    const wholeTimes: number[] = [];
    for (let r = 0; r < options.repeats; r++) {
      cutTimes.push(await readerBusy(executor, cut, inputs));
      wholeTimes.push(await readerBusy(executor, whole, inputs));
    }
    return fastest(cutTimes) - fastest(wholeTimes);
  };
  const small = await extra([options.small]);
  const large = await extra([options.large]);
  const [r, c] = options.rows;
  const rows = await extra([r, c]);
  // Two pieces copied per assembled operand; noise must not give a negative latency or cost per
  // run, nor an absurd rate (at most 100 GB/s, beyond any memory copy of this kind).
  // A small piece is one copy of one run: its cost is the latency and one run's.
  const perPiece = Math.max(0, small / 2);
  const extraBytes = 4 * (options.large - options.small);
  const bandwidth = extraBytes / Math.max(large - small, extraBytes * 1e-11, 1e-9);
  // The matrix's halves are `r` runs each: what they cost beyond one run per piece and the bytes.
  const perRun = Math.max(0, (rows - 2 * perPiece - (4 * r * c) / bandwidth) / (2 * r - 2));
  const latency = Math.max(0, perPiece - perRun);
  return {
    cost: { bandwidth, latency, perRun },
    repeats: options.repeats,
    chain: options.chain,
    smallElements: options.small,
    largeElements: options.large,
    rowsShape: [r, c],
  };
}

/** The median busy seconds of the assembling (second) `relu`s of one run of `plan`. */
async function readerBusy(executor: LocalExecutor, plan: Plan, inputs: Parameters<LocalExecutor["run"]>[1]) {
  const result = await executor.run(plan, inputs);
  const busy = result.stats.trace.tasks.filter((t) => t.task.includes("_read")).map((t) => t.busyMs);
  return median(busy) / 1000;
}

/** `count` chains of `length` (`relu` `…_cut`, `relu` `…_read`) pairs over `shape` float32s, chain `c`'s named `chain${c}_…`. */
function pairChains(length: number, count: number, shape: readonly number[]): Program {
  const p = program("calibrate-assemble");
  for (let c = 0; c < count; c++) {
    let x = p.input(`x${c}`, shape);
    for (let i = 0; i < length; i++) {
      x = p.relu(x, { id: `chain${c}_cut${i}` });
      x = p.relu(x, { id: `chain${c}_read${i}` });
    }
    p.output(`y${c}`, x);
  }
  return p.build();
}

/** Chain `c` on device `c`; with `cutDim`, every `…_cut` relu in two shards along it (both on that device). */
function pairPlan(prog: Program, threads: number, cutDim: number | undefined): Plan {
  const devices = deviceNames(threads);
  const device = (id: string) => devices[Number(/^chain(\d+)_/.exec(id)![1])]!;
  const isCut = (id: string) => cutDim !== undefined && id.includes("_cut");
  return makePlan(prog, {
    devices,
    splits: Object.fromEntries(
      prog.operations.filter((o) => isCut(o.id)).map((o) => [o.id, [{ dim: cutDim!, parts: 2 }]]),
    ),
    placement: Object.fromEntries(
      prog.operations.map((o) => [o.id, Array.from({ length: isCut(o.id) ? 2 : 1 }, () => device(o.id))]),
    ),
  });
}
