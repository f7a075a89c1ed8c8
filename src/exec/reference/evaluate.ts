import { TesseraError, ValidationError } from "../../base/errors.js";
import { IssueCollector } from "../../base/issue.js";
import { nullRecord, pointer } from "../../base/json.js";
import { topologicalOrder } from "../../ir/dependencies.js";
import type { Program } from "../../ir/program.js";
import type { AnyKernelDef, KernelContext } from "../../kernels/kernel.js";
import { type Region, sliceRegion, writeRegion, zeroRegion } from "../../kernels/region.js";
import { checkRegistry, type KernelRegistry } from "../../kernels/registry.js";

/** Tensor values by tensor id. */
export type TensorValues = Readonly<Record<string, Region>>;

/**
 * Checks that `inputs` holds a value of the right dtype and range for every program input and
 * reports every problem at once: one is thrown as its own `missing_input`/`input_mismatch`,
 * several as a `ValidationError` listing each (paths `/tensors/<id>`, as in a tensor file).
 * Inputs are looked up as own properties, so an input named `constructor` is not found on
 * `Object.prototype`.
 */
export function checkInputValues(program: Program, inputs: TensorValues): void {
  const issues = new IssueCollector();
  for (const id of program.inputs) {
    const decl = program.tensors.find((t) => t.id === id)!;
    const value = Object.hasOwn(inputs, id) ? inputs[id] : undefined;
    const path = pointer("/tensors", id);
    if (value === undefined) {
      issues.add("missing_input", path, `no value was given for program input '${id}'`, { tensor: id });
      continue;
    }
    if (value.dtype !== decl.dtype || value.range?.equals(decl.range) !== true) {
      issues.add(
        "input_mismatch",
        path,
        `input '${id}' must be ${decl.dtype} over ${decl.range}, found ${value.dtype} over ${value.range}`,
        { tensor: id, expected: `${decl.dtype} ${decl.range}`, found: `${value.dtype} ${value.range}` },
      );
    }
  }
  const [first] = issues.issues;
  if (first === undefined) return;
  if (issues.issues.length === 1) throw new TesseraError(first.code, first.summary, first.context);
  throw new ValidationError(issues.issues, "inputs");
}

/** One operation ready to run unsharded: its kernel, decoded params and input regions. */
export interface UnshardedStep {
  readonly op: Program["operations"][number];
  readonly def: AnyKernelDef;
  readonly ctx: KernelContext<unknown>;
}

/**
 * Walks the program unsharded in dependency order: for each operation, builds its kernel
 * context (an operand bound to part of a tensor sees only that part; outside reads are zero),
 * lets `run` compute the outputs, and stores them. Shared by the synchronous reference
 * evaluation and evaluation with any backend.
 */
function* unshardedSteps(
  program: Program,
  inputs: TensorValues,
  registry: KernelRegistry,
  values: Map<string, Region>,
): Generator<UnshardedStep, void, Record<string, Region>> {
  checkRegistry(registry, "evaluateProgram");
  checkInputValues(program, inputs);
  // Values given for tensors that are not program inputs are ignored: writing into them would
  // mutate the caller's data, and one of another range would be written only in part.
  for (const t of program.tensors) {
    values.set(t.id, program.inputs.includes(t.id) ? inputs[t.id]! : zeroRegion(t.dtype, t.range));
  }
  for (const k of topologicalOrder(program.operations).order) {
    const op = program.operations[k]!;
    const def = registry.get(op.kernel);
    if (def === undefined) {
      throw new TesseraError("unknown_kernel", `unknown kernel '${op.kernel}' in operation '${op.id}'`, {
        op: op.id,
        kernel: op.kernel,
      });
    }
    const issues = new IssueCollector();
    const params = def.decodeParams(op.params, issues, `/operations/${k}/params`);
    if (params === undefined) {
      throw new TesseraError(
        "invalid_param",
        `operation '${op.id}': ${issues.issues[0]?.summary ?? "bad params"}`,
        {
          op: op.id,
        },
      );
    }
    const regions = nullRecord<Region>();
    for (const s of op.inputs) regions[s.name] = sliceRegion(values.get(s.tensor)!, s.range);
    const outs = yield {
      op,
      def,
      ctx: { params, signature: op.signature, index: op.index, inputs: regions },
    };
    for (const s of op.outputs) {
      const out = outs[s.name];
      if (out === undefined) {
        throw new TesseraError("missing_operand", `operation '${op.id}' produced no output '${s.name}'`, {
          op: op.id,
          operand: s.name,
        });
      }
      const target = values.get(s.tensor)!;
      if (target.range.equals(out.range) && !program.inputs.includes(s.tensor)) values.set(s.tensor, out);
      else writeRegion(target, out);
    }
  }
}

/**
 * Evaluates the program unsharded with the reference kernels: the ground truth every executor
 * is checked against. Each operation runs once over its whole index range, in dependency
 * order. Returns the value of every tensor, program outputs included.
 */
export function evaluateProgram(
  program: Program,
  inputs: TensorValues,
  registry: KernelRegistry,
): Record<string, Region> {
  const values = new Map<string, Region>();
  const steps = unshardedSteps(program, inputs, registry, values);
  for (let step = steps.next(); !step.done; ) {
    const { def, ctx } = step.value;
    step = steps.next(def.impl(ctx));
  }
  return Object.fromEntries(values);
}

/**
 * Evaluates the program unsharded, every operation computed by `run` (e.g. a kernel backend's
 * `run`, to time ONNX Runtime on the whole program). Same order and semantics as `evaluateProgram`.
 */
export async function evaluateProgramWith(
  program: Program,
  inputs: TensorValues,
  registry: KernelRegistry,
  run: (def: AnyKernelDef, ctx: KernelContext<unknown>) => Promise<Record<string, Region>>,
): Promise<Record<string, Region>> {
  const values = new Map<string, Region>();
  const steps = unshardedSteps(program, inputs, registry, values);
  for (let step = steps.next(); !step.done; ) {
    const { def, ctx } = step.value;
    step = steps.next(await run(def, ctx));
  }
  return Object.fromEntries(values);
}

/** Only the program outputs of a full evaluation, by tensor id. */
export function programOutputs(program: Program, values: TensorValues): Record<string, Region> {
  return Object.fromEntries(program.outputs.map((id) => [id, values[id]!]));
}
