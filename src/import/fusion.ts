import type { ImportContext } from "./import-context.js";
import type { OnnxValue } from "./onnx-value.js";

/**
 * A group of nodes imported as one: `nodes` (model indices) are replaced by `translate`, run
 * at the position of the last of them (`at`), defining the value `output`. `translate` may
 * decline (undefined) once shapes are known; the nodes are then translated one by one.
 */
export interface Fusion {
  readonly pattern: string;
  readonly nodes: readonly number[];
  readonly at: number;
  readonly output: string;
  readonly translate: (ctx: ImportContext) => OnnxValue | undefined;
}
