import { TesseraError } from "../base/errors.js";
import type { TensorRef } from "../kernels/tensor-ref.js";
import type { ImportContext } from "./import-context.js";
import type { OnnxNode } from "./onnx-model.js";
import {
  type ConstValue,
  constant,
  constConcat,
  constGather,
  constSlice,
  constTranspose,
  dimsOf,
  intsOf,
  type OnnxValue,
  sizeOf,
} from "./onnx-value.js";
import type { Translation } from "./translation.js";

/** `v` reshaped to `dims`: a constant just takes the new dims; a tensor gets a reshape operation. */
export function reshapeValue(
  ctx: ImportContext,
  node: OnnxNode,
  v: OnnxValue,
  dims: readonly number[],
  id: string,
): OnnxValue {
  if (v.kind === "const") return { ...v, name: id, dims: dims.slice() };
  if (v.ref.shape.length === dims.length && v.ref.shape.every((s, i) => s === dims[i])) return v;
  return { kind: "tensor", ref: ctx.apply("reshape", { x: ctx.asTensor(v, node) }, { shape: dims }, id) };
}

/** ONNX Reshape's target: 0 copies the input dimension (unless `allowzero`), one -1 is inferred. */
function reshapeTarget(
  ctx: ImportContext,
  node: OnnxNode,
  input: readonly number[],
  spec: readonly number[],
  allowZero: boolean,
): number[] {
  const dims = spec.map((s, i) => (s === 0 && !allowZero ? (input[i] ?? 0) : s));
  const unknown = dims.filter((d) => d === -1).length;
  const size = sizeOf(input);
  if (unknown === 1) {
    const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    if (known === 0 || size % known !== 0) {
      throw ctx.invalid(
        node,
        `cannot infer -1 in shape [${spec.join(", ")}] for an input of dims [${input.join(", ")}]`,
        {
          shape: spec.slice(),
          input: input.slice(),
        },
      );
    }
    dims[dims.indexOf(-1)] = size / known;
  }
  if (unknown > 1 || dims.some((d) => d < -1) || sizeOf(dims) !== size) {
    throw ctx.invalid(
      node,
      `shape [${spec.join(", ")}] does not fit an input of dims [${input.join(", ")}]`,
      {
        shape: spec.slice(),
        input: input.slice(),
      },
    );
  }
  return dims;
}

/** Reshape (the shape an input from opset 5, an attribute before). */
export const reshape: Translation = (node, ctx) => {
  const x = ctx.input(node, 0);
  const spec = ctx.opset < 5 ? (ctx.ints(node, "shape") ?? []) : intsOf(ctx.constInput(node, 1, "shape"));
  const dims = reshapeTarget(ctx, node, dimsOf(x), spec, ctx.int(node, "allowzero", 0) === 1);
  return reshapeValue(ctx, node, x, dims, node.outputs[0]!);
};

/** Flatten: the dims before `axis` and from it on, each multiplied into one. */
export const flatten: Translation = (node, ctx) => {
  const x = ctx.input(node, 0);
  const d = dimsOf(x);
  const raw = ctx.int(node, "axis", 1);
  const axis = raw < 0 ? raw + d.length : raw;
  if (axis < 0 || axis > d.length)
    throw ctx.invalid(node, `axis ${raw} is out of range for rank ${d.length}`, { axis: raw });
  return reshapeValue(ctx, node, x, [sizeOf(d.slice(0, axis)), sizeOf(d.slice(axis))], node.outputs[0]!);
};

/** The axes of Squeeze/Unsqueeze: an attribute before opset 13, an optional input from it. */
function axesOf(ctx: ImportContext, node: OnnxNode): number[] | undefined {
  if (ctx.opset < 13) return ctx.ints(node, "axes")?.slice();
  return node.inputs[1] === undefined || node.inputs[1] === ""
    ? undefined
    : intsOf(ctx.constInput(node, 1, "axes"));
}

/** Squeeze: drops the listed size-1 axes (all size-1 axes when none are listed). */
export const squeeze: Translation = (node, ctx) => {
  const x = ctx.input(node, 0);
  const d = dimsOf(x);
  const axes = (axesOf(ctx, node) ?? d.flatMap((s, i) => (s === 1 ? [i] : []))).map((a) =>
    ctx.axis(node, a, d.length),
  );
  for (const a of axes) {
    if (d[a] !== 1) throw ctx.invalid(node, `axis ${a} has size ${d[a]}, not 1`, { axis: a, size: d[a]! });
  }
  return reshapeValue(
    ctx,
    node,
    x,
    d.filter((_, i) => !axes.includes(i)),
    node.outputs[0]!,
  );
};

