import { readDocumentFile } from "../base/document-file.js";
import { compareOutputs } from "../exec/compare-outputs.js";
import { runDistributed } from "../exec/distributed/distributed-executor.js";
import { runLocal } from "../exec/local/run-local.js";
import { evaluateProgram, programOutputs } from "../exec/reference/evaluate.js";
import { termScales } from "../exec/reference/term-scales.js";
import { writeTensorValues } from "../exec/tensor-io.js";
import { formatSummary, summarizeTensor } from "../exec/tensor-summary.js";
import { verifyTolerance, withinTolerance } from "../exec/verify-tolerance.js";
import type { Region } from "../kernels/region.js";
import type { KernelRegistry } from "../kernels/registry.js";
import { parsePlan } from "../plan/validate-plan.js";
import { formatBytes } from "../report/units.js";
import { progressBar } from "./progress-bar.js";
import { commandInputs, FORMAT_NAMES } from "./tensor-options.js";
import { textTable } from "./text-table.js";

/** Options of `tessera run`. */
export interface RunOptions {
  readonly workers?: number;
  readonly backend: "reference" | "onnx";
  readonly verify: boolean;
  readonly seed: number;
  /** Input value files (tensor file, `.safetensors`, `[name=]file.npy`); random inputs when absent. */
  readonly inputs?: readonly string[];
  /** Where to write the sharded run's outputs (format by extension). */
  readonly out?: string;
  readonly kernels: readonly string[];
  /** `local` (worker threads, default) or `distributed` (worker processes through Redis). */
  readonly executor?: "local" | "distributed";
  /** The Redis URL of the distributed executor. */
  readonly redis?: string;
  /** Accept a non-loopback Redis without password or TLS. */
  readonly insecure?: boolean;
  /** Where workers reach this process for inputs and outputs (`DistributedExecutorOptions.dataHost`). */
  readonly dataHost?: string;
  /** How inputs and outputs reach the workers (`DistributedExecutorOptions.dataPlane`). */
  readonly dataPlane?: "direct" | "redis";
  /** Inputs to workers on this machine through shared memory (`DistributedExecutorOptions.sharedMemory`). */
  readonly sharedMemory?: boolean;
  /** Most consecutive tasks of a device per job (`DistributedExecutorOptions.maxChain`). */
  readonly maxChain?: number;
}

/** The run's outputs and the lines describing where it ran, from either executor. */
interface RanPlan {
  readonly outputs: Record<string, Region>;
  readonly lines: readonly string[];
}

/**
 * Runs a plan on the local executor (or, with `executor: "distributed"`, on the distributed
 * workers registered at `redis`) and prints output summaries and run statistics; with
 * `verify`, evaluates the reference too and prints max abs/rel error per output. Returns false
 * when verification fails.
 */
export async function runPlanFile(
  file: string,
  opts: RunOptions,
  registry: KernelRegistry,
  out: (s: string) => void,
): Promise<boolean> {
  const plan = parsePlan(readDocumentFile(file), registry);
  const program = plan.program;
  const inputs = commandInputs(program, opts.inputs, opts.seed);
  const bar = progressBar("running", process.stderr);
  // Ctrl-C ends the run at once: exiting ends the worker threads with the process (a distributed
  // run's keys expire), and the --out file is written only after a completed run (through a
  // temporary file), so nothing partial is left behind. 130 is what a shell reports for SIGINT.
  const onSigint = () => {
    bar.done();
    process.stderr.write("interrupted: run stopped, no output written\n");
    process.exit(130);
  };
  process.on("SIGINT", onSigint);
  process.stderr.write(`running '${program.name ?? file}' (Ctrl-C stops)\n`);
  const onProgress = (done: number, total: number) => bar.update(done, total);
  let ran: RanPlan;
  try {
    ran =
      opts.executor === "distributed"
        ? await runOnWorkers(plan, inputs, { ...opts, label: program.name ?? file }, registry, onProgress)
        : await runOnThreads(plan, inputs, { ...opts, label: program.name ?? file }, registry, onProgress);
  } finally {
    process.off("SIGINT", onSigint);
    bar.done();
  }
  for (const line of ran.lines) out(line);
  for (const [id, r] of Object.entries(ran.outputs)) out(`  ${formatSummary(id, summarizeTensor(r))}\n`);
  if (opts.out !== undefined)
    out(`outputs written to ${opts.out} (${FORMAT_NAMES[writeTensorValues(opts.out, ran.outputs)]})\n`);
  if (!opts.verify) return true;
  const values = evaluateProgram(program, inputs, registry);
  const reference = programOutputs(program, values);
  const errors = compareOutputs(ran.outputs, reference, termScales(program, values));
  let ok = true;
  const rows = errors.map((e) => {
    const dtype = reference[e.tensor]!.dtype;
    const pass = withinTolerance(e, dtype);
    ok &&= pass;
    return [
      e.tensor,
      dtype,
      e.maxAbs.toExponential(2),
      e.maxRel.toExponential(2),
      verifyTolerance(dtype).toExponential(1),
      e.exact ? "exact" : pass ? "ok" : "FAIL",
    ];
  });
  out(
    `verification against the reference evaluator:\n${textTable(["output", "dtype", "max abs err", "max rel err", "tolerance", "verdict"], rows).replace(/^/gm, "  ")}\n`,
  );
  out(ok ? "verified: the sharded run equals the reference\n" : "verification FAILED\n");
  return ok;
}

