import { expect } from "vitest";
import { runLocal } from "../../src/exec/local/index.js";
import type { ImportedModel } from "../../src/import/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import type { Plan } from "../../src/plan/index.js";
import { ZRange } from "../../src/zspace/z-range.js";
import { floats, runOnnxRuntime } from "./onnx-builder.js";

/**
 * Runs `plan` of an imported model sharded on 2 local workers (ONNX Runtime kernels) with the
 * model's weights and a seeded float32 input `x` of `dims`, and expects `output` to equal ONNX
 * Runtime running the original model `bytes`, within `tolerance` relative to 1 + |expected|;
 * the run moves exactly its derived bytes.
 */
export async function expectShardedRunMatchesOnnxRuntime(
  bytes: Uint8Array,
  imported: ImportedModel,
  plan: Plan,
  input: { readonly dims: number[]; readonly seed: number },
  output: string,
  tolerance: number,
): Promise<void> {
  const { dims, seed } = input;
  const data = Float32Array.from(
    floats(
      seed,
      dims.reduce((a, b) => a * b, 1),
    ),
  );
  const inputs = {
    ...imported.weights,
    x: { dtype: "float32" as const, range: ZRange.fromShape(dims), data },
  };
  const { outputs, stats } = await runLocal(plan, inputs, {
    registry: builtinRegistry(),
    threads: 2,
    backend: "onnx",
  });
  expect(stats.bytesMoved).toBe(stats.bytesDerived);
  const expected = (await runOnnxRuntime(bytes, { x: { dims, data } }))[output]!;
  const got = outputs[output]!;
  expect(got.range.shape.toArray()).toEqual(expected.dims);
  let worst = 0;
  expected.data.forEach((e, i) => {
    worst = Math.max(worst, Math.abs(got.data[i]! - e) / (1 + Math.abs(e)));
  });
  expect(worst).toBeLessThan(tolerance);
}
