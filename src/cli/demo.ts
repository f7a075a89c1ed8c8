import { mkdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { trainStep } from "../autodiff/train-step.js";
import { writeTextFile } from "../base/write-text-file.js";
import { loadCluster } from "../cluster/load-cluster.js";
import { compareOutputs } from "../exec/compare-outputs.js";
import { runLocal } from "../exec/local/run-local.js";
import { evaluateProgram, programOutputs } from "../exec/reference/evaluate.js";
import { randomInputs } from "../exec/reference/random-inputs.js";
import { termScales } from "../exec/reference/term-scales.js";
import { tensorsToJson } from "../exec/tensor-file.js";
import { formatSummary, summarizeTensor } from "../exec/tensor-summary.js";
import { verifyTolerance, withinTolerance } from "../exec/verify-tolerance.js";
import { loadProgramFile } from "../frontend/load-program.js";
import type { Program } from "../ir/program.js";
import { builtinRegistry } from "../kernels/library/index.js";
import { planToJson } from "../plan/encode-plan.js";
import { rescalePlan } from "../plan/rescale-plan.js";
import { deriveTaskGraph } from "../plan/task-graph.js";
import { writeHtmlReport } from "../report/html-report.js";
import { formatSeconds } from "../report/units.js";
import { searchResultToJson } from "../search/result/search-result-file.js";
import { searchPlans } from "../search/search-plans.js";
import { operationGeometry } from "./operation-geometry.js";
import { frontTable } from "./plan-command.js";
import { textTable } from "./text-table.js";

/** Where the demo reads its programs, what it plans on, and where it writes its outputs. */
export interface DemoOptions {
  /** The block at a size this machine runs in milliseconds. */
  readonly programFile: string;
  /** The same block at full size: what the planner plans. */
  readonly largeProgramFile: string;
  /** Cluster preset or file planned on. */
  readonly cluster: string;
  /** Plans the search evaluates (an evaluation budget keeps the demo reproducible). */
  readonly evaluations: number;
  readonly outDir: string;
  readonly seed: number;
}

/** The demo's defaults: the transformer block examples on a DGX A100, outputs under `out/`. */
export function defaultDemoOptions(root: string): DemoOptions {
  return {
    programFile: join(root, "examples/transformer-block.json"),
    largeProgramFile: join(root, "examples/transformer-block-large.json"),
    cluster: "dgx-a100",
    evaluations: 4000,
    outDir: join(root, "out"),
    seed: 0,
  };
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, "   ");
}

function operationTable(program: Program): string {
  const rows = program.operations.map((op) => {
    const red = op.signature.reductions.map((r) => `${op.signature.indexNames[r.dim]}:${r.monoid}`).join(" ");
    const out = op.outputs.map((s) => `${s.tensor}[${s.range.shape.coords.join(", ")}]`).join(" ");
    return [
      op.id,
      op.kernel,
      `[${op.signature.indexNames.map((n, i) => `${n}=${op.index.shape.coords[i]}`).join(", ")}]`,
      red || "—",
      out,
    ];
  });
  return textTable(["operation", "kernel", "index space", "reductions", "output"], rows);
}

/**
 * The end-to-end demo: load and validate the transformer block, show each operation's index
 * space, evaluate it with the reference executor, show how one operation shards by its
 * signature, plan the block at full size on a cluster model (Pareto search beside the
 * baselines, a report written), then run the chosen plan scaled down on worker threads with
 * ONNX Runtime kernels and verify it against the reference. Returns false when verification fails.
 */
