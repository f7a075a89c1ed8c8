import { IssueCollector } from "../base/issue.js";
import { pointer } from "../base/json.js";
import type { KernelRegistry } from "../kernels/registry.js";
import type { Signature, TensorType } from "../kernels/signature.js";

/** What deriving an operation's signature yields: decoded params and the kernel-relative signature. */
export interface DerivedSignature {
  readonly params: unknown;
  readonly signature: Signature;
}

/** The operand names an operation binds, in the order of its `inputs` and `outputs` arrays. */
export interface BoundOperands {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

/**
 * Looks the kernel up, decodes params and runs its metakernel on the input types. Issues are
 * re-worded to name the operation (`operation 'fc1' (matmul): ...`) and recorded under `path`.
 * Kernels point at operands by name (`<path>/inputs/b/shape`); a program binds them in arrays,
 * so such paths are re-pointed into the document through `bound` (`<path>/inputs/1/range`).
 */
export function deriveSignature(
  registry: KernelRegistry,
  op: { readonly id: string; readonly kernel: string; readonly params: unknown },
  inputs: Readonly<Record<string, TensorType>>,
  path: string,
  issues: IssueCollector,
  bound: BoundOperands = { inputs: Object.keys(inputs), outputs: [] },
): DerivedSignature | undefined {
  const local = new IssueCollector();
  const result = derive(registry, op, inputs, path, local);
  const prefix = `operation '${op.id}' (${op.kernel}): `;
  for (const i of local.issues) {
    const summary = i.summary.startsWith(prefix) ? i.summary : prefix + i.summary;
    issues.add(i.code, documentPath(i.path, path, bound), summary, { op: op.id, ...i.context });
  }
  return local.ok ? result : undefined;
}

const SELECTION_FIELDS = new Map([
  ["shape", "range"],
  ["dtype", "tensor"],
  ["name", "name"],
]);

/**
 * `<opPath>/inputs/<name>[/shape|/dtype|/name...]` as a pointer into the program document: the
 * bound selection's `range` (for a shape), `tensor` (whose declaration holds the dtype) or
 * `name`; the selection itself otherwise; the array when `name` is not bound.
 */
function documentPath(path: string, opPath: string, bound: BoundOperands): string {
  for (const side of ["inputs", "outputs"] as const) {
    const list = pointer(opPath, side);
    if (!path.startsWith(`${list}/`)) continue;
    const [segment = "", field] = path.slice(list.length + 1).split("/");
    const k = bound[side].indexOf(segment.replaceAll("~1", "/").replaceAll("~0", "~"));
    if (k < 0) return list;
    const selectionField = SELECTION_FIELDS.get(field ?? "");
    return selectionField === undefined ? pointer(list, k) : pointer(pointer(list, k), selectionField);
  }
  return path;
}

function derive(
  registry: KernelRegistry,
  op: { readonly id: string; readonly kernel: string; readonly params: unknown },
  inputs: Readonly<Record<string, TensorType>>,
  path: string,
  issues: IssueCollector,
): DerivedSignature | undefined {
  const def = registry.get(op.kernel);
  if (def === undefined) {
    const known = [...registry.keys()].sort();
    issues.add("unknown_kernel", pointer(path, "kernel"), `unknown kernel '${op.kernel}'`, {
      kernel: op.kernel,
      known: known.length > 40 ? [...known.slice(0, 40), "..."] : known,
    });
    return undefined;
  }
  for (const name of Object.keys(inputs)) {
    if (!def.inputs.includes(name)) {
      issues.add(
        "unknown_operand",
        pointer(pointer(pointer(path, "inputs"), name), "name"),
        `input '${name}' is not an input of ${def.id} (inputs: ${def.inputs.join(", ")})`,
        {
          operand: name,
          expected: def.inputs.slice(),
        },
      );
    }
  }
  if (!issues.ok) return undefined;
  const params = def.decodeParams(op.params ?? {}, issues, pointer(path, "params"));
  if (params === undefined || !issues.ok) return undefined;
  const signature = def.signature(inputs, params, issues, path);
  if (signature === undefined || !issues.ok) return undefined;
  for (const out of def.outputs) {
    if (signature.outputs[out] === undefined) {
      issues.add("missing_operand", pointer(path, "outputs"), `kernel ${def.id} derived no output '${out}'`, {
        operand: out,
      });
    }
  }
  return { params, signature };
}
