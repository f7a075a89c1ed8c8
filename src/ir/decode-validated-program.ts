import type { DType } from "../base/dtype.js";
import { IssueCollector } from "../base/issue.js";
import type { JsonValue } from "../base/json.js";
import type { Monoid, OperandSignature, Signature } from "../kernels/signature.js";
import { ZRange } from "../zspace/z-range.js";
import { PROGRAM_VERSION, type Program, type Selection } from "./program.js";
import { decodeStoredProjections, type SignatureJson } from "./signature-json.js";

interface SelJson {
  name: string;
  tensor: string;
  range: unknown;
}

/**
 * Rebuilds a program from a document that `validateProgram` has already accepted (e.g. one a
 * coordinator sends to its worker threads), without re-validating: no schema compile, no
 * kernel derivation. Signatures are decoded from the stored projections. Never use it on
 * documents from outside the process: it trusts them.
 */
export function decodeValidatedProgram(json: JsonValue): Program {
  const doc = json as unknown as {
    name?: string;
    tensors: { id: string; label?: string; dtype: DType; range: unknown }[];
    operations: {
      id: string;
      kernel: string;
      params?: Record<string, JsonValue>;
      inputs: SelJson[];
      outputs: SelJson[];
      index: unknown;
      signature: SignatureJson;
    }[];
    inputs: string[];
    outputs: string[];
  };
  const tensors = new Map(doc.tensors.map((t) => [t.id, t]));
  const sel = (s: SelJson): Selection => ({
    name: s.name,
    tensor: s.tensor,
    range: ZRange.fromJSON(s.range),
  });
  const issues = new IssueCollector();
  const operations = doc.operations.map((o) => {
    const inputs = o.inputs.map(sel);
    const outputs = o.outputs.map(sel);
    const operands = (
      sels: readonly Selection[],
      stored: SignatureJson["inputs"],
    ): Record<string, OperandSignature> => {
      const projections = decodeStoredProjections(stored, "", issues);
      return Object.fromEntries(
        sels.map((s) => [
          s.name,
          {
            shape: s.range.shape.toArray(),
            dtype: tensors.get(s.tensor)!.dtype,
            projection: projections.get(s.name)!,
          },
        ]),
      );
    };
    const index = ZRange.fromJSON(o.index);
    const signature: Signature = {
      index,
      indexNames: o.signature.indexNames,
      inputs: operands(inputs, o.signature.inputs),
      outputs: operands(outputs, o.signature.outputs),
      reductions: o.signature.reductions.map((r) => ({ dim: r.dim, monoid: r.monoid as Monoid })),
      ...(o.signature.unshardable === undefined ? {} : { unshardable: o.signature.unshardable }),
    };
    return { id: o.id, kernel: o.kernel, params: o.params ?? {}, inputs, outputs, index, signature };
  });
  return {
    version: PROGRAM_VERSION,
    ...(doc.name === undefined ? {} : { name: doc.name }),
    tensors: doc.tensors.map((t) => ({
      id: t.id,
      dtype: t.dtype,
      range: ZRange.fromJSON(t.range),
      ...(t.label === undefined ? {} : { label: t.label }),
    })),
    operations,
    inputs: doc.inputs,
    outputs: doc.outputs,
  };
}
