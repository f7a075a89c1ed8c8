import type { DType } from "../../base/dtype.js";
import type { ExecutorOverheads } from "../../cluster/cluster.js";
import { DEFAULT_COST_MODEL } from "../../cost/cost-model.js";
import type { GemmShape } from "../../cost/gemm-shape.js";
import { program } from "../../frontend/tensor-program.js";
import type { Program } from "../../ir/program.js";
import { deviceNames, makePlan } from "../../plan/make-plan.js";
import { gridSharding, wholeSharding } from "../../shard/operation-sharding.js";
import { combineGeometry, shardGeometry } from "../../shard/shard-geometry.js";
import type { LocalExecutor } from "../local/local-executor.js";
import type { LocalRunResult } from "../local/run-result.js";
import { randomInputs } from "../reference/random-inputs.js";
import { fastest } from "./fastest.js";
import { KERNEL_CLASSES, type KernelClass, kernelProgram } from "./kernel-grid.js";
import { median } from "./median.js";
import { reluChain } from "./relu-chain.js";

/** One kernel shape timed inside the executor's workers: its size as the cost model counts it, and seconds per task. */
export interface KernelSample {
  readonly shape: readonly number[];
  /** FLOPs or bytes (as the class is keyed), by `DEFAULT_COST_MODEL`. */
  readonly size: number;
  /** Fastest over runs of the median worker's busy time for its one task. */
  readonly seconds: number;
  /** The product a contraction's task amounts to (`gemmShape`), for the table's shape points; absent for other kernels. */
  readonly gemm?: GemmShape;
}

/** A kernel class measured over its grid of shapes. */
export interface KernelClassProbe {
  readonly name: string;
  readonly kernels: readonly string[];
  readonly dtype: DType;
  readonly by: "flops" | "bytes";
  readonly samples: readonly KernelSample[];
  readonly repeats: number;
  /** Copies that ran at once, one per worker: the `busy` level of the table measured from it. */
  readonly busy: number;
  /** `native` when the backend's own engine ran every sample, `reference` when any fell back. */
  readonly engine: "native" | "reference";
}

/** What the executor adds around kernels, measured, with how many runs each figure is the fastest of. */
export interface ExecutorProbe {
  readonly overheads: ExecutorOverheads;
  readonly repeats: number;
  /** Tasks of the chain whose gaps give the dispatch time, and the element counts of the load/fetch runs. */
  readonly chain: number;
  /** Float32 elements of each chain task: its kernel lasts about as long as a plan's tasks do. */
  readonly taskElements: number;
  /** Float32 elements of each task of the second chain, whose extra lag per byte is `taskDispatchPerByte`. */
  readonly largeTaskElements: number;
  readonly smallElements: number;
  readonly largeElements: number;
}

/**
 * Times every kernel class of `KERNEL_CLASSES` over its grid (`quick`: a smaller one) on a
 * running executor: for each shape, `copies` copies of the operation (default one per worker),
 * each on its own worker, so that many workers compute at once as in a run; one untimed run
 * (sessions), then `repeats` runs, each giving the median busy worker's time for its task; the
 * fastest run counts.
 */
export async function probeKernelClasses(
  executor: LocalExecutor,
  options: {
    readonly quick: boolean;
    readonly repeats: number;
    readonly copies?: number;
    readonly onClass?: (name: string) => void;
  },
): Promise<KernelClassProbe[]> {
  const copies = Math.max(1, Math.min(options.copies ?? executor.threads, executor.threads));
  const out: KernelClassProbe[] = [];
  for (const cls of KERNEL_CLASSES) {
    options.onClass?.(cls.name);
    const samples: KernelSample[] = [];
    let native = true;
    for (const shape of options.quick ? cls.quickShapes : cls.shapes) {
      const s = await timeKernel(executor, cls, shape, options.repeats, copies);
      native &&= s.native;
      samples.push({
        shape: shape.slice(),
        size: s.size,
        seconds: s.seconds,
        ...(s.gemm === undefined ? {} : { gemm: s.gemm }),
      });
    }
    out.push({
      name: cls.name,
      kernels: cls.kernels,
      dtype: cls.dtype,
      by: cls.by,
      samples,
      repeats: options.repeats,
      busy: copies,
      engine: native ? "native" : "reference",
    });
  }
  return out;
}

