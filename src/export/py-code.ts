import type { DType } from "../base/dtype.js";
import type { ZRange } from "../zspace/z-range.js";

/** A Python string literal of `s` (JSON's escapes are all valid Python escapes). */
export function pyString(s: string): string {
  return JSON.stringify(s);
}

/** A Python tuple literal of integers: `()`, `(3,)`, `(1, 2)`. */
export function pyTuple(values: readonly number[]): string {
  return values.length === 1 ? `(${values[0]},)` : `(${values.join(", ")})`;
}

/** A Python list literal of integers. */
export function pyList(values: readonly number[]): string {
  return `[${values.join(", ")}]`;
}

/** A float literal Python reads back as the same float64 (`inf`, `nan` through `float`). */
export function pyFloat(v: number): string {
  if (Number.isNaN(v)) return 'float("nan")';
  if (!Number.isFinite(v)) return v > 0 ? 'float("inf")' : 'float("-inf")';
  const text = String(v);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** The torch dtype expression of a Tessera dtype. */
export function torchDType(dtype: DType): string {
  return `torch.${dtype}`;
}

/** A box as the `(start), (end)` argument pair the runtime's region calls take. */
export function pyBox(range: ZRange): string {
  return `${pyTuple(range.start.coords)}, ${pyTuple(range.end.coords)}`;
}

/**
 * Python statements under construction for one task: `let` binds an expression to a fresh
 * local name, so each step of a lowering stays one readable line.
 */
export class PyCode {
  private readonly body: string[] = [];
  private next = 0;

  constructor(private readonly prefix = "v") {}

  /** Appends `name = expr` with a fresh name and returns the name. */
  let(expr: string): string {
    const name = `${this.prefix}${this.next++}`;
    this.body.push(`${name} = ${expr}`);
    return name;
  }

  /** Appends a statement as is. */
  line(statement: string): void {
    this.body.push(statement);
  }

  /** The statements so far. */
  get lines(): readonly string[] {
    return this.body;
  }
}
