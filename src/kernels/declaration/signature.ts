import type { DType } from "../../base/dtype.js";
import { isTesseraError, TesseraError } from "../../base/errors.js";
import type { IssueCollector } from "../../base/issue.js";
import { nullRecord, pointer } from "../../base/json.js";
import { IndexProjection } from "../../zspace/index-projection.js";
import { ZRange } from "../../zspace/z-range.js";
import { compileBoxShape, compileProjection } from "../expr/affine.js";
import { Bindings } from "../expr/bindings.js";
import { evalIntExpr, type IntEnv } from "../expr/evaluate.js";
import { evaluateIndexSpace, type IndexSpace } from "../expr/index-space.js";
import { matchShape } from "../expr/match.js";
import { printList } from "../expr/printer.js";
import type { SignatureFn } from "../kernel.js";
import type { OperandSignature, Reduction, TensorType } from "../signature.js";
import type { AnalyzedDeclaration, AnalyzedOperand } from "./analyze.js";
import type { DeclaredParams } from "./types.js";

/**
 * The metakernel of a declared kernel. It matches each input's shape against its pattern (in
 * declaration order, so the first input to bind `$k` is the one messages cite) and binds dtype
 * variables, then evaluates the index space, the output shapes and one projection per operand.
 * Issues: `unknown_operand` / `missing_operand` (inputs), `dtype_mismatch`, `pattern_mismatch`,
 * and `negative_extent` / `invalid_param` / `division_by_zero` when params make an extent
 * impossible. Paths are `<path>/inputs/<name>/...`, `<path>/outputs/<name>`, `<path>/index`.
 */
export function declaredSignature(a: AnalyzedDeclaration): SignatureFn<DeclaredParams> {
  const reductions = a.declaration.reductions ?? {};
  return (inputs, params, issues, path) => {
    const bound = bindInputs(a, inputs, params, issues, path);
    if (bound === undefined) return undefined;
    const env: IntEnv = { bindings: bound.bindings, params };
    let where = pointer(path, "index");
    try {
      const space = evaluateIndexSpace(a.index, env);
      const operand = (op: AnalyzedOperand, shape: readonly number[], dtype: DType): OperandSignature => {
        const map = compileProjection(op.start, space, env);
        const box =
          op.box === undefined ? map.offset.coords.map(() => 1) : compileBoxShape(op.box, space, env);
        return { shape, dtype, projection: IndexProjection.of(map, box) };
      };
      const inSigs = nullRecord<OperandSignature>();
      for (const op of a.inputs) {
        where = pointer(pointer(path, "inputs"), op.name);
        const t = inputs[op.name]!;
        inSigs[op.name] = operand(op, t.shape.slice(), t.dtype);
      }
      const outSigs = nullRecord<OperandSignature>();
      for (const op of a.outputs) {
        where = pointer(pointer(path, "outputs"), op.name);
        const dtype = op.dtype.kind === "fixed" ? op.dtype.dtype : bound.dtypes.get(op.dtype.name)!;
        outSigs[op.name] = operand(op, outputShape(op, env), dtype);
      }
      where = pointer(path, "index");
      return {
        index: ZRange.fromShape(space.sizes),
        indexNames: space.names.slice(),
        inputs: inSigs,
        outputs: outSigs,
        reductions: reductionDims(reductions, space),
      };
    } catch (error) {
      if (!isTesseraError(error) || error.code === "validation_failed") throw error;
      issues.add(error.code, where, `${a.declaration.kernel}: ${error.message}`, error.context);
      return undefined;
    }
  };
}