async function timeKernel(
  executor: LocalExecutor,
  cls: KernelClass,
  shape: readonly number[],
  repeats: number,
  copies: number,
): Promise<{ size: number; seconds: number; native: boolean; gemm?: GemmShape }> {
  const prog = kernelProgram(cls, shape, copies);
  const devices = deviceNames(executor.threads);
  const split = cls.split;
  // With a split, every piece of copy i (its shards and their combine) runs on worker i.
  const pieces = split === undefined ? 1 : split.parts;
  const placement = Object.fromEntries(
    prog.operations.map((op, i) => [op.id, Array.from({ length: pieces }, () => devices[i]!)]),
  );
  const splits = split === undefined ? {} : Object.fromEntries(prog.operations.map((op) => [op.id, [split]]));
  const plan = makePlan(prog, { devices, placement, splits });
  const inputs = randomInputs(prog, 1);
  const first = await executor.run(plan, inputs);
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const result = await executor.run(plan, inputs);
    const busy =
      split === undefined
        ? result.stats.perThread.filter((t) => t.tasks > 0).map((t) => t.busyMs)
        : result.stats.trace.tasks.filter((t) => t.task.includes("#combine#")).map((t) => t.busyMs);
    times.push(median(busy) / 1000);
  }
  const op = prog.operations[0]!;
  const sharding = split === undefined ? wholeSharding(op) : gridSharding(op, [split]);
  const shards = shardGeometry(op, sharding);
  const work =
    split === undefined
      ? DEFAULT_COST_MODEL.shardWork(op, shards[0]!)
      : DEFAULT_COST_MODEL.combineWork(op, combineGeometry(op, shards)[0]!, split.parts);
  const kernel = first.stats.perThread[0]!.backend.kernels[op.kernel];
  return {
    size: cls.by === "flops" ? work.flops : work.bytes,
    seconds: fastest(times),
    // A combine runs in the worker itself, never in the backend.
    native: split !== undefined || (kernel?.reference ?? 0) === 0,
    ...(cls.by === "flops" && work.gemm !== undefined ? { gemm: work.gemm } : {}),
  };
}

/**
 * Measures what `executor` adds around kernels:
 *
 * - `taskDispatch`: a chain of `chain` `relu`s over `taskElements` elements on one device, the
 *   median task's lag (sent to its worker until heard done, less the worker's busy time) over
 *   every run: the round trip from a task's end to the next one's start;
 * - `taskDispatchBusy`: one such chain on every worker at once, the median task's lag. The
 *   coordinator then shares the cores with busy workers, and only kernels that last about as
 *   long as a plan's do keep them busy: with 16-element tasks the workers mostly wait, and the
 *   figure came out 0.16 ms where tasks of real plans lagged 0.2–0.3 ms (fidelity traces,
 *   2026-12-05);
 * - `taskDispatchPerByte`: the same chain over `largeTaskElements`, its median lag less
 *   `taskDispatch`, per extra output byte. Traces of plans showed the lag after large tasks grow
 *   (0.05 ms after 1 MB tasks, 0.2 ms after 16 MB ones, 2026-12-05), with the buffers they free
 *   and allocate;
 * - `runStart` and `runStartPerTask`: the preparation time of that chain and of one task;
 * - `load` and `fetch`: one `relu` over `small` and over `large` float32 elements — the load
 *   (fetch) phase of the small run is the latency, the extra time of the large one per extra
 *   byte the bandwidth;
 * - `runEnd`: the end phase.
 *
 * Each other figure is the fastest of `repeats` runs (see `fastest`) after one untimed run of each program.
 */
