import type { Operation } from "../ir/program.js";

/**
 * Work per index point: the volume of the largest box an index point reads from any input —
 * the product of that input projection's box shape. 1 for matmul-like and elementwise kernels
 * (each point reads one element of each operand), `KH·KW` for a convolution window, the row
 * length for softmax and layer norm. 1 when the operation has no inputs.
 */
export function elementsPerPoint(op: Operation): number {
  let most = 1;
  let first = true;
  for (const operand of Object.values(op.signature.inputs)) {
    const volume = operand.projection.shape.coords.reduce((v, x) => v * x, 1);
    most = first ? volume : Math.max(most, volume);
    first = false;
  }
  return most;
}
