import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { evaluateProgram, programOutputs } from "../exec/reference/evaluate.js";
import { randomInputs } from "../exec/reference/random-inputs.js";
import { tensorsToJson } from "../exec/tensor-file.js";
import { formatSummary, summarizeTensor } from "../exec/tensor-summary.js";
import { loadProgramFile } from "../frontend/load-program.js";
import type { Program } from "../ir/program.js";
import { builtinRegistry } from "../kernels/library/index.js";
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
 * operation's index space, evaluate it with the reference executor, write the outputs, and
 * show how one of its operations shards by its signature.
 */
export function runDemo(opts: DemoOptions, out: (s: string) => void): void {
  const registry = builtinRegistry();
  const program = loadProgramFile(opts.programFile, registry);
  out(`Tessera demo: ${program.name ?? opts.programFile}\n\n`);
  out(
    `1. Program ${relative(process.cwd(), opts.programFile) || opts.programFile}: ${program.operations.length} operations, ${program.tensors.length} tensors — valid\n\n`,
  );
  out(`${indent(operationTable(program))}\n\n`);
  const started = performance.now();
  const values = evaluateProgram(program, randomInputs(program, opts.seed), registry);
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
    out(
      `3. Sharding by index projection signature\n\n${operationGeometry(program, op, splits).replace(/^/gm, "   ")}\n\n`,
    );
  }
  out(
    `Next: the planner (search over shardings on a cluster model) and parallel executors build on these pieces.\n`,
  );
}