/** Runs `plan` on one kind of executor and summarises the run in lines for the terminal. */
type RunOn = (
  plan: Parameters<typeof runLocal>[0],
  inputs: Parameters<typeof runLocal>[1],
  opts: RunOptions & { readonly label: string },
  registry: KernelRegistry,
  onProgress: (done: number, total: number) => void,
) => Promise<RanPlan>;

const runOnThreads: RunOn = async (plan, inputs, opts, registry, onProgress) => {
  const result = await runLocal(plan, inputs, {
    registry,
    backend: opts.backend,
    kernelFiles: opts.kernels,
    ...(opts.workers === undefined ? {} : { threads: opts.workers }),
    onProgress,
  });
  const s = result.stats;
  const lines = [
    ...summaryHead(opts.label, plan, `${s.perThread.length} threads (${s.backend} kernels)`, s),
    ...s.perThread.map(
      (t) =>
        `  thread ${t.thread} (${t.devices.join(", ")}): ${t.tasks} tasks, busy ${t.busyMs.toFixed(0)} ms\n`,
    ),
  ];
  return { outputs: result.outputs, lines };
};

const runOnWorkers: RunOn = async (plan, inputs, opts, registry, onProgress) => {
  const result = await runDistributed(plan, inputs, {
    registry,
    kernelFiles: opts.kernels,
    ...(opts.redis === undefined ? {} : { redis: opts.redis }),
    insecure: opts.insecure === true,
    ...(opts.dataHost === undefined ? {} : { dataHost: opts.dataHost }),
    ...(opts.dataPlane === undefined ? {} : { dataPlane: opts.dataPlane }),
    ...(opts.sharedMemory === undefined ? {} : { sharedMemory: opts.sharedMemory }),
    ...(opts.maxChain === undefined ? {} : { maxChain: opts.maxChain }),
    onProgress,
  });
  const s = result.stats;
  const lines = [
    ...summaryHead(opts.label, plan, `${s.perWorker.length} workers (run ${s.run})`, s),
    ...s.perWorker.map(
      (w) =>
        `  worker ${w.worker} on ${w.host}, ${w.backend} kernels (${w.devices.join(", ") || "no devices"}): ${w.tasks} tasks in ${w.jobs} jobs, busy ${w.busyMs.toFixed(0)} ms\n`,
    ),
    ...(s.recovery.lost.length === 0
      ? []
      : [
          `  recovered from losing ${s.recovery.lost.join(", ")}: ${s.recovery.tasksRedone} finished tasks run again\n`,
        ]),
  ];
  return { outputs: result.outputs, lines };
};

/** What either executor's stats say of a whole run: its tasks, time and bytes moved against those derived. */
interface RunTotals {
  readonly tasks: number;
  readonly wallMs: number;
  readonly bytesMoved: number;
  readonly bytesDerived: number;
  readonly transfersMoved: number;
}

/** The first two lines of a run's summary: what ran over what (`over`), then the bytes moved against those derived. */
function summaryHead(
  label: string,
  plan: Parameters<typeof runLocal>[0],
  over: string,
  s: RunTotals,
): string[] {
  const { bytesMoved: moved, bytesDerived: derived } = s;
  return [
    `ran '${label}' on ${plan.devices.length} devices over ${over}: ${s.tasks} tasks in ${s.wallMs.toFixed(0)} ms\n`,
    `  moved ${formatBytes(moved)} in ${s.transfersMoved} transfers (derived: ${formatBytes(derived)}${moved === derived ? ", equal" : ", DIFFERENT"})\n`,
  ];
}