/** Unsqueeze: inserts size-1 axes at the listed positions of the output. */
export const unsqueeze: Translation = (node, ctx) => {
  const x = ctx.input(node, 0);
  const d = dimsOf(x);
  const raw = axesOf(ctx, node);
  if (raw === undefined) throw ctx.invalid(node, "Unsqueeze needs axes", {});
  const rank = d.length + raw.length;
  const axes = raw.map((a) => ctx.axis(node, a, rank));
  const dims: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) dims.push(axes.includes(i) ? 1 : d[k++]!);
  return reshapeValue(ctx, node, x, dims, node.outputs[0]!);
};

/** Transpose (`perm` absent reverses the dimensions); constants are transposed at import. */
export const transpose: Translation = (node, ctx) => {
  const x = ctx.input(node, 0);
  const rank = dimsOf(x).length;
  const perm = ctx.ints(node, "perm", [...Array(rank).keys()].reverse());
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== rank || sorted.some((p, i) => p !== i)) {
    throw ctx.invalid(node, `perm [${perm.join(", ")}] is not a permutation of the ${rank} dimensions`, {
      perm: perm.slice(),
    });
  }
  if (x.kind === "const") return constTranspose(node.outputs[0]!, x, perm);
  return { kind: "tensor", ref: ctx.apply("transpose", { x: x.ref }, { perm }, node.outputs[0]!) };
};

/** Concat along `axis`: constants at import, tensors by one copy per part into one tensor. */
export const concat: Translation = (node, ctx) => {
  const parts = node.inputs.map((_, i) => ctx.input(node, i));
  const first = parts[0];
  if (first === undefined) throw ctx.invalid(node, "Concat needs at least one input", {});
  const rank = dimsOf(first).length;
  const axis = ctx.axis(node, ctx.int(node, "axis", 0), rank);
  parts.forEach((p, i) => {
    const d = dimsOf(p);
    if (d.length !== rank || d.some((s, k) => k !== axis && s !== dimsOf(first)[k])) {
      throw ctx.invalid(
        node,
        `input ${i} has dims [${d.join(", ")}], which do not match [${dimsOf(first).join(", ")}] off axis ${axis}`,
        {
          input: i,
        },
      );
    }
  });
  if (parts.every((p): p is ConstValue => p.kind === "const"))
    return constConcat(node.outputs[0]!, parts, axis);
  const tensors: TensorRef[] = parts.filter((p) => dimsOf(p)[axis] !== 0).map((p) => ctx.asTensor(p, node));
  const out = ctx.program.concat(tensors, axis, { id: ctx.claim(node.outputs[0]!) });
  return { kind: "tensor", ref: out };
};

/** Clamps an ONNX slice bound for a dimension of `size` (positive steps only). */
function clampBound(v: number, size: number): number {
  const b = v < 0 ? v + size : v;
  return Math.min(Math.max(b, 0), size);
}

/** Slice (bounds as attributes before opset 10, as inputs from it); positive steps only. */
export const slice: Translation = (node, ctx) => {
  const x = ctx.input(node, 0);
  const d = dimsOf(x);
  let starts: number[];
  let ends: number[];
  let axes: number[] | undefined;
  let steps: number[] | undefined;
  if (ctx.opset < 10) {
    starts = (ctx.ints(node, "starts") ?? []).slice();
    ends = (ctx.ints(node, "ends") ?? []).slice();
    axes = ctx.ints(node, "axes")?.slice();
  } else {
    starts = intsOf(ctx.constInput(node, 1, "starts"));
    ends = intsOf(ctx.constInput(node, 2, "ends"));
    axes = ctx.optional(node, 3) === undefined ? undefined : intsOf(ctx.constInput(node, 3, "axes"));
    steps = ctx.optional(node, 4) === undefined ? undefined : intsOf(ctx.constInput(node, 4, "steps"));
  }
  const along = (axes ?? starts.map((_, i) => i)).map((a) => ctx.axis(node, a, d.length));
  if (
    ends.length !== starts.length ||
    along.length !== starts.length ||
    (steps !== undefined && steps.length !== starts.length)
  ) {
    throw ctx.invalid(node, "starts, ends, axes and steps must have the same length", {});
  }
  const start = d.map(() => 0);
  const end = d.slice();
  const step = d.map(() => 1);
  along.forEach((a, i) => {
    const s = steps?.[i] ?? 1;
    if (s <= 0)
      throw ctx.unsupported(node, `step ${s} on axis ${a}: only positive steps are translated`, {
        axis: a,
        step: s,
      });
    start[a] = clampBound(starts[i]!, d[a]!);
    end[a] = Math.max(clampBound(ends[i]!, d[a]!), start[a]!);
    step[a] = s;
  });
  const dims = d.map((_, k) => Math.ceil((end[k]! - start[k]!) / step[k]!));
  if (x.kind === "const") return constSlice(node.outputs[0]!, x, start, step, dims);
  return { kind: "tensor", ref: ctx.apply("slice", { x: x.ref }, { start, end, step }, node.outputs[0]!) };
};

