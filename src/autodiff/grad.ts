import { isFloat } from "../base/dtype.js";
import { TesseraError } from "../base/errors.js";
import { IssueCollector } from "../base/issue.js";
import { topologicalOrder } from "../ir/dependencies.js";
import type { Operation, Program, TensorDecl } from "../ir/program.js";
import { checkRegistry, type KernelRegistry } from "../kernels/registry.js";
import type { TensorRef } from "../kernels/tensor-ref.js";
import { BackwardGraph } from "./backward-graph.js";
import { ForwardReader, type RecomputeChoice } from "./recompute.js";

/** What to differentiate: the loss tensor and the tensors to take its gradient with respect to. */
export interface GradOptions {
  /** The tensor whose elements' sum is differentiated (usually a scalar program output). */
  readonly loss: string;
  /** Tensors (usually weight inputs) to differentiate with respect to; each gets an output `grad_<id>`. */
  readonly wrt: readonly string[];
  /** The new program's name; default `<name>-grad`. */
  readonly name?: string;
  /**
   * Forward activations the backward recomputes from their producers' inputs instead of keeping
   * them alive until their backward use (tensor ids, or `"cheap"`: see `ForwardReader`).
   */
  readonly recompute?: RecomputeChoice;
}

/** A program extended with gradients, and which output holds the gradient of each `wrt` tensor. */
export interface GradProgram {
  readonly program: Program;
  /** `wrt` tensor id → the id of the output holding its gradient. */
  readonly gradients: Readonly<Record<string, string>>;
}

/**
 * `program` followed by its backward pass: every operation between the `wrt` tensors and the
 * loss contributes its kernel's declared VJP (a composition of kernels), cotangents of a tensor
 * read by several operations are summed, and the gradient of each `wrt` tensor is a new output
 * `grad_<id>` (zeros when the loss does not depend on it). The loss's own cotangent is ones, so
 * a non-scalar loss is differentiated as the sum of its elements. The result is validated.
 *
 * Throws `unknown_tensor` for a loss or `wrt` id that is not a tensor, `invalid_argument` for an
 * empty or repeated `wrt`, `not_differentiable` for an integer loss or `wrt` tensor or for an
 * operation on the path whose kernel declares no VJP, and `duplicate_id` when `grad_<id>` is taken.
 */
export function gradients(program: Program, opts: GradOptions, registry: KernelRegistry): GradProgram {
  checkRegistry(registry, "grad");
  const graph = new BackwardGraph(program, registry, "grad");
  const grads = backward(graph, program, opts, registry);
  const names: Record<string, string> = {};
  for (const w of opts.wrt) {
    names[w] = `grad_${w}`;
    graph.output(names[w], grads[w]!);
  }
  return { program: graph.finish(opts.name ?? `${program.name ?? "program"}-grad`), gradients: names };
}

/** `gradients(...).program`: the program with its backward pass and one `grad_<id>` output per `wrt` tensor. */
export function grad(program: Program, opts: GradOptions, registry: KernelRegistry): Program {
  return gradients(program, opts, registry).program;
}

/**
 * Appends the backward pass of `program` to `graph` and returns the gradient tensor of each
 * `wrt` id (not yet outputs): what `gradients` and `trainStep` share.
 */
export function backward(
  graph: BackwardGraph,
  program: Program,
  opts: Pick<GradOptions, "loss" | "wrt" | "recompute">,
  registry: KernelRegistry,
): Record<string, TensorRef> {
  const decls = new Map(program.tensors.map((t) => [t.id, t]));
  const loss = checkTarget(decls, opts.loss, "loss");
  checkWrt(opts.wrt);
  for (const w of opts.wrt) checkTarget(decls, w, "wrt");

  const reader = new ForwardReader(graph, program, decls, opts.recompute ?? []);
  const { order } = topologicalOrder(program.operations);
  const ops = order.map((i) => program.operations[i]!);
  const varies = reachable(ops, new Set(opts.wrt), "forward");
  const matters = reachable(ops, new Set([opts.loss]), "backward");

  const parts = new Map<string, TensorRef[]>();
  const totals = new Map<string, TensorRef | undefined>();
  const contribute = (id: string, t: TensorRef) => {
    if (totals.has(id)) throw new Error(`internal: cotangent of '${id}' grew after it was summed`);
    parts.set(id, [...(parts.get(id) ?? []), t]);
  };
  const total = (id: string): TensorRef | undefined => {
    if (!totals.has(id)) {
      const [first, ...rest] = parts.get(id) ?? [];
      totals.set(
        id,
        first === undefined ? undefined : rest.reduce((acc, t) => graph.call("add", { a: acc, b: t }), first),
      );
    }
    return totals.get(id);
  };

  contribute(loss.id, graph.call("scale", { x: graph.tensor(loss.id) }, { factor: 0, shift: 1 }));
  for (const op of [...ops].reverse()) {
    if (!op.outputs.some((s) => matters.has(s.tensor))) continue;
    const wanted = new Set(
      op.inputs.filter((s) => varies.has(s.tensor) && isFloat(decls.get(s.tensor)!.dtype)).map((s) => s.name),
    );
    if (wanted.size === 0) continue;
    const cotangents = outputCotangents(graph, op, decls, total);
    if (cotangents === undefined) continue;
    for (const [name, t] of Object.entries(vjpOf(graph, reader, op, wanted, cotangents, registry))) {
      const sel = op.inputs.find((s) => s.name === name)!;
      const decl = decls.get(sel.tensor)!;
      if (sel.range.equals(decl.range)) contribute(sel.tensor, t);
      else {
        const before = sel.range.start.coords.map((s, d) => s - decl.range.start.coords[d]!);
        const after = sel.range.end.coords.map((e, d) => decl.range.end.coords[d]! - e);
        contribute(sel.tensor, graph.call("pad", { x: t }, { before, after }));
      }
    }
  }
  const out: Record<string, TensorRef> = {};
  for (const w of opts.wrt) {
    out[w] = total(w) ?? graph.call("scale", { x: graph.tensor(w) }, { factor: 0, shift: 0 });
  }
  return out;
}

