import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { presetCluster } from "../cluster/load-cluster.js";
import { compareOutputs } from "../exec/compare-outputs.js";
import { runLocal } from "../exec/local/run-local.js";
import { evaluateProgram, programOutputs } from "../exec/reference/evaluate.js";
import { randomInputs } from "../exec/reference/random-inputs.js";
import { tensorsToJson } from "../exec/tensor-file.js";
import { formatSummary, summarizeTensor } from "../exec/tensor-summary.js";
import { verifyTolerance, withinTolerance } from "../exec/verify-tolerance.js";
import { loadProgramFile } from "../frontend/load-program.js";
import type { Program } from "../ir/program.js";
import { builtinRegistry } from "../kernels/library/index.js";
import { planToJson } from "../plan/encode-plan.js";
import { deriveTaskGraph } from "../plan/task-graph.js";
import { megatronPlan } from "../search/megatron-plan.js";
import { operationGeometry } from "./operation-geometry.js";
import { textTable } from "./text-table.js";

/** Where the demo reads its program and writes its outputs. */
export interface DemoOptions {
  readonly programFile: string;
  readonly outDir: string;
  readonly seed: number;
}

/** The demo's defaults: the transformer block example, outputs under `out/`. */
export function defaultDemoOptions(root: string): DemoOptions {
  return { programFile: join(root, "examples/transformer-block.json"), outDir: join(root, "out"), seed: 0 };
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
 * The end-to-end demo of what exists today: load and validate the transformer block, show each
 * operation's index space, evaluate it with the reference executor, show how one operation
 * shards by its signature, then run a sharded plan on worker threads with ONNX Runtime kernels
 * and verify it against the reference. Returns false when verification fails.
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
  writeFileSync(outFile, `${JSON.stringify(tensorsToJson(outputs))}\n`);
  out(`   outputs written to ${outFile}\n\n`);
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
  // The plan is found from the geometry alone (no operation names): the tensor-parallel axes
  // of `megatronPlan` — attention heads, the MLP's columns then rows — on this machine's devices.
  const plan = megatronPlan(program, presetCluster("local"));
  const planFile = resolve(opts.outDir, `${program.name ?? "program"}.plan.json`);
  writeFileSync(planFile, `${JSON.stringify(planToJson(plan), null, 1)}\n`);
  const graph = deriveTaskGraph(plan);
  const split = plan.operations.filter((o) => o.devices.length > 1).map((o) => o.op);
  const combined = graph.tasks.filter((t) => t.kind === "combine").map((t) => t.op);
  out(
    `4. Sharded execution of the Megatron-style plan found from the geometry (tessera/search megatronPlan):\n`,
  );
  out(
    `   split over ${plan.devices.join(", ")}: ${split.join(", ")}; partial sums combined after ${[...new Set(combined)].join(", ")}\n`,
  );
  out(
    `   ${graph.tasks.length} tasks on 2 worker threads with ONNX Runtime kernels; plan written to ${planFile}\n`,
  );
  const run = await runLocal(plan, inputs, { registry, backend: "onnx", threads: 2 });
  const s = run.stats;
  out(
    `   ran in ${s.wallMs.toFixed(0)} ms; moved ${s.bytesMoved} bytes in ${s.transfersMoved} transfers, exactly the ${s.bytesDerived} bytes derived from the plan\n`,
  );
  let ok = true;
  for (const e of compareOutputs(run.outputs, outputs)) {
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
  out("Next: the planner (simulation and Pareto search on a cluster model) chooses such plans by itself.\n");
  return ok;
}
