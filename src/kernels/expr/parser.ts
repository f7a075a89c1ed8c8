import { TesseraError } from "../../base/errors.js";
import type {
  BoxShapeList,
  DimGroupItem,
  DimItem,
  ExprItem,
  IndexGroupItem,
  IndexSpaceList,
  IntExpr,
  IntOp,
  ListExpr,
  ListItem,
  ProjectionList,
  ScalarExpr,
  ScalarOp,
  ShapePattern,
  SizeGroupItem,
} from "./ast.js";
import { isScalarFn, SCALAR_FUNCTIONS } from "./ast.js";
import { describeToken, syntaxError, type Token, tokenize } from "./lexer.js";

/*
 * Grammar (recursive descent, one function per rule):
 *
 *   list   := '[' (item (',' item)*)? ']'
 *   item   := '$' name '...' | name '...' (':' '$' name '...')? | name ':' int | int
 *   int    := term (('+' | '-') term)*
 *   term   := unary (('*' | '//' | '%') unary)*
 *   unary  := '-' unary | atom
 *   atom   := digits | '$' name | '@' name ('[' int ']')? | ('max' | 'min') '(' int ',' int ')'
 *           | name | '(' int ')'
 *   scalar := the same shape with '/' instead of '//' and '%', numbers with fraction and
 *             exponent, operand names, '@' name, and calls of SCALAR_FUNCTIONS.
 */

/** What a list may contain where it is used; the parser rejects the rest with a column. */
interface ListRules<I extends ListItem> {
  /** How an acceptable item reads in "expected ..." messages. */
  readonly expected: string;
  readonly accept: (item: ListItem) => item is I;
  /** Whether bare names (index variables) may appear inside expressions. */
  readonly indexVars: boolean;
  /** At most this many `$group...` items. */
  readonly maxSizeGroups: number;
}

class Parser {
  private pos = 0;
  private readonly tokens: Token[];

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  private get tok(): Token {
    return this.tokens[this.pos]!;
  }

