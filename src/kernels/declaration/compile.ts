import { TesseraError, ValidationError } from "../../base/errors.js";
import { type Issue, IssueCollector } from "../../base/issue.js";
import { compileScalar } from "../expr/scalar.js";
import type { KernelDef } from "../kernel.js";
import { runPointwise, type ScalarFn } from "../numeric/pointwise.js";
import { type AnalyzedDeclaration, analyzeDeclaration } from "./analyze.js";
import { declaredVjp } from "./declared-vjp.js";
import { paramsDecoder } from "./params.js";
import { checkDeclarationSchema } from "./schema.js";
import { declaredSignature } from "./signature.js";
import type { DeclaredParams, KernelDeclaration } from "./types.js";

/** A declared kernel without an implementation: names, params decoder and metakernel — all sharding needs. */
export type DeclaredSignatureDef = Omit<KernelDef<DeclaredParams>, "impl">;

/** The outcome of checking a declaration: the declaration when valid, else every issue found. */
export interface DeclarationCheck {
  readonly declaration: KernelDeclaration | undefined;
  readonly issues: readonly Issue[];
}

/**
 * Checks plain data against the declaration schema and then semantically (see
 * `analyzeDeclaration`), collecting every issue; paths are JSON pointers into `json`.
 */
export function checkKernelDeclaration(json: unknown): DeclarationCheck {
  const { declaration, analyzed, issues } = analyze(json);
  return { declaration: analyzed === undefined ? undefined : declaration, issues };
}

function analyze(json: unknown): {
  declaration: KernelDeclaration | undefined;
  analyzed: AnalyzedDeclaration | undefined;
  issues: readonly Issue[];
} {
  const schema = checkDeclarationSchema(json);
  if (schema.declaration === undefined)
    return { declaration: undefined, analyzed: undefined, issues: schema.issues };
  const issues = new IssueCollector();
  const analyzed = analyzeDeclaration(schema.declaration, issues);
  return { declaration: schema.declaration, analyzed, issues: issues.issues };
}

function analyzeOrThrow(decl: KernelDeclaration, trusted = false): AnalyzedDeclaration {
  let analyzed: AnalyzedDeclaration | undefined;
  let issues: readonly Issue[];
  if (trusted) {
    const collector = new IssueCollector();
    analyzed = analyzeDeclaration(decl, collector);
    issues = collector.issues;
  } else {
    ({ analyzed, issues } = analyze(decl));
  }
  if (analyzed === undefined)
    throw new ValidationError(issues, `kernel declaration '${String(decl.kernel)}'`);
  return analyzed;
}

function signatureDef(a: AnalyzedDeclaration): DeclaredSignatureDef {
  const d = a.declaration;
  return {
    id: d.kernel,
    summary: d.summary,
    inputs: d.inputs.map((op) => op.name),
    outputs: d.outputs.map((op) => op.name),
    decodeParams: paramsDecoder(d.params ?? {}),
    signature: declaredSignature(a),
  };
}

/**
 * Compiles a declaration into a kernel definition without `impl`: its `signature` matches
 * input shapes against the patterns, binds dtype variables and evaluates the index space and
 * projections; its `decodeParams` checks params and fills defaults. Throws `ValidationError`
 * with every schema and semantic issue when the declaration is invalid.
 *
 * Example: `compileDeclaration(decl).signature({ x: { shape: [4, 3], dtype: "float32" }, ... }, {}, issues, "")`.
 */
export function compileDeclaration(decl: KernelDeclaration): DeclaredSignatureDef {
  return signatureDef(analyzeOrThrow(decl));
}

/**
 * Compiles a declaration with a `compute` body into a full kernel whose implementation runs
 * the body pointwise (`runPointwise`): one element per input per index point, folded into the
 * single output with the reduction monoid. Throws `invalid_declaration` when there is no
 * `compute`, and `ValidationError` when the declaration is invalid.
 */
export function declaredKernel(decl: KernelDeclaration): KernelDef<DeclaredParams> {
  return kernelOf(analyzeOrThrow(decl));
}

/**
 * `declaredKernel` for declarations written in TypeScript inside Tessera (the built-in
 * library): their shape is guaranteed by the type, so only the semantic analysis runs, which
 * keeps the JSON Schema compiler off the start-up path of every process and worker thread.
 */
export function builtinDeclaredKernel(decl: KernelDeclaration): KernelDef<DeclaredParams> {
  return kernelOf(analyzeOrThrow(decl, true));
}

function kernelOf(a: AnalyzedDeclaration): KernelDef<DeclaredParams> {
  const decl = a.declaration;
  const output = a.outputs[0];
  if (a.compute === undefined || output === undefined) {
    throw new TesseraError(
      "invalid_declaration",
      `kernel ${decl.kernel} has no compute body, so it has no implementation (compileDeclaration gives its signature alone)`,
      { kernel: decl.kernel },
    );
  }
  const inputs = a.inputs.map((op) => op.name);
  const program = compileScalar(a.compute, inputs);
  // Params objects are decoded once per operation, so binding per params object binds once per operation.
  const bound = new WeakMap<DeclaredParams, ScalarFn>();
  const vjp = decl.vjp === undefined ? {} : { vjp: declaredVjp(decl.vjp) };
  return {
    ...signatureDef(a),
    ...vjp,
    impl: (ctx) => {
      let compute = bound.get(ctx.params);
      if (compute === undefined) {
        compute = program(ctx.params);
        bound.set(ctx.params, compute);
      }
      return { [output.name]: runPointwise(ctx, { inputs, output: output.name, compute }) };
    },
  };
}
