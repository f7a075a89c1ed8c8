import type { DType } from "../base/dtype.js";
import { throwIfIssues } from "../base/errors.js";
import { type Issue, IssueCollector } from "../base/issue.js";
import { type Context, type JsonValue, pointer } from "../base/json.js";
import { checkSchema } from "../base/schema-check.js";
import { checkRegistry, type KernelRegistry } from "../kernels/registry.js";
import type { TensorType } from "../kernels/signature.js";
import type { ZPoint } from "../zspace/z-point.js";
import { decodeRange } from "../zspace/z-range.js";
import { topologicalOrder } from "./dependencies.js";
import { deriveSignature } from "./derive-signature.js";
import { checkOutputCoverage } from "./output-coverage.js";
import { type Operation, PROGRAM_VERSION, type Program, type Selection, type TensorDecl } from "./program.js";
import { type SignatureJson, translateSignature } from "./signature-json.js";
import { compareStoredSignature } from "./stored-signature.js";
import { checkWrites } from "./write-coverage.js";

interface SelectionJson {
  name: string;
  tensor: string;
  range: unknown;
}
interface OperationJson {
  id: string;
  kernel: string;
  params?: Record<string, JsonValue>;
  inputs: SelectionJson[];
  outputs: SelectionJson[];
  index?: unknown;
  signature?: SignatureJson;
}
interface ProgramJson {
  version: number;
  name?: string;
  tensors: { id: string; label?: string; dtype: DType; range: unknown }[];
  operations: OperationJson[];
  inputs: string[];
  outputs: string[];
}

/** The outcome of validating a program: the program when valid, and every issue found. */
export interface ProgramValidation {
  readonly program: Program | undefined;
  readonly issues: readonly Issue[];
}

/**
 * Validates a program document (parsed JSON/YAML), collecting every issue before giving up:
 * schema, references, ranges, kernel signatures (dtypes, shapes, stored vs derived
 * projections), exactly-once outputs, write conflicts, unwritten tensors and cycles.
 */
export function validateProgram(json: unknown, registry: KernelRegistry): ProgramValidation {
  checkRegistry(registry, "validateProgram");
  const schemaIssues = checkSchema("program", json);
  if (schemaIssues.length > 0) return { program: undefined, issues: schemaIssues };
  const doc = json as ProgramJson;
  const issues = new IssueCollector();

  const tensors = new Map<string, TensorDecl>();
  // Tensors declared with a malformed range are reported once, where declared; references to
  // them are not reported again as unknown.
  const broken = new Set<string>();
  doc.tensors.forEach((t, i) => {
    const path = `/tensors/${i}`;
    if (tensors.has(t.id)) {
      issues.add("duplicate_id", pointer(path, "id"), `tensor id '${t.id}' is declared more than once`, {
        id: t.id,
      });
      return;
    }
    const local = new IssueCollector();
    const range = decodeRange(t.range, pointer(path, "range"), local);
    addNamed(issues, local.issues, `tensor '${t.id}'`, `tensor '${t.id}'`, { tensor: t.id });
    if (range === undefined) broken.add(t.id);
    else {
      tensors.set(t.id, {
        id: t.id,
        dtype: t.dtype,
        range,
        ...(t.label === undefined ? {} : { label: t.label }),
      });
    }
  });

  const opIds = new Set<string>();
  const operations: Operation[] = [];
  doc.operations.forEach((o, i) => {
    const path = `/operations/${i}`;
    if (opIds.has(o.id))
      issues.add("duplicate_id", pointer(path, "id"), `operation id '${o.id}' is used more than once`, {
        id: o.id,
      });
    opIds.add(o.id);
    const local = new IssueCollector();
    const op = checkOperation(o, path, tensors, broken, registry, local);
    const name = `operation '${o.id}'`;
    addNamed(issues, local.issues, name, `${name} (${o.kernel})`, { op: o.id });
    if (op !== undefined) operations.push(op);
  });

  const inputs = new Set(doc.inputs);
  checkReferences(doc.inputs, "/inputs", tensors, broken, issues);
  checkReferences(doc.outputs, "/outputs", tensors, broken, issues);
  if (issues.ok) {
    checkWrites(operations, tensors, inputs, issues);
    const { cyclic } = topologicalOrder(operations);
    if (cyclic.length > 0) {
      const ids = cyclic.map((k) => operations[k]!.id);
      issues.add(
        "cycle",
        "/operations",
        `operations ${ids.map((s) => `'${s}'`).join(", ")} depend on each other in a cycle`,
        { operations: ids },
      );
    }
  }
  if (!issues.ok) return { program: undefined, issues: issues.issues };
  const program: Program = {
    version: PROGRAM_VERSION,
    ...(doc.name === undefined ? {} : { name: doc.name }),
    tensors: [...tensors.values()],
    operations,
    inputs: doc.inputs.slice(),
    outputs: doc.outputs.slice(),
  };
  return { program, issues: [] };
}