  private peek(k = 1): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)]!;
  }

  private isPunct(text: string, token: Token = this.tok): boolean {
    return token.kind === "punct" && token.text === text;
  }

  private fail(expected: string, token: Token = this.tok): never {
    throw syntaxError(this.source, token.column, expected, describeToken(token));
  }

  private expect(text: string): void {
    if (!this.isPunct(text)) this.fail(`'${text}'`);
    this.pos++;
  }

  /** Requires that everything was consumed. */
  finish(): void {
    if (this.tok.kind !== "end") this.fail("end of input");
  }

  list<I extends ListItem>(rules: ListRules<I>): ListExpr<I> {
    this.expect("[");
    const items: I[] = [];
    let groups = 0;
    if (!this.isPunct("]")) {
      for (;;) {
        const start = this.tok;
        const item = this.item(rules);
        if (!rules.accept(item)) this.fail(rules.expected, start);
        if (item.kind === "sizeGroup" && ++groups > rules.maxSizeGroups) {
          this.fail(`${rules.expected} (a pattern binds at most one $group...)`, start);
        }
        items.push(item);
        if (!this.isPunct(",")) break;
        this.pos++;
      }
    }
    this.expect("]");
    return { kind: "list", items };
  }

  private item(rules: ListRules<ListItem>): ListItem {
    const t = this.tok;
    if (t.kind === "size" && this.isPunct("...", this.peek())) {
      this.pos += 2;
      return { kind: "sizeGroup", name: t.text };
    }
    if (t.kind === "ident" && this.isPunct("...", this.peek())) {
      this.pos += 2;
      if (!this.isPunct(":")) return { kind: "indexGroup", name: t.text };
      this.pos++;
      const g = this.tok;
      if (g.kind !== "size" || !this.isPunct("...", this.peek())) this.fail("'$group...'");
      this.pos += 2;
      return { kind: "dimGroup", name: t.text, group: g.text };
    }
    if (t.kind === "ident" && this.isPunct(":", this.peek())) {
      this.pos += 2;
      return { kind: "dim", name: t.text, size: this.int(false) };
    }
    // A lone name where index variables are not allowed: say what the list wanted instead.
    if (t.kind === "ident" && !rules.indexVars && !this.isPunct("(", this.peek())) this.fail(rules.expected);
    return { kind: "expr", expr: this.int(rules.indexVars) };
  }

  int(indexVars: boolean): IntExpr {
    let left = this.term(indexVars);
    while (this.isPunct("+") || this.isPunct("-")) {
      const op: IntOp = this.tok.text === "+" ? "+" : "-";
      this.pos++;
      left = { kind: "binary", op, left, right: this.term(indexVars) };
    }
    return left;
  }

  private term(indexVars: boolean): IntExpr {
    let left = this.unary(indexVars);
    for (;;) {
      const op = this.tok.kind === "punct" ? intMulOp(this.tok.text) : undefined;
      if (op === undefined) return left;
      this.pos++;
      left = { kind: "binary", op, left, right: this.unary(indexVars) };
    }
  }

  private unary(indexVars: boolean): IntExpr {
    if (this.isPunct("-")) {
      this.pos++;
      return { kind: "neg", operand: this.unary(indexVars) };
    }
    return this.atom(indexVars);
  }

  private atom(indexVars: boolean): IntExpr {
    const t = this.tok;
    if (t.kind === "number") {
      if (!t.integral) this.fail("an integer");
      if (!Number.isSafeInteger(t.value)) this.fail("an integer below 2^53");
      this.pos++;
      return { kind: "int", value: t.value };
    }
    if (t.kind === "size") {
      this.pos++;
      return { kind: "size", name: t.text };
    }
    if (t.kind === "param") {
      this.pos++;
      if (!this.isPunct("[")) return { kind: "param", name: t.text };
      this.pos++;
      const index = this.int(false);
      this.expect("]");
      return { kind: "param", name: t.text, index };
    }
    if (t.kind === "ident" && this.isPunct("(", this.peek())) {
      if (t.text !== "max" && t.text !== "min") this.fail("max or min", t);
      this.pos += 2;
      const a = this.int(indexVars);
      this.expect(",");
      const b = this.int(indexVars);
      this.expect(")");
      return { kind: "call", fn: t.text, args: [a, b] };
    }
    if (t.kind === "ident") {
      if (!indexVars) this.fail("an integer, $size or @param");
      this.pos++;
      return { kind: "index", name: t.text };
    }
    if (this.isPunct("(")) {
      this.pos++;
      const inner = this.int(indexVars);
      this.expect(")");
      return inner;
    }
    this.fail(indexVars ? "an integer, $size, @param or index name" : "an integer, $size or @param");
  }

  scalar(): ScalarExpr {
    let left = this.scalarTerm();
    while (this.isPunct("+") || this.isPunct("-")) {
      const op: ScalarOp = this.tok.text === "+" ? "+" : "-";
      this.pos++;
      left = { kind: "binary", op, left, right: this.scalarTerm() };
    }
    return left;
  }

  private scalarTerm(): ScalarExpr {
    let left = this.scalarUnary();
    while (this.isPunct("*") || this.isPunct("/")) {
      const op: ScalarOp = this.tok.text === "*" ? "*" : "/";
      this.pos++;
      left = { kind: "binary", op, left, right: this.scalarUnary() };
    }
    return left;
  }

  private scalarUnary(): ScalarExpr {
    if (this.isPunct("-")) {
      this.pos++;
      return { kind: "neg", operand: this.scalarUnary() };
    }
    return this.scalarAtom();
  }

  private scalarAtom(): ScalarExpr {
    const t = this.tok;
    if (t.kind === "number") {
      this.pos++;
      return { kind: "number", value: t.value };
    }
    if (t.kind === "param") {
      this.pos++;
      return { kind: "param", name: t.text };
    }
    if (t.kind === "ident" && this.isPunct("(", this.peek())) {
      const fn = t.text;
      if (!isScalarFn(fn)) this.fail(`a function (${Object.keys(SCALAR_FUNCTIONS).join(", ")})`, t);
      this.pos += 2;
      const args: ScalarExpr[] = [];
      for (let i = 0; i < SCALAR_FUNCTIONS[fn]; i++) {
        if (i > 0) this.expect(",");
        args.push(this.scalar());
      }
      this.expect(")");
      return { kind: "call", fn, args };
    }
    if (t.kind === "ident") {
      this.pos++;
      return { kind: "operand", name: t.text };
    }
    if (this.isPunct("(")) {
      this.pos++;
      const inner = this.scalar();
      this.expect(")");
      return inner;
    }
    this.fail("a number, operand, @param, function call or '('");
  }
}

function intMulOp(text: string): IntOp | undefined {
  return text === "*" || text === "//" || text === "%" ? text : undefined;
}

/**
 * The deepest expression the language reads: brackets plus unary minus signs open at any point,
 * and the depth of the parsed tree (a chain `a + b + ...` of n terms is n deep). The parser,
 * printer and evaluators recurse on it, so a deeper one is `nesting_too_deep`, not a stack overflow.
 */
