/** The kernel expression language: shape patterns, index spaces, projections and scalar bodies. */

export {
  type AffineForm,
  compileAffineExpr,
  compileBoxShape,
  compileProjection,
  findNonAffine,
  usesIndex,
} from "./affine.js";
export type {
  BoxShapeList,
  DimGroupItem,
  DimItem,
  ExprItem,
  IndexGroupItem,
  IndexSpaceList,
  IntExpr,
  IntFn,
  IntOp,
  ListExpr,
  ListItem,
  ProjectionList,
  ScalarExpr,
  ScalarFnName,
  ScalarOp,
  ShapePattern,
  SizeGroupItem,
} from "./ast.js";
export { isScalarFn, SCALAR_FUNCTIONS } from "./ast.js";
export { Bindings, type ParamValues } from "./bindings.js";
export { evalIntExpr, type IntEnv, paramValue } from "./evaluate.js";
export { evaluateIndexSpace, type IndexSpace } from "./index-space.js";
export { syntaxError, type Token, type TokenKind, tokenize } from "./lexer.js";
export { type MatchOptions, type MatchResult, matchShape } from "./match.js";
export {
  parseBoxShape,
  parseIndexSpace,
  parseIntExpr,
  parseList,
  parseProjection,
  parseScalar,
  parseShapePattern,
} from "./parser.js";
export { printIntExpr, printList, printListItem, printScalar } from "./printer.js";
export { intReferences, type References, scalarReferences } from "./references.js";
export { compileScalar, type ScalarProgram } from "./scalar.js";
