/**
 * The one registry of issue and error codes, snake_case, grouped by the layer that raises them.
 * A code is a stable contract: tools match on it, so never rename one; add a new one instead.
 */
export const ISSUE_CODES = {
  // base: decoding plain data
  invalid_json: "the text is not valid JSON or YAML",
  expected_array: "an array was expected",
  expected_object: "an object was expected",
  missing_field: "a required field is absent",
  // zspace: geometry values
  not_integer: "a coordinate or matrix entry is not a safe integer (|x| ≤ 2^53 - 1)",
  rank_mismatch: "two values that must have the same rank do not",
  ragged_matrix: "the rows of a matrix do not all have the same length",
  end_before_start: "a range ends before it starts in some dimension",
  negative_extent: "a shape or box extent is negative",
  coordinate_overflow: "an arithmetic result left the safe-integer range",
  dimension_out_of_bounds: "a dimension index is not in [0, rank)",
  invalid_split: "a split request is malformed (parts, cut points or dimensions)",
  not_a_permutation: "a list meant to be a permutation is not one",
  // kernels: expression language, declarations, signatures
  syntax_error: "an expression, shape pattern or projection does not parse",
  unbound_variable: "an expression names a variable that no pattern has bound",
  pattern_mismatch: "a concrete shape does not match a kernel's shape pattern",
  shape_mismatch: "operand shapes disagree where the kernel needs them to agree",
  dtype_mismatch: "an operand's dtype is not one the kernel accepts, or dtypes disagree",
  invalid_param: "a kernel parameter is missing, of the wrong type or out of range",
  unknown_kernel: "an operation names a kernel that is not registered",
  invalid_declaration: "a kernel declaration is malformed",
  not_affine: "a projection expression is not affine in the index variables",
  unshardable: "an operation cannot be sharded as asked",
} as const;

/** A stable machine-readable code naming what went wrong. */
export type IssueCode = keyof typeof ISSUE_CODES;

/** True when `code` is a registered issue code. */
export function isIssueCode(code: string): code is IssueCode {
  return Object.hasOwn(ISSUE_CODES, code);
}