export const MAX_EXPR_DEPTH = 256;

function tooDeep(source: string, column: number): TesseraError {
  return new TesseraError(
    "nesting_too_deep",
    `column ${column}: the expression nests deeper than ${MAX_EXPR_DEPTH} levels`,
    { column, limit: MAX_EXPR_DEPTH, length: source.length },
  );
}

/** Throws `nesting_too_deep` where brackets and unary minus signs first open more than the limit. */
function checkSourceDepth(source: string): void {
  let depth = 0;
  let minus = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    if (c === "-") minus++;
    else if (c !== " " && c !== "(" && c !== "[") minus = 0;
    if (depth + minus > MAX_EXPR_DEPTH) throw tooDeep(source, i + 1);
  }
}

/** Throws `nesting_too_deep` when the parsed tree (nodes with a `kind`) is deeper than the limit. */
function checkTreeDepth(tree: unknown, source: string): void {
  const stack: [unknown, number][] = [[tree, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== "object" || node === null) continue;
    const d = "kind" in node ? depth + 1 : depth;
    if (d > MAX_EXPR_DEPTH) throw tooDeep(source, 1);
    for (const child of Object.values(node)) stack.push([child, d]);
  }
}

function parseWhole<T>(source: string, rule: (p: Parser) => T): T {
  checkSourceDepth(source);
  const p = new Parser(source);
  const result = rule(p);
  p.finish();
  checkTreeDepth(result, source);
  return result;
}

const anyItem = (_: ListItem): _ is ListItem => true;
const shapeItem = (i: ListItem): i is ExprItem | SizeGroupItem => i.kind === "expr" || i.kind === "sizeGroup";
const projectionItem = (i: ListItem): i is ExprItem | IndexGroupItem =>
  i.kind === "expr" || i.kind === "indexGroup";
const boxItem = (i: ListItem): i is ExprItem | SizeGroupItem | IndexGroupItem =>
  i.kind === "expr" || i.kind === "sizeGroup" || i.kind === "indexGroup";
const indexItem = (i: ListItem): i is DimItem | DimGroupItem => i.kind === "dim" || i.kind === "dimGroup";

/**
 * Parses an integer expression; bare names (index variables) only when `indexVars` is true.
 * Throws `syntax_error` with the column and what was expected.
 */
export function parseIntExpr(source: string, indexVars = true): IntExpr {
  return parseWhole(source, (p) => p.int(indexVars));
}

/** Parses a list accepting every item kind and index variables anywhere: the language's general form. */
export function parseList(source: string): ListExpr {
  return parseWhole(source, (p) =>
    p.list({
      expected: "a list item",
      accept: anyItem,
      indexVars: true,
      maxSizeGroups: Number.POSITIVE_INFINITY,
    }),
  );
}

/** Parses a shape pattern such as `[$batch..., $in]`: no index variables, at most one `$group...`. */
export function parseShapePattern(source: string): ShapePattern {
  return parseWhole(source, (p) =>
    p.list({
      expected: "a size expression or $group...",
      accept: shapeItem,
      indexVars: false,
      maxSizeGroups: 1,
    }),
  );
}

/** Parses a point projection such as `[b..., m, k]` over index variables and index groups. */
export function parseProjection(source: string): ProjectionList {
  return parseWhole(source, (p) =>
    p.list({
      expected: "a coordinate expression or index group name...",
      accept: projectionItem,
      indexVars: true,
      maxSizeGroups: 0,
    }),
  );
}

/** Parses the `shape` of a box-form projection: extents, `$group...` and `name...` (ones). */
export function parseBoxShape(source: string): BoxShapeList {
  return parseWhole(source, (p) =>
    p.list({
      expected: "an extent, $group... or index group name...",
      accept: boxItem,
      indexVars: false,
      maxSizeGroups: Number.POSITIVE_INFINITY,
    }),
  );
}

/** Parses an index space such as `[b...: $batch..., m: $m, k: $k]`. */
export function parseIndexSpace(source: string): IndexSpaceList {
  return parseWhole(source, (p) =>
    p.list({
      expected: "'name: extent' or 'name...: $group...'",
      accept: indexItem,
      indexVars: false,
      maxSizeGroups: 0,
    }),
  );
}

/** Parses a scalar compute expression such as `@scale * (x - y) * (x - y)`. */
export function parseScalar(source: string): ScalarExpr {
  return parseWhole(source, (p) => p.scalar());
}