/**
 * Records `found`, each summary naming the tensor or operation it is about (`name`, prefixed as
 * `who`, e.g. `operation 'fc1' (matmul): `) unless it already does: a message says where without its path.
 */
function addNamed(
  issues: IssueCollector,
  found: readonly Issue[],
  name: string,
  who: string,
  context: Context,
): void {
  for (const i of found) {
    const summary = i.summary.includes(name) ? i.summary : `${who}: ${i.summary}`;
    issues.add(i.code, i.path, summary, { ...context, ...i.context });
  }
}

/** Validates and returns the program, or throws `ValidationError` carrying every issue. */
export function parseProgram(json: unknown, registry: KernelRegistry): Program {
  const { program, issues } = validateProgram(json, registry);
  throwIfIssues(issues, "program");
  return program!;
}

function checkReferences(
  ids: readonly string[],
  path: string,
  tensors: ReadonlyMap<string, TensorDecl>,
  broken: ReadonlySet<string>,
  issues: IssueCollector,
): void {
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) {
      issues.add("duplicate_id", pointer(path, i), `'${id}' is listed more than once`, { tensor: id });
    }
    seen.add(id);
    if (!tensors.has(id) && !broken.has(id))
      issues.add("unknown_tensor", pointer(path, i), `'${id}' is not a declared tensor`, { tensor: id });
  });
}

function checkSelections(
  list: readonly SelectionJson[],
  path: string,
  tensors: ReadonlyMap<string, TensorDecl>,
  broken: ReadonlySet<string>,
  issues: IssueCollector,
): Selection[] | undefined {
  const names = new Set<string>();
  const out: Selection[] = [];
  let ok = true;
  list.forEach((s, i) => {
    const p = pointer(path, i);
    if (names.has(s.name)) {
      ok = false;
      issues.add("duplicate_id", pointer(p, "name"), `operand '${s.name}' is bound more than once`, {
        operand: s.name,
      });
    }
    names.add(s.name);
    const tensor = tensors.get(s.tensor);
    const range = decodeRange(s.range, pointer(p, "range"), issues);
    if (tensor === undefined) {
      ok = false;
      if (broken.has(s.tensor)) return;
      issues.add(
        "unknown_tensor",
        pointer(p, "tensor"),
        `operand '${s.name}' names '${s.tensor}', which is not a declared tensor`,
        {
          operand: s.name,
          tensor: s.tensor,
        },
      );
      return;
    }
    if (range === undefined) {
      ok = false;
      return;
    }
    if (range.rank !== tensor.range.rank || !tensor.range.contains(range)) {
      ok = false;
      issues.add(
        "selection_out_of_range",
        pointer(p, "range"),
        `operand '${s.name}' selects ${range} of tensor '${s.tensor}', whose range is ${tensor.range}`,
        { operand: s.name, tensor: s.tensor, selection: range.toJSON(), range: tensor.range.toJSON() },
      );
      return;
    }
    out.push({ name: s.name, tensor: s.tensor, range });
  });
  return ok ? out : undefined;
}