/** Matches every input's dtype and shape; undefined (with issues recorded) when any fails. */
function bindInputs(
  a: AnalyzedDeclaration,
  inputs: Readonly<Record<string, TensorType>>,
  params: DeclaredParams,
  issues: IssueCollector,
  path: string,
): { bindings: Bindings; dtypes: Map<string, DType> } | undefined {
  const inputsPath = pointer(path, "inputs");
  let ok = true;
  for (const name of Object.keys(inputs)) {
    if (a.inputs.some((op) => op.name === name)) continue;
    ok = false;
    issues.add(
      "unknown_operand",
      pointer(inputsPath, name),
      `${a.declaration.kernel} has no input ${name} (inputs: ${a.inputs.map((op) => op.name).join(", ")})`,
      {
        operand: name,
      },
    );
  }
  let bindings = Bindings.empty();
  const dtypes = new Map<string, DType>();
  const dtypeBinder = new Map<string, string>();
  for (const op of a.inputs) {
    const p = pointer(inputsPath, op.name);
    const t = Object.hasOwn(inputs, op.name) ? inputs[op.name] : undefined;
    if (t === undefined) {
      ok = false;
      issues.add("missing_operand", p, `${a.declaration.kernel} needs input ${op.name}`, {
        operand: op.name,
      });
      continue;
    }
    if (op.dtype.kind === "fixed") {
      if (t.dtype !== op.dtype.dtype) {
        ok = false;
        issues.add(
          "dtype_mismatch",
          pointer(p, "dtype"),
          `input ${op.name} must be ${op.dtype.dtype}, found ${t.dtype}`,
          {
            operand: op.name,
            expected: op.dtype.dtype,
            found: t.dtype,
          },
        );
      }
    } else {
      const v = op.dtype.name;
      const allowed = a.declaration.dtypes?.[v] ?? [];
      const prior = dtypes.get(v);
      if (!allowed.includes(t.dtype)) {
        ok = false;
        issues.add(
          "dtype_mismatch",
          pointer(p, "dtype"),
          `input ${op.name} has dtype ${t.dtype}, but ${v} may be ${allowed.join(" or ")}`,
          { operand: op.name, variable: v, expected: allowed.slice(), found: t.dtype },
        );
      } else if (prior !== undefined && prior !== t.dtype) {
        ok = false;
        const binder = dtypeBinder.get(v) ?? "an earlier input";
        issues.add(
          "dtype_mismatch",
          pointer(p, "dtype"),
          `input ${op.name} has dtype ${t.dtype}, but ${v} = ${prior} (bound by ${binder})`,
          { operand: op.name, variable: v, expected: prior, found: t.dtype, boundBy: binder },
        );
      } else if (prior === undefined) {
        dtypes.set(v, t.dtype);
        dtypeBinder.set(v, `input ${op.name}`);
      }
    }
    const r = matchShape(op.pattern, t.shape, bindings, {
      by: `input ${op.name}`,
      path: pointer(p, "shape"),
      params,
    });
    if (r.ok) bindings = r.bindings;
    else {
      ok = false;
      issues.addAll([{ ...r.issue, summary: `input ${op.name}: ${r.issue.summary}` }]);
    }
  }
  return ok ? { bindings, dtypes } : undefined;
}

function outputShape(op: AnalyzedOperand, env: IntEnv): number[] {
  const shape: number[] = [];
  for (const item of op.pattern.items) {
    // The declaration check guarantees every group here was bound by an input.
    if (item.kind === "sizeGroup") shape.push(...(env.bindings.group(item.name) ?? []));
    else shape.push(evalIntExpr(item.expr, env));
  }
  const negative = shape.findIndex((v) => v < 0);
  if (negative >= 0) {
    throw new TesseraError(
      "negative_extent",
      `output ${op.name} would have shape [${shape.join(", ")}] from ${printList(op.pattern)}: dimension ${negative} is negative`,
      { operand: op.name, dim: negative, found: shape[negative]! },
    );
  }
  return shape;
}

function reductionDims(
  reductions: Readonly<Record<string, Reduction["monoid"]>>,
  space: IndexSpace,
): Reduction[] {
  const out: Reduction[] = [];
  for (const [name, monoid] of Object.entries(reductions)) {
    const v = space.vars.get(name);
    const dims = v === undefined ? (space.groups.get(name) ?? []) : [v];
    for (const dim of dims) out.push({ dim, monoid });
  }
  return out.sort((x, y) => x.dim - y.dim);
}