/** Shape: the input's dims as an int64 constant (`start`/`end` select a part, opset 15). */
export const shape: Translation = (node, ctx) => {
  const d = dimsOf(ctx.input(node, 0));
  const start = clampBound(ctx.int(node, "start", 0), d.length);
  const end = clampBound(ctx.int(node, "end", d.length), d.length);
  const dims = d.slice(start, Math.max(start, end));
  return constant(node.outputs[0]!, "int64", [dims.length], dims);
};

/** Gather: folded when data and indices are constants; a scalar index into a tensor is a slice. */
export const gather: Translation = (node, ctx) => {
  const data = ctx.input(node, 0);
  const indices = ctx.constInput(node, 1, "indices");
  const d = dimsOf(data);
  const axis = ctx.axis(node, ctx.int(node, "axis", 0), d.length);
  const n = d[axis]!;
  const bad = intsOf(indices).find((i) => i < -n || i >= n);
  if (bad !== undefined)
    throw ctx.invalid(node, `index ${bad} is out of range for axis ${axis} of size ${n}`, { index: bad });
  if (data.kind === "const") return constGather(node.outputs[0]!, data, indices, axis);
  if (indices.dims.length !== 0) {
    throw ctx.unsupported(node, "Gather from a computed tensor is translated only for one scalar index", {
      indices: indices.dims.slice(),
    });
  }
  const i = intsOf(indices)[0]!;
  const at = i < 0 ? i + n : i;
  const start = d.map((_, k) => (k === axis ? at : 0));
  const end = d.map((s, k) => (k === axis ? at + 1 : s));
  const sliced = ctx.apply(
    "slice",
    { x: data.ref },
    { start, end, step: d.map(() => 1) },
    `${node.outputs[0]!}`,
  );
  return reshapeValue(
    ctx,
    node,
    { kind: "tensor", ref: sliced },
    d.filter((_, k) => k !== axis),
    ctx.freshId(node.outputs[0]!),
  );
};

/** Cast: constants are converted at import; a float tensor cast to its own type is itself. */
export const cast: Translation = (node, ctx) => {
  const x = ctx.input(node, 0);
  const to = ctx.int(node, "to", 0);
  const type = CAST_TYPES.get(to);
  if (type === undefined)
    throw ctx.unsupported(node, `Cast to ONNX element type ${to} is not translated`, { to });
  if (x.kind === "const") {
    const conv = type === "float32" ? Math.fround : type === "float64" ? (v: number) => v : Math.trunc;
    return constant(node.outputs[0]!, type, x.dims, Array.from(x.values, conv));
  }
  if (x.ref.dtype === type) return x;
  throw ctx.unsupported(node, `Cast of a ${x.ref.dtype} tensor to ${type} is not translated`, {
    from: x.ref.dtype,
    to: type,
  });
};

const CAST_TYPES: ReadonlyMap<number, "float32" | "float64" | "int32" | "int64"> = new Map([
  [1, "float32"],
  [11, "float64"],
  [6, "int32"],
  [7, "int64"],
]);

/** Constant: its value attribute (a tensor, or `value_float(s)` / `value_int(s)`). */
export const constantNode: Translation = (node, ctx) => {
  const name = node.outputs[0]!;
  const a = node.attributes;
  const t = a.get("value");
  if (t?.kind === "tensor") return constant(name, t.value.elementType, t.value.dims, t.value.values);
  const f = a.get("value_float");
  if (f?.kind === "float") return constant(name, "float32", [], [f.value]);
  const fs = a.get("value_floats");
  if (fs?.kind === "floats") return constant(name, "float32", [fs.value.length], fs.value);
  const i = a.get("value_int");
  if (i?.kind === "int") return constant(name, "int64", [], [i.value]);
  const is = a.get("value_ints");
  if (is?.kind === "ints") return constant(name, "int64", [is.value.length], is.value);
  throw ctx.unsupported(node, "a Constant without a tensor, float(s) or int(s) value is not translated", {});
};

/** ConstantOfShape: a constant of the given dims filled with `value` (default float 0). */
export const constantOfShape: Translation = (node, ctx) => {
  const dims = intsOf(ctx.constInput(node, 0, "shape"));
  const v = node.attributes.get("value");
  const fill = v?.kind === "tensor" ? v.value : undefined;
  const size = sizeOf(dims);
  if (size > 1 << 24)
    throw new TesseraError("limit_exceeded", `ConstantOfShape of ${size} elements is too large to fold`, {
      size,
    });
  return constant(
    node.outputs[0]!,
    fill?.elementType ?? "float32",
    dims,
    new Float64Array(size).fill(fill?.values[0] ?? 0),
  );
};
