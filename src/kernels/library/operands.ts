import type { DType } from "../../base/dtype.js";
import type { IssueCollector } from "../../base/issue.js";
import { pointer } from "../../base/json.js";
import type { TensorType } from "../signature.js";

/**
 * Where signature issues point. A signature function's `path` is the operation's own JSON
 * pointer; problems with an operand go to `<path>/inputs/<name>` and problems that only appear
 * once params meet shapes (an axis out of range for the rank) to `<path>/params/<key>[/<entry>]`.
 */
export function inputPath(opPath: string, name: string): string {
  return pointer(pointer(opPath, "inputs"), name);
}

/** The issue path of param `key` (or its entry `entry`) of the operation at `opPath`. */
export function paramPath(opPath: string, key: string, entry?: number): string {
  const at = pointer(pointer(opPath, "params"), key);
  return entry === undefined ? at : pointer(at, entry);
}

/** The dtypes every kernel accepts. */
export const ANY_DTYPE: readonly DType[] = ["float32", "float64", "int32"];

/** The dtypes of kernels that only make sense over the reals (softmax, mean, conv2d, ...). */
export const FLOAT_DTYPES: readonly DType[] = ["float32", "float64"];

/** `[2, 3]`: a shape as messages print it. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** The type of required input `name`, recording `missing_operand` when it is absent. */
export function requireInput(
  inputs: Readonly<Record<string, TensorType>>,
  name: string,
  kernelId: string,
  issues: IssueCollector,
  opPath: string,
): TensorType | undefined {
  const t = inputs[name];
  if (t === undefined)
    issues.add("missing_operand", inputPath(opPath, name), `${kernelId} needs input ${name}`, {
      input: name,
    });
  return t;
}

/**
 * The one dtype shared by `operands` (name, type), recording `dtype_mismatch` at each operand
 * whose dtype is not in `allowed` or differs from the first operand's. Kernels never convert
 * implicitly: the program says where a cast happens.
 */
export function commonDtype(
  operands: readonly (readonly [string, TensorType])[],
  allowed: readonly DType[],
  kernelId: string,
  issues: IssueCollector,
  opPath: string,
): DType | undefined {
  let ok = true;
  for (const [name, t] of operands) {
    if (!allowed.includes(t.dtype)) {
      ok = false;
      issues.add(
        "dtype_mismatch",
        inputPath(opPath, name),
        `input ${name} has dtype ${t.dtype} but ${kernelId} accepts only ${allowed.join(", ")}`,
        { input: name, expected: allowed.slice(), found: t.dtype },
      );
    }
  }
  const first = operands[0];
  if (first === undefined) return undefined;
  for (const [name, t] of operands.slice(1)) {
    if (t.dtype !== first[1].dtype) {
      ok = false;
      issues.add(
        "dtype_mismatch",
        inputPath(opPath, name),
        `input ${name} has dtype ${t.dtype} but input ${first[0]} has ${first[1].dtype}; ${kernelId} needs operands of one dtype`,
        { input: name, expected: first[1].dtype, found: t.dtype },
      );
    }
  }
  return ok ? first[1].dtype : undefined;
}

/** An input a signature requires at one rank, and why that rank (said in the issue when it has another). */
export interface RankedInput {
  readonly name: string;
  readonly rank: number;
  readonly why: string;
}

/**
 * The two float inputs `first` and `second` of `kernelId` once both are given at their ranks,
 * with their common dtype (undefined after a `dtype_mismatch`, so that a signature can go on
 * checking shapes); undefined otherwise. Records every issue found: `missing_operand`,
 * `dtype_mismatch`, then `rank_mismatch` for each input.
 */
export function floatInputPair(
  inputs: Readonly<Record<string, TensorType>>,
  first: RankedInput,
  second: RankedInput,
  kernelId: string,
  issues: IssueCollector,
  opPath: string,
): { readonly a: TensorType; readonly b: TensorType; readonly dtype: DType | undefined } | undefined {
  const a = requireInput(inputs, first.name, kernelId, issues, opPath);
  const b = requireInput(inputs, second.name, kernelId, issues, opPath);
  if (a === undefined || b === undefined) return undefined;
  const operands = [
    [first.name, a],
    [second.name, b],
  ] as const;
  const dtype = commonDtype(operands, FLOAT_DTYPES, kernelId, issues, opPath);
  const aOk = checkRank(first.name, a, first.rank, first.rank, first.why, issues, opPath);
  const bOk = checkRank(second.name, b, second.rank, second.rank, second.why, issues, opPath);
  return aOk && bOk ? { a, b, dtype } : undefined;
}

/** Records `rank_mismatch` unless input `name` has a rank in `[min, max]`; returns whether it does. */
export function checkRank(
  name: string,
  type: TensorType,
  min: number,
  max: number,
  why: string,
  issues: IssueCollector,
  opPath: string,
): boolean {
  const r = type.shape.length;
  if (r >= min && r <= max) return true;
  const want =
    min === max ? `rank ${min}` : max === Number.POSITIVE_INFINITY ? `rank ≥ ${min}` : `rank ${min}..${max}`;
  issues.add(
    "rank_mismatch",
    inputPath(opPath, name),
    `input ${name} must have ${want} (${why}), found rank ${r} with shape ${formatShape(type.shape)}`,
    { input: name, expected: want, found: r },
  );
  return false;
}

/**
 * Records `shape_mismatch` unless dimension `dim` of input `name` equals `expected`, phrased as
 * "input b dimension 0 (k) must equal input a dimension 1 = 64, found 32".
 */
export function checkDimEquals(
  name: string,
  type: TensorType,
  dim: number,
  role: string,
  expected: number,
  source: string,
  issues: IssueCollector,
  opPath: string,
): boolean {
  const found = type.shape[dim];
  if (found === expected) return true;
  issues.add(
    "shape_mismatch",
    inputPath(opPath, name),
    `input ${name} dimension ${dim} (${role}) must equal ${source} = ${expected}, found ${found}`,
    { input: name, dim, expected, found: found ?? null },
  );
  return false;
}

/** The row of an affine map that reads index column `column` of an index of rank `width`. */
export function unitRow(column: number, width: number): number[] {
  const row = new Array<number>(width).fill(0);
  row[column] = 1;
  return row;
}

/** A row of zeros: the operand coordinate stays at the map's offset for every index point. */
export function zeroRow(width: number): number[] {
  return new Array<number>(width).fill(0);
}

/**
 * Checks that each of the per-dimension params `keys` has one entry per dimension of an input of
 * rank `rank`, reporting every one that does not as `rank_mismatch`; true when all agree.
 */
export function checkParamLengths<K extends string>(
  params: Readonly<Record<K, readonly unknown[]>>,
  keys: readonly K[],
  rank: number,
  issues: IssueCollector,
  path: string,
): boolean {
  let ok = true;
  for (const key of keys) {
    const found = params[key].length;
    if (found === rank) continue;
    ok = false;
    issues.add(
      "rank_mismatch",
      paramPath(path, key),
      `\`${key}\` has ${found} entries but input x has rank ${rank}`,
      {
        param: key,
        expected: rank,
        found,
      },
    );
  }
  return ok;
}