export async function probeExecutor(
  executor: LocalExecutor,
  options: {
    readonly repeats: number;
    readonly chain: number;
    readonly taskElements: number;
    readonly largeTaskElements: number;
    readonly small: number;
    readonly large: number;
  },
): Promise<ExecutorProbe> {
  const chainPlan = makePlan(reluChain("calibrate-dispatch", options.chain, options.taskElements), {
    devices: ["d0"],
  });
  const parallel = chainsProgram(options.chain, executor.threads, options.taskElements);
  const parallelPlan = makePlan(parallel, {
    devices: deviceNames(executor.threads),
    // Operations are in build order: chain c's are c·chain … (c+1)·chain − 1.
    placement: Object.fromEntries(
      parallel.operations.map((o, i) => [o.id, [`d${Math.floor(i / options.chain)}`]]),
    ),
  });
  const largeChainPlan = makePlan(
    reluChain("calibrate-dispatch-large", options.chain, options.largeTaskElements),
    { devices: ["d0"] },
  );
  const smallPlan = makePlan(reluProgram(options.small), { devices: ["d0"] });
  const largePlan = makePlan(reluProgram(options.large), { devices: ["d0"] });
  const plans = [chainPlan, smallPlan, largePlan, parallelPlan, largeChainPlan];
  const inputs = plans.map((p) => randomInputs(p.program, 1));
  for (const [i, p] of plans.entries()) await executor.run(p, inputs[i]!);
  const runs: LocalRunResult[][] = plans.map(() => []);
  for (let r = 0; r < options.repeats; r++)
    for (const [i, p] of plans.entries()) runs[i]!.push(await executor.run(p, inputs[i]!));
  const [chain, small, large, parallelRuns, largeChain] = runs as [
    LocalRunResult[],
    LocalRunResult[],
    LocalRunResult[],
    LocalRunResult[],
    LocalRunResult[],
  ];
  const phase = (rs: readonly LocalRunResult[], k: "prepareMs" | "loadMs" | "fetchMs" | "endMs") =>
    fastest(rs.map((r) => r.stats.phases[k])) / 1000;
  // A task's lag: from being sent to its worker to the coordinator hearing it done, less the
  // worker's busy time. Its median over every task of every run, not the fastest run's average:
  // on a noisy machine the fastest run of a long chain is luckier than any real plan's tasks.
  const lag = (rs: readonly LocalRunResult[]) =>
    median(rs.flatMap((r) => r.stats.trace.tasks.map((t) => t.doneMs - t.dispatchedMs - t.busyMs))) / 1000;
  const dispatch = lag(chain);
  const dispatchBusy = lag(parallelRuns);
  const extraOutput = 4 * (options.largeTaskElements - options.taskElements);
  const perByte = extraOutput > 0 ? Math.max(0, (lag(largeChain) - dispatch) / extraOutput) : 0;
  // The chains' tasks output `taskElements` float32s: what that adds is priced per byte.
  const ownBytes = 4 * options.taskElements * perByte;
  const perTask = Math.max(0, (phase(chain, "prepareMs") - phase(small, "prepareMs")) / (options.chain - 1));
  const extraBytes = 4 * (options.large - options.small);
  const rate = (k: "loadMs" | "fetchMs") =>
    extraBytes / Math.max(phase(large, k) - phase(small, k), phase(large, k) / 10, 1e-9);
  return {
    overheads: {
      kind: "local",
      runStart: Math.max(0, phase(small, "prepareMs") - perTask),
      runStartPerTask: perTask,
      load: { bandwidth: rate("loadMs"), latency: phase(small, "loadMs") },
      taskDispatch: Math.max(0, dispatch - ownBytes),
      taskDispatchBusy: Math.max(0, dispatchBusy - ownBytes),
      taskDispatchPerByte: perByte,
      fetch: { bandwidth: rate("fetchMs"), latency: phase(small, "fetchMs") },
      runEnd: fastest([...chain, ...small, ...large].map((r) => r.stats.phases.endMs)) / 1000,
    },
    repeats: options.repeats,
    chain: options.chain,
    taskElements: options.taskElements,
    largeTaskElements: options.largeTaskElements,
    smallElements: options.small,
    largeElements: options.large,
  };
}

/** `count` independent chains of `length` `relu`s over `elements`, chain `c`'s operations named `chain${c}_…`. */
function chainsProgram(length: number, count: number, elements: number): Program {
  const p = program("calibrate-dispatch-busy");
  for (let c = 0; c < count; c++) {
    let x = p.input(`x${c}`, [elements]);
    for (let i = 0; i < length; i++) x = p.relu(x, { id: `chain${c}_relu${i}` });
    p.output(`y${c}`, x);
  }
  return p.build();
}

function reluProgram(elements: number): Program {
  const p = program("calibrate-copies");
  p.output("y", p.relu(p.input("x", [elements]), { id: "relu" }));
  return p.build();
}
