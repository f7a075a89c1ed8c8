import type { ExecutorOverheads } from "../cluster/cluster.js";
import type { SimContext } from "./context.js";

/** What a run moves and does around its kernels, which the executor's overheads are priced on. */
export interface RunShape {
  readonly tasks: number;
  /** Program inputs, each loaded into the devices that hold it. */
  readonly inputs: number;
  /** Bytes of program inputs the devices hold at the start (whole at home, or their regions). */
  readonly loadedBytes: number;
  /** Pieces of program outputs fetched from the devices that wrote them. */
  readonly fetches: number;
  readonly fetchedBytes: number;
}

/**
 * Seconds an executor adds to a run outside its tasks' timeline: starting it (a fixed part and
 * a part per task), loading the inputs (`inputs × latency + bytes / bandwidth`, before the first
 * task), fetching the outputs (`fetches × latency + bytes / bandwidth`, after the last) and
 * ending it. 0 without overheads: the plan is priced by its kernels and transfers alone.
 *
 * Example: runStart 1 ms, 10 µs per task, 10 tasks, 2 inputs of 1 MB in total at 1 GB/s with
 * 50 µs latency, nothing fetched, runEnd 0.5 ms: 1 + 0.1 + 0.1 + 1 + 0.5 = 2.7 ms.
 */
export function runOverheadSeconds(executor: ExecutorOverheads | undefined, run: RunShape): number {
  if (executor === undefined) return 0;
  const { load, fetch } = executor;
  const loading = run.loadedBytes > 0 ? run.inputs * load.latency + run.loadedBytes / load.bandwidth : 0;
  const fetching = run.fetches * fetch.latency + run.fetchedBytes / fetch.bandwidth;
  return executor.runStart + run.tasks * executor.runStartPerTask + loading + fetching + executor.runEnd;
}

/**
 * The run shape of the plan the workspace describes (call after compiling it): its tasks, the
 * program inputs and the bytes the devices hold of them, and the output pieces its final
 * writers hold and their bytes.
 */
export function runShape(ctx: SimContext): RunShape {
  const ws = ctx.ws;
  let loadedBytes = 0;
  for (let d = 0; d < ws.D; d++) loadedBytes += ws.base[d]!;
  let fetches = 0;
  for (let t = 0; t < ws.T; t++) fetches += ws.taskKeep[t]!;
  let fetchedBytes = 0;
  for (const id of ctx.facts.program.outputs)
    fetchedBytes += ctx.facts.tensorBytes[ctx.facts.tensorIndex.get(id)!]!;
  return { tasks: ws.T, inputs: ctx.facts.program.inputs.length, loadedBytes, fetches, fetchedBytes };
}
