/**
 * The syntax trees of the kernel expression language. Plain immutable data without source
 * positions, so that `parse(print(ast))` deep-equals `ast`. Integer literals are never
 * negative: `-3` is `neg(3)`.
 */

/** Binary operators of integer expressions; `//` is floor division and `%` its (floor) remainder. */
export type IntOp = "+" | "-" | "*" | "//" | "%";

/** The integer functions. */
export type IntFn = "max" | "min";

/** An integer expression: shape sizes, index-space extents, projection coordinates. */
export type IntExpr =
  | { readonly kind: "int"; readonly value: number }
  /** `$name`: a size bound by a shape pattern. */
  | { readonly kind: "size"; readonly name: string }
  /** `@name` or `@name[i]`: an int param, or one entry of an int-list param. */
  | { readonly kind: "param"; readonly name: string; readonly index?: IntExpr }
  /** A bare name: an index variable (projections only). */
  | { readonly kind: "index"; readonly name: string }
  | { readonly kind: "binary"; readonly op: IntOp; readonly left: IntExpr; readonly right: IntExpr }
  | { readonly kind: "neg"; readonly operand: IntExpr }
  | { readonly kind: "call"; readonly fn: IntFn; readonly args: readonly [IntExpr, IntExpr] };

/** One item of a bracketed list. Which kinds a list may hold depends on where it is used. */
export type ListItem =
  /** One dimension given by an integer expression. */
  | { readonly kind: "expr"; readonly expr: IntExpr }
  /** `$group...`: a run of sizes (shape patterns bind it; at most one per pattern). */
  | { readonly kind: "sizeGroup"; readonly name: string }
  /** `name...`: the index dimensions of index group `name` (projections). */
  | { readonly kind: "indexGroup"; readonly name: string }
  /** `name: expr`: an index-space dimension and its extent. */
  | { readonly kind: "dim"; readonly name: string; readonly size: IntExpr }
  /** `name...: $group...`: one index dimension per size of a bound group. */
  | { readonly kind: "dimGroup"; readonly name: string; readonly group: string };

/** A bracketed list `[item, ...]`. */
export interface ListExpr<I extends ListItem = ListItem> {
  readonly kind: "list";
  readonly items: readonly I[];
}

/** A list item that is one integer expression. */
export type ExprItem = Extract<ListItem, { kind: "expr" }>;
/** A `$group...` item. */
export type SizeGroupItem = Extract<ListItem, { kind: "sizeGroup" }>;
/** A `name...` item. */
export type IndexGroupItem = Extract<ListItem, { kind: "indexGroup" }>;
/** A `name: expr` item. */
export type DimItem = Extract<ListItem, { kind: "dim" }>;
/** A `name...: $group...` item. */
export type DimGroupItem = Extract<ListItem, { kind: "dimGroup" }>;

/** A shape pattern such as `[$batch..., $in]`: size expressions and at most one `$group...`. */
export type ShapePattern = ListExpr<ExprItem | SizeGroupItem>;
/** A point projection such as `[b..., oh * @stride + kh - 1]`: coordinate expressions and index groups. */
export type ProjectionList = ListExpr<ExprItem | IndexGroupItem>;
/** A box-form projection shape: extents, `$group...` (its sizes) and `name...` (ones). */
export type BoxShapeList = ListExpr<ExprItem | SizeGroupItem | IndexGroupItem>;
/** An index space such as `[b...: $batch..., m: $m, k: $k]`. */
export type IndexSpaceList = ListExpr<DimItem | DimGroupItem>;

/** Binary operators of scalar (float) expressions. */
export type ScalarOp = "+" | "-" | "*" | "/";

/** The scalar functions and their arities. */
export const SCALAR_FUNCTIONS = {
  exp: 1,
  log: 1,
  sqrt: 1,
  abs: 1,
  tanh: 1,
  sigmoid: 1,
  sign: 1,
  erf: 1,
  max: 2,
  min: 2,
  pow: 2,
} as const;

/** A scalar function name. */
export type ScalarFnName = keyof typeof SCALAR_FUNCTIONS;

/** A scalar compute expression: the body of a pointwise kernel, evaluated in float64. */
export type ScalarExpr =
  | { readonly kind: "number"; readonly value: number }
  /** An input operand's element at the current index point. */
  | { readonly kind: "operand"; readonly name: string }
  /** `@name`: a float, int or bool param (bool reads 1 or 0). */
  | { readonly kind: "param"; readonly name: string }
  | { readonly kind: "binary"; readonly op: ScalarOp; readonly left: ScalarExpr; readonly right: ScalarExpr }
  | { readonly kind: "neg"; readonly operand: ScalarExpr }
  | { readonly kind: "call"; readonly fn: ScalarFnName; readonly args: readonly ScalarExpr[] };

/** True when `name` is a scalar function. */
export function isScalarFn(name: string): name is ScalarFnName {
  return Object.hasOwn(SCALAR_FUNCTIONS, name);
}
