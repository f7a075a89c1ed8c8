import type { IssueCollector } from "../base/issue.js";
import { pointer } from "../base/json.js";
import type { OperandSignature, Signature, TensorType } from "../kernels/signature.js";
import { decodeProjection, type IndexProjection } from "../zspace/index-projection.js";
import type { ZPoint } from "../zspace/z-point.js";

/** The JSON form of an operation's signature (types live on the tensors, not here). */
export interface SignatureJson {
  readonly indexNames: readonly string[];
  readonly inputs: Readonly<Record<string, ReturnType<IndexProjection["toJSON"]>>>;
  readonly outputs: Readonly<Record<string, ReturnType<IndexProjection["toJSON"]>>>;
  readonly reductions: readonly { readonly dim: number; readonly monoid: string }[];
  readonly unshardable?: string;
}

function projections(ops: Readonly<Record<string, OperandSignature>>) {
  return Object.fromEntries(Object.entries(ops).map(([k, v]) => [k, v.projection.toJSON()]));
}

/** Encodes a signature's projections and reductions. */
export function signatureToJson(sig: Signature): SignatureJson {
  return {
    indexNames: sig.indexNames.slice(),
    inputs: projections(sig.inputs),
    outputs: projections(sig.outputs),
    reductions: sig.reductions.map((r) => ({ dim: r.dim, monoid: r.monoid })),
    ...(sig.unshardable === undefined ? {} : { unshardable: sig.unshardable }),
  };
}

/** Decodes the stored projections of a signature, recording malformed ones. */
export function decodeStoredProjections(
  json: Readonly<Record<string, unknown>>,
  path: string,
  issues: IssueCollector,
): Map<string, IndexProjection> {
  const out = new Map<string, IndexProjection>();
  for (const [name, p] of Object.entries(json)) {
    const proj = decodeProjection(p, pointer(path, name), issues);
    if (proj !== undefined) out.set(name, proj);
  }
  return out;
}

/** Translates every projection of `sig` by the start of the selection its operand is bound to. */
export function translateSignature(
  sig: Signature,
  inputStarts: ReadonlyMap<string, ZPoint>,
  outputStarts: ReadonlyMap<string, ZPoint>,
): Signature {
  const move = (ops: Readonly<Record<string, OperandSignature>>, starts: ReadonlyMap<string, ZPoint>) =>
    Object.fromEntries(
      Object.entries(ops).map(([k, v]) => {
        const start = starts.get(k);
        return [k, start === undefined ? v : { ...v, projection: v.projection.translate(start) }];
      }),
    );
  return { ...sig, inputs: move(sig.inputs, inputStarts), outputs: move(sig.outputs, outputStarts) };
}

/** The type of each operand of a signature, by name. */
export function operandTypes(ops: Readonly<Record<string, OperandSignature>>): Record<string, TensorType> {
  return Object.fromEntries(Object.entries(ops).map(([k, v]) => [k, { shape: v.shape, dtype: v.dtype }]));
}
