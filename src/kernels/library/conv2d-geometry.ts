import type { IssueCollector } from "../../base/issue.js";
import type { TensorType } from "../signature.js";
import { formatShape, inputPath, type RankedInput } from "./operands.js";
import { ParamReader } from "./param-reader.js";

/** conv2d's input `x`, as conv2d and its gradients require it. */
export const CONV2D_X: RankedInput = { name: "x", rank: 4, why: "conv2d takes NCHW input" };

/** conv2d's filters `w`, as conv2d and its input gradient require them. */
export const CONV2D_W: RankedInput = {
  name: "w",
  rank: 4,
  why: "conv2d takes filters [OC, C/groups, KH, KW]",
};

/** The cotangent `dy` of conv2d's output, as its gradients require it. */
export const CONV2D_DY: RankedInput = {
  name: "dy",
  rank: 4,
  why: "it is the cotangent of an NCHW conv2d output",
};

/** Params of conv2d; each pair is `[height, width]`. */
export interface Conv2dParams {
  /** Step between output positions; default [1, 1]. */
  readonly stride: readonly [number, number];
  /** Zeros added on each side of the input; default [0, 0]. */
  readonly padding: readonly [number, number];
  /** Spacing between kernel taps; default [1, 1]. */
  readonly dilation: readonly [number, number];
  /** Channel groups: input and output channels split into this many independent convolutions; default 1. */
  readonly groups: number;
}

/** Reads conv2d's `stride`, `padding`, `dilation` (pairs, or one integer for both) and `groups` from `r`, with their defaults. */
export function readConv2dGeometry(r: ParamReader): Conv2dParams {
  return {
    stride: r.pair("stride", [1, 1], 1),
    padding: r.pair("padding", [0, 0], 0),
    dilation: r.pair("dilation", [1, 1], 1),
    groups: r.int("groups", 1, 1),
  };
}

/** Params of a conv2d gradient kernel: the forward's geometry plus one spatial size it cannot infer. */
export type Conv2dGradParams<K extends "inputSize" | "kernelSize"> = Conv2dParams & {
  readonly [key in K]: readonly [number, number];
};

/** Decodes `{stride?, padding?, dilation?, groups?, <size>}` for `conv2d_input_grad` (`inputSize`) or `conv2d_weight_grad` (`kernelSize`). */
export function decodeConv2dGradParams<K extends "inputSize" | "kernelSize">(
  kernelId: string,
  size: K,
  raw: unknown,
  issues: IssueCollector,
  path: string,
): Conv2dGradParams<K> | undefined {
  const r = ParamReader.open(raw, kernelId, ["stride", "padding", "dilation", "groups", size], issues, path);
  if (r === undefined) return undefined;
  const geometry = readConv2dGeometry(r);
  if (!r.has(size))
    r.fail(size, `${kernelId} needs param \`${size}\` (a pair [height, width])`, { param: size });
  const extra = { [size]: r.pair(size, [1, 1], 1) } as { [key in K]: [number, number] };
  return r.done({ ...geometry, ...extra });
}

/**
 * The forward output extent `⌊(size + 2·pad − dil·(taps − 1) − 1) / stride⌋ + 1` along one
 * spatial dimension, or undefined when the dilated kernel does not fit the padded input.
 */
export function convOutputExtent(
  size: number,
  taps: number,
  stride: number,
  pad: number,
  dil: number,
): number | undefined {
  const field = dil * (taps - 1) + 1;
  const padded = size + 2 * pad;
  return field > padded ? undefined : Math.floor((padded - field) / stride) + 1;
}

/**
 * Records `shape_mismatch` at input `dy` unless its spatial extents are the forward output's
 * for input extents `hw` and kernel extents `k` under `params`; returns whether they are.
 */
export function checkGradientExtents(
  dy: TensorType,
  hw: readonly [number, number],
  k: readonly [number, number],
  params: Conv2dParams,
  issues: IssueCollector,
  path: string,
): boolean {
  const expected = [0, 1].map((i) =>
    convOutputExtent(hw[i]!, k[i]!, params.stride[i]!, params.padding[i]!, params.dilation[i]!),
  );
  const found = dy.shape.slice(2);
  if (expected.every((e, i) => e === found[i])) return true;
  const shown = expected.map((e) => (e === undefined ? "none (the kernel does not fit)" : String(e)));
  issues.add(
    "shape_mismatch",
    inputPath(path, "dy"),
    `input dy has spatial extents ${formatShape(found)} but the forward conv2d of input ${formatShape(hw)} with kernel ${formatShape(k)} makes [${shown.join(", ")}]`,
    { input: "dy", expected: expected.map((e) => e ?? null), found: found.slice() },
  );
  return false;
}

/**
 * Records `shape_mismatch` unless `groups` divides dimension `dim` of input `name` (named
 * `what` in the message when given); returns whether it does.
 */
export function checkGroups(
  name: string,
  t: TensorType,
  dim: number,
  groups: number,
  issues: IssueCollector,
  path: string,
  what?: string,
): boolean {
  const size = t.shape[dim]!;
  if (size % groups === 0) return true;
  const named = what === undefined ? "" : ` (${what})`;
  issues.add(
    "shape_mismatch",
    inputPath(path, name),
    `input ${name} dimension ${dim}${named} = ${size} is not divisible by \`groups\` = ${groups}`,
    { input: name, dim, found: size, groups },
  );
  return false;
}
