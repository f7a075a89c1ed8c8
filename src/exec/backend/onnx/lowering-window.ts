import type { DType } from "../../../base/dtype.js";
import { nullRecord } from "../../../base/json.js";
import type { KernelContext } from "../../../kernels/kernel.js";
import { outputRange } from "../../../kernels/numeric/output-range.js";
import { type Region, sliceRegion } from "../../../kernels/region.js";
import type { ZRange } from "../../../zspace/z-range.js";

/**
 * One input of a shard as a lowering sees it: the box the shard's index projects to (`needed`),
 * the data available there (`region`, exactly `needed ∩` the given region, so a region larger
 * than needed is cut down to it), and how many zeros are missing on each side of each
 * dimension (`padsBefore`, `padsAfter`): the part of `needed` outside the given region, which
 * the kernel contract reads as zero (convolution padding at a tensor border).
 */
export interface ShardInput {
  readonly region: Region;
  readonly needed: ZRange;
  readonly padsBefore: readonly number[];
  readonly padsAfter: readonly number[];
}

/** What a lowering reads and writes for one shard (not `shard/`'s ShardGeometry): its fitted inputs by name and its output box. */
export interface LoweringWindow {
  readonly inputs: Readonly<Record<string, ShardInput>>;
  readonly output: { readonly name: string; readonly range: ZRange; readonly dtype: DType };
}

/**
 * The geometry of `ctx`'s shard for a kernel with one output, or undefined when the shard is
 * degenerate — an empty index, output or needed box, an input that was not given, or an input
 * with no data at all inside its needed box — cases the reference implementation handles (or
 * reports) itself at no real cost, and that ONNX's zero-sized tensors would only complicate.
 */
export function loweringWindow(ctx: KernelContext<unknown>): LoweringWindow | undefined {
  const sig = ctx.signature;
  const outputs = Object.entries(sig.outputs);
  const out = outputs[0];
  if (out === undefined || outputs.length !== 1 || ctx.index.isEmpty()) return undefined;
  const range = outputRange(out[1].projection, ctx.index, sig.reductions);
  if (range.isEmpty()) return undefined;
  const inputs = nullRecord<ShardInput>();
  for (const [name, operand] of Object.entries(sig.inputs)) {
    const given = ctx.inputs[name];
    if (given === undefined) return undefined;
    const needed = operand.projection.applyRange(ctx.index);
    const available = needed.intersect(given.range);
    if (needed.isEmpty() || available.isEmpty()) return undefined;
    const ns = needed.start.coords;
    const ne = needed.end.coords;
    inputs[name] = {
      region: sliceRegion(given, available),
      needed,
      padsBefore: available.start.coords.map((s, d) => s - ns[d]!),
      padsAfter: available.end.coords.map((e, d) => ne[d]! - e),
    };
  }
  return { inputs, output: { name: out[0], range, dtype: out[1].dtype } };
}

/** True when the input has every value of its needed box (no zeros to add). */
export function isWhole(input: ShardInput): boolean {
  return input.padsBefore.every((p) => p === 0) && input.padsAfter.every((p) => p === 0);
}

/**
 * True when the input lacks values in its first two (batch and channel) dimensions: an NCHW
 * window op (Conv, MaxPool) pads only the spatial ones, so such a shard has no ONNX form.
 */
export function isClippedBeforeSpatial(input: ShardInput): boolean {
  return (
    input.padsBefore[0] !== 0 ||
    input.padsBefore[1] !== 0 ||
    input.padsAfter[0] !== 0 ||
    input.padsAfter[1] !== 0
  );
}
