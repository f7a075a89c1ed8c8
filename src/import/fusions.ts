import { batchNormFold } from "./fold-batch-norm.js";
import type { Fusion } from "./fusion.js";
import { geluPatterns } from "./gelu-pattern.js";
import { GraphIndex } from "./graph-index.js";
import { layerNormPattern } from "./layer-norm-pattern.js";
import type { OnnxModel } from "./onnx-model.js";

/** Every fusion the importer applies to `model`, none overlapping, in model order. */
export function findFusions(model: OnnxModel): Fusion[] {
  const index = new GraphIndex(model);
  const found = [...batchNormFold(index), ...geluPatterns(index), ...layerNormPattern(index)];
  const taken = new Set<number>();
  const kept: Fusion[] = [];
  for (const f of found.sort((a, b) => a.at - b.at)) {
    if (f.nodes.some((n) => taken.has(n))) continue;
    for (const n of f.nodes) taken.add(n);
    kept.push(f);
  }
  return kept;
}
