import { readDocumentFile } from "../base/document-file.js";
import { writeTextFile } from "../base/write-text-file.js";
import { compareOutputs } from "../exec/compare-outputs.js";
import { runLocal } from "../exec/local/run-local.js";
import { evaluateProgram, programOutputs } from "../exec/reference/evaluate.js";
import { randomInputs } from "../exec/reference/random-inputs.js";
import { termScales } from "../exec/reference/term-scales.js";
import { tensorsFromJson, tensorsToJson } from "../exec/tensor-file.js";
import { formatSummary, summarizeTensor } from "../exec/tensor-summary.js";
import { verifyTolerance, withinTolerance } from "../exec/verify-tolerance.js";
import type { KernelRegistry } from "../kernels/registry.js";
import { parsePlan } from "../plan/validate-plan.js";
import { formatBytes } from "../report/units.js";
import { progressBar } from "./progress-bar.js";
import { textTable } from "./text-table.js";

/** Options of `tessera run`. */
export interface RunOptions {
  readonly workers?: number;
  readonly backend: "reference" | "onnx";
  readonly verify: boolean;
  readonly seed: number;
  readonly inputs?: string;
  readonly kernels: readonly string[];
  /** Where to write the outputs (a tensor file), only once the run has completed. */
  readonly out?: string;
}

/**
 * Runs a plan on the local executor and prints output summaries and run statistics; with
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
  const inputs =
    opts.inputs === undefined
      ? randomInputs(program, opts.seed)
      : tensorsFromJson(readDocumentFile(opts.inputs));
  const bar = progressBar("running", process.stderr);
  // Ctrl-C ends the run at once: exiting ends the worker threads with the process, and the
  // --out file is written only after a completed run (through a temporary file), so nothing
  // partial is left behind. 130 is what a shell reports for a command ended by SIGINT.
  const onSigint = () => {
    bar.done();
    process.stderr.write("interrupted: run stopped, no output written\n");
    process.exit(130);
  };
  process.on("SIGINT", onSigint);
  process.stderr.write(`running '${program.name ?? file}' (Ctrl-C stops)\n`);
  const result = await runLocal(plan, inputs, {
    registry,
    backend: opts.backend,
    kernelFiles: opts.kernels,
    ...(opts.workers === undefined ? {} : { threads: opts.workers }),
    onProgress: (done, total) => bar.update(done, total),
  }).finally(() => process.off("SIGINT", onSigint));
  bar.done();
  const s = result.stats;
  out(
    `ran '${program.name ?? file}' on ${plan.devices.length} devices over ${s.perThread.length} threads (${s.backend} kernels): ${s.tasks} tasks in ${s.wallMs.toFixed(0)} ms\n`,
  );
  out(
    `  moved ${formatBytes(s.bytesMoved)} in ${s.transfersMoved} transfers (derived: ${formatBytes(s.bytesDerived)}${s.bytesMoved === s.bytesDerived ? ", equal" : ", DIFFERENT"})\n`,
  );
  for (const t of s.perThread)
    out(`  thread ${t.thread} (${t.devices.join(", ")}): ${t.tasks} tasks, busy ${t.busyMs.toFixed(0)} ms\n`);
  for (const [id, r] of Object.entries(result.outputs)) out(`  ${formatSummary(id, summarizeTensor(r))}\n`);
  if (opts.out !== undefined) {
    writeTextFile(opts.out, `${JSON.stringify(tensorsToJson(result.outputs))}\n`, {
      what: "--out file",
      createFolder: false,
    });
    out(`outputs written to ${opts.out} (tensor file format: schemas/tensors.schema.json)\n`);
  }
  if (!opts.verify) return true;
  const values = evaluateProgram(program, inputs, registry);
  const reference = programOutputs(program, values);
  const errors = compareOutputs(result.outputs, reference, termScales(program, values));
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
