import type { JsonValue } from "../base/json.js";
import type { Program, Selection } from "./program.js";
import { signatureToJson } from "./signature-json.js";

function selection(s: Selection) {
  return { name: s.name, tensor: s.tensor, range: s.range.toJSON() };
}

/** The JSON document of a program (what `validateProgram` reads back to an equal program). */
export function programToJson(program: Program): JsonValue {
  const doc = {
    version: program.version,
    kind: "program",
    ...(program.name === undefined ? {} : { name: program.name }),
    tensors: program.tensors.map((t) => ({
      id: t.id,
      ...(t.label === undefined ? {} : { label: t.label }),
      dtype: t.dtype,
      range: t.range.toJSON(),
    })),
    operations: program.operations.map((o) => ({
      id: o.id,
      kernel: o.kernel,
      params: o.params,
      inputs: o.inputs.map(selection),
      outputs: o.outputs.map(selection),
      index: o.index.toJSON(),
      signature: signatureToJson(o.signature),
    })),
    inputs: program.inputs.slice(),
    outputs: program.outputs.slice(),
  };
  // Round-trip through JSON so the result is plain data with no class instances left.
  return JSON.parse(JSON.stringify(doc)) as JsonValue;
}