/** The operand types by name, in a null-prototype record: an operand named `constructor` is just a name. */
function typesOf(
  sels: readonly Selection[],
  tensors: ReadonlyMap<string, TensorDecl>,
): Record<string, TensorType> {
  const types = Object.create(null) as Record<string, TensorType>;
  for (const s of sels)
    types[s.name] = { shape: s.range.shape.toArray(), dtype: tensors.get(s.tensor)!.dtype };
  return types;
}

function starts(sels: readonly Selection[]): Map<string, ZPoint> {
  return new Map(sels.map((s) => [s.name, s.range.start]));
}

function checkOperation(
  o: OperationJson,
  path: string,
  tensors: ReadonlyMap<string, TensorDecl>,
  broken: ReadonlySet<string>,
  registry: KernelRegistry,
  issues: IssueCollector,
): Operation | undefined {
  const inputs = checkSelections(o.inputs, pointer(path, "inputs"), tensors, broken, issues);
  const outputs = checkSelections(o.outputs, pointer(path, "outputs"), tensors, broken, issues);
  // Index and signature are a cache of what the kernel derives: checked when given, derived when not.
  const index = o.index === undefined ? null : decodeRange(o.index, pointer(path, "index"), issues);
  if (inputs === undefined || outputs === undefined || index === undefined) return undefined;
  const params = o.params ?? {};
  const derived = deriveSignature(
    registry,
    { id: o.id, kernel: o.kernel, params },
    typesOf(inputs, tensors),
    path,
    issues,
    { inputs: inputs.map((s) => s.name), outputs: outputs.map((s) => s.name) },
  );
  if (derived === undefined) return undefined;
  const def = registry.get(o.kernel)!;
  const before = issues.issues.length;
  const outNames = new Set(outputs.map((s) => s.name));
  for (const name of def.outputs) {
    if (!outNames.has(name))
      issues.add(
        "missing_operand",
        pointer(path, "outputs"),
        `operation '${o.id}' (${o.kernel}) does not bind output '${name}'`,
        { op: o.id, operand: name },
      );
  }
  outputs.forEach((s, i) => {
    const want = Object.hasOwn(derived.signature.outputs, s.name)
      ? derived.signature.outputs[s.name]
      : undefined;
    const p = pointer(pointer(path, "outputs"), i);
    if (want === undefined) {
      issues.add(
        "unknown_operand",
        pointer(p, "name"),
        `operation '${o.id}' (${o.kernel}) has no output '${s.name}' (outputs: ${def.outputs.join(", ")})`,
        { op: o.id, operand: s.name },
      );
      return;
    }
    const shape = s.range.shape.toArray();
    if (shape.join() !== want.shape.join()) {
      issues.add(
        "shape_mismatch",
        pointer(p, "range"),
        `operation '${o.id}' output '${s.name}' selects shape [${shape.join(", ")}] but the kernel produces [${want.shape.join(", ")}]`,
        {
          op: o.id,
          operand: s.name,
          expected: want.shape.slice(),
          found: shape,
        },
      );
    }
    const dtype = tensors.get(s.tensor)!.dtype;
    if (dtype !== want.dtype) {
      issues.add(
        "dtype_mismatch",
        pointer(p, "tensor"),
        `operation '${o.id}' output '${s.name}' writes ${want.dtype} into tensor '${s.tensor}' of dtype ${dtype}`,
        {
          op: o.id,
          operand: s.name,
          expected: want.dtype,
          found: dtype,
        },
      );
    }
  });
  if (issues.issues.length > before) return undefined;
  const signature = translateSignature(derived.signature, starts(inputs), starts(outputs));
  compareStoredSignature(o, path, index ?? signature.index, signature, issues);
  checkOutputCoverage(signature, new Map(outputs.map((s) => [s.name, s.range])), path, issues);
  if (issues.issues.length > before) return undefined;
  return { id: o.id, kernel: o.kernel, params, inputs, outputs, index: signature.index, signature };
}
