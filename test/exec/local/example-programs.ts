import { fileURLToPath } from "node:url";
import { loadProgramFile } from "../../../src/frontend/index.js";
import { type Program, parseProgram, programToJson } from "../../../src/ir/index.js";
import { builtinRegistry } from "../../../src/kernels/library/index.js";
import { makePlan, type Plan } from "../../../src/plan/index.js";

/** One of the programs in `examples/`, loaded with the built-in kernels. */
export function exampleProgram(name: "mlp" | "transformer-block" | "conv-net"): Program {
  return loadProgramFile(
    fileURLToPath(new URL(`../../../examples/${name}.json`, import.meta.url)),
    builtinRegistry(),
  );
}

/** `prog` with `extra` tensors also declared as program outputs (to check intermediates too). */
export function withOutputs(prog: Program, extra: readonly string[]): Program {
  const json = programToJson(prog) as { outputs: string[] };
  return parseProgram({ ...json, outputs: [...extra, ...json.outputs] }, builtinRegistry());
}

/**
 * Megatron-style MLP on 2 devices: fc1 split by output columns, act1 alongside, fc2 split on
 * its reduction dimension — one partial transfer d1 → d0 and one combine on d0.
 */
export function megatronMlpPlan(program: Program = exampleProgram("mlp")): Plan {
  return makePlan(program, {
    devices: ["d0", "d1"],
    splits: { fc1: [{ dim: 1, parts: 2 }], act1: [{ dim: 1, parts: 2 }], fc2: [{ dim: 2, parts: 2 }] },
  });
}