export async function runDemo(opts: DemoOptions, out: (s: string) => void): Promise<boolean> {
  const registry = builtinRegistry();
  const program = loadProgramFile(opts.programFile, registry);
  out(`Tessera demo: ${program.name ?? opts.programFile}\n\n`);
  out(
    `1. Program ${relative(process.cwd(), opts.programFile) || opts.programFile}: ${program.operations.length} operations, ${program.tensors.length} tensors — valid\n\n`,
  );
  out(`${indent(operationTable(program))}\n\n`);
  const started = performance.now();
  const inputs = randomInputs(program, opts.seed);
  const values = evaluateProgram(program, inputs, registry);
  const ms = performance.now() - started;
  const outputs = programOutputs(program, values);
  out(`2. Reference evaluation (random inputs, seed ${opts.seed}) in ${ms.toFixed(0)} ms:\n`);
  for (const [id, r] of Object.entries(outputs)) out(`   ${formatSummary(id, summarizeTensor(r))}\n`);
  mkdirSync(opts.outDir, { recursive: true });
  const outFile = resolve(opts.outDir, `${program.name ?? "program"}.outputs.json`);
  writeTextFile(outFile, `${JSON.stringify(tensorsToJson(outputs))}\n`);
  out(`   outputs written to ${outFile}\n`);
  out(`${trainingLine(program)}\n\n`);
  const op = program.operations.find((o) => o.id === "mlp_up") ?? program.operations[0];
  if (op !== undefined) {
    // Split the output features and the reduction: the Megatron-style cut of an MLP layer.
    const splits =
      op.signature.reductions.length > 0 && op.index.rank >= 2
        ? [
            { dim: op.index.rank - 2, parts: 2 },
            { dim: op.signature.reductions[0]!.dim, parts: 2 },
          ]
        : [{ dim: 0, parts: 2 }];
    out(`3. Sharding by index projection signature\n\n${indent(operationGeometry(program, op, splits))}\n\n`);
  }
  // 4. The planner: the same block at full size on a preset cluster model.
  const large = loadProgramFile(opts.largeProgramFile, registry);
  const cluster = loadCluster(opts.cluster);
  const shapes = large.inputs
    .slice(0, 1)
    .map((id) => `${id}[${large.tensors.find((t) => t.id === id)!.range.shape.coords.join(", ")}]`);
  out(
    `4. Planning the block at full size (${shapes.join("")}, ${relative(process.cwd(), opts.largeProgramFile)}) on cluster '${cluster.name}' (${cluster.devices.length} devices): Pareto search over ${opts.evaluations} plans, seed ${opts.seed}\n\n`,
  );
  const result = await searchPlans(large, cluster, {
    seed: opts.seed,
    budget: { evaluations: opts.evaluations },
  });
  out(`${indent(frontTable(result))}\n\n`);
  const chosen = result.front[result.chosen]!;
  const faster = result.baselines
    .filter((b) => b.name !== "single-device")
    .map((b) => `${(b.cost.makespan / chosen.cost.makespan).toFixed(2)}× ${b.name}`)
    .join(", ");
  out(
    `   chosen ${chosen.name}: ${formatSeconds(chosen.cost.makespan)} per step (speed-up over ${faster}), ${result.stats.evaluations} plans in ${formatSeconds(result.stats.seconds)}\n`,
  );
  const resultFile = resolve(opts.outDir, `${large.name ?? "program"}.search-result.json`);
  writeTextFile(resultFile, `${JSON.stringify(searchResultToJson(result))}\n`);
  const reportFile = await writeHtmlReport(result, resolve(opts.outDir, "report.html"), {
    source: relative(process.cwd(), opts.largeProgramFile) || opts.largeProgramFile,
  });
  out(`   search result written to ${resultFile}\n\n`);

  // 5. The chosen plan, scaled down to the small block, on this machine's worker threads.
  const plan = rescalePlan(chosen.plan, program);
  const planFile = resolve(opts.outDir, `${program.name ?? "program"}.plan.json`);
  writeTextFile(planFile, `${JSON.stringify(planToJson(plan), null, 1)}\n`);
  const graph = deriveTaskGraph(plan);
  const split = plan.operations.filter((o) => o.devices.length > 1).map((o) => o.op);
  const combined = [...new Set(graph.tasks.filter((t) => t.kind === "combine").map((t) => t.op))];
  out(`5. The chosen plan scaled down to the small block and run on this machine:\n`);
  out(
    `   ${plan.devices.length} plan devices dealt over 2 worker threads; split: ${split.join(", ") || "nothing"}${combined.length > 0 ? `; partial sums combined after ${combined.join(", ")}` : ""}\n`,
  );
  out(`   ${graph.tasks.length} tasks with ONNX Runtime kernels; plan written to ${planFile}\n`);
  const run = await runLocal(plan, inputs, { registry, backend: "onnx", threads: 2 });
  const s = run.stats;
  out(
    `   ran in ${s.wallMs.toFixed(0)} ms; moved ${s.bytesMoved} bytes in ${s.transfersMoved} transfers, exactly the ${s.bytesDerived} bytes derived from the plan\n`,
  );
  let ok = true;
  for (const e of compareOutputs(run.outputs, outputs, termScales(program, values))) {
    const dtype = outputs[e.tensor]!.dtype;
    const pass = withinTolerance(e, dtype);
    ok &&= pass;
    out(
      `   ${e.tensor}: max abs err ${e.maxAbs.toExponential(2)}, max rel err ${e.maxRel.toExponential(2)} (tolerance ${verifyTolerance(dtype).toExponential(1)}): ${pass ? "verified" : "FAILED"}\n`,
    );
  }
  out(
    `\n${ok ? "Verified: the sharded run equals the unsharded reference." : "Verification FAILED."} Outputs: ${outFile}\n`,
  );
  out(`Report (front, plan pictures, explanation): ${reportFile}\n`);
  return ok;
}

/** One line on training: the block's Adam step (forward, derived backward, update) is a program too. */
function trainingLine(program: Program): string {
  const loss = program.outputs[0];
  const weights = program.inputs.slice(1);
  if (loss === undefined || weights.length === 0) return "   (no weights to train)";
  const step = trainStep(
    program,
    { loss, params: weights, optimizer: { kind: "adam", lr: 1e-3 } },
    builtinRegistry(),
  );
  return `   training: an Adam step of this block (tessera train-step) is a program of ${step.operations.length} operations (${program.operations.length} forward, the rest derived backward and update), planned and run like this one`;
}