/** The cotangent of each output of `op` (sliced out of its tensor's, zeros where none), or undefined when none has one. */
function outputCotangents(
  graph: BackwardGraph,
  op: Operation,
  decls: ReadonlyMap<string, TensorDecl>,
  total: (id: string) => TensorRef | undefined,
): Record<string, TensorRef> | undefined {
  const found = op.outputs.map((sel) => {
    const whole = total(sel.tensor);
    const decl = decls.get(sel.tensor)!;
    if (whole === undefined || sel.range.equals(decl.range)) return whole;
    const start = sel.range.start.coords.map((s, d) => s - decl.range.start.coords[d]!);
    const end = sel.range.end.coords.map((e, d) => e - decl.range.start.coords[d]!);
    return graph.call("slice", { x: whole }, { start, end });
  });
  if (found.every((t) => t === undefined)) return undefined;
  return Object.fromEntries(
    op.outputs.map((sel, i) => [
      sel.name,
      found[i] ??
        graph.call("scale", { x: graph.selection(sel, decls.get(sel.tensor)!.dtype) }, { factor: 0 }),
    ]),
  );
}

/** Runs the VJP of `op`'s kernel and checks that each wanted cotangent came back with its input's shape. */
function vjpOf(
  graph: BackwardGraph,
  reader: ForwardReader,
  op: Operation,
  wanted: ReadonlySet<string>,
  cotangents: Record<string, TensorRef>,
  registry: KernelRegistry,
): Record<string, TensorRef> {
  const def = registry.get(op.kernel)!;
  if (def.vjp === undefined) {
    throw new TesseraError(
      "not_differentiable",
      `operation '${op.id}' (kernel ${op.kernel}) lies between the loss and a wrt tensor, but kernel ${op.kernel} declares no vector–Jacobian product`,
      { op: op.id, kernel: op.kernel, inputs: [...wanted] },
    );
  }
  const issues = new IssueCollector();
  const params = def.decodeParams(op.params, issues, `/operations/${op.id}`);
  const bind = (sels: Operation["inputs"]) => Object.fromEntries(sels.map((s) => [s.name, reader.read(s)]));
  const result = def.vjp({
    params,
    inputs: bind(op.inputs),
    outputs: bind(op.outputs),
    cotangents,
    wanted,
    emit: graph,
  });
  const out: Record<string, TensorRef> = {};
  for (const name of wanted) {
    const t = result[name];
    const sel = op.inputs.find((s) => s.name === name)!;
    const shape = sel.range.shape.toArray();
    if (t === undefined) {
      throw new TesseraError(
        "not_differentiable",
        `operation '${op.id}' (kernel ${op.kernel}) needs the gradient of its input '${name}', but the kernel's VJP does not give one`,
        { op: op.id, kernel: op.kernel, input: name },
      );
    }
    // Built-in VJPs are checked by tests; a VJP declared in a file can get a shape wrong.
    if (t.shape.length !== shape.length || t.shape.some((s, d) => s !== shape[d])) {
      throw new TesseraError(
        "invalid_declaration",
        `the VJP of kernel ${op.kernel} gives input '${name}' of operation '${op.id}' shape [${t.shape.join(", ")}], but the input has shape [${shape.join(", ")}]`,
        { op: op.id, kernel: op.kernel, input: name, expected: shape, found: t.shape.slice() },
      );
    }
    out[name] = t;
  }
  return out;
}

/** Tensors reachable from `seeds` through `ops` (in topological order) forward (consumers) or backward (producers). */
function reachable(
  ops: readonly Operation[],
  seeds: Set<string>,
  direction: "forward" | "backward",
): Set<string> {
  const seen = new Set(seeds);
  const walk = direction === "forward" ? ops : [...ops].reverse();
  for (const op of walk) {
    const [from, to] = direction === "forward" ? [op.inputs, op.outputs] : [op.outputs, op.inputs];
    if (from.some((s) => seen.has(s.tensor))) for (const s of to) seen.add(s.tensor);
  }
  return seen;
}

function checkTarget(decls: ReadonlyMap<string, TensorDecl>, id: string, role: "loss" | "wrt"): TensorDecl {
  const decl = typeof id === "string" ? decls.get(id) : undefined;
  if (decl === undefined) {
    throw new TesseraError(
      "unknown_tensor",
      `the ${role} tensor '${String(id)}' is not a tensor of the program`,
      {
        tensor: String(id),
        role,
      },
    );
  }
  if (!isFloat(decl.dtype)) {
    throw new TesseraError(
      "not_differentiable",
      `the ${role} tensor '${id}' has dtype ${decl.dtype}; gradients exist only for float32 and float64 tensors`,
      { tensor: id, role, found: decl.dtype },
    );
  }
  return decl;
}

function checkWrt(wrt: readonly string[]): void {
  if (!Array.isArray(wrt) || wrt.length === 0)
    throw new TesseraError("invalid_argument", "grad needs at least one wrt tensor", { argument: "wrt" });
  const seen = new Set<string>();
  for (const w of wrt) {
    if (seen.has(w))
      throw new TesseraError("invalid_argument", `wrt names tensor '${w}' twice`, {
        argument: "wrt",
        tensor: w,
      });
    seen.add(w);
  }
}
