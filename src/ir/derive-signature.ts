import { IssueCollector } from "../base/issue.js";
import { pointer } from "../base/json.js";
import type { KernelRegistry } from "../kernels/registry.js";
import type { Signature, TensorType } from "../kernels/signature.js";

/** What deriving an operation's signature yields: decoded params and the kernel-relative signature. */
export interface DerivedSignature {
  readonly params: unknown;
  readonly signature: Signature;
}

/**
 * Looks the kernel up, decodes params and runs its metakernel on the input types. Issues are
 * re-worded to name the operation (`operation 'fc1' (matmul): ...`) and recorded under `path`.
 */
export function deriveSignature(
  registry: KernelRegistry,
  op: { readonly id: string; readonly kernel: string; readonly params: unknown },
  inputs: Readonly<Record<string, TensorType>>,
  path: string,
  issues: IssueCollector,
): DerivedSignature | undefined {
  const local = new IssueCollector();
  const result = derive(registry, op, inputs, path, local);
  const prefix = `operation '${op.id}' (${op.kernel}): `;
  for (const i of local.issues) {
    issues.add(i.code, i.path, i.summary.startsWith(prefix) ? i.summary : prefix + i.summary, {
      op: op.id,
      ...i.context,
    });
  }
  return local.ok ? result : undefined;
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
        pointer(pointer(path, "inputs"), name),
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
