import type { IntExpr, ListExpr, ListItem, ScalarExpr } from "./ast.js";

/*
 * Canonical text: single spaces around binary operators, `, ` between list items and call
 * arguments, and parentheses only where precedence needs them (operators associate to the
 * left, so a right operand of equal precedence is parenthesised). `print(parse(s))` is the
 * canonical form of `s`, and `parse(print(ast))` deep-equals `ast`.
 */

const ADDITIVE = 1;
const MULTIPLICATIVE = 2;
const UNARY = 3;
const ATOM = 4;

function precedence(e: IntExpr | ScalarExpr): number {
  switch (e.kind) {
    case "binary":
      return e.op === "+" || e.op === "-" ? ADDITIVE : MULTIPLICATIVE;
    case "neg":
      return UNARY;
    default:
      return ATOM;
  }
}

function wrap(text: string, needsParens: boolean): string {
  return needsParens ? `(${text})` : text;
}

/** The canonical text of an integer expression, e.g. `(oh + 1) * @stride - 1`. */
export function printIntExpr(e: IntExpr): string {
  switch (e.kind) {
    case "int":
      return String(e.value);
    case "size":
      return `$${e.name}`;
    case "param":
      return e.index === undefined ? `@${e.name}` : `@${e.name}[${printIntExpr(e.index)}]`;
    case "index":
      return e.name;
    case "neg":
      return `-${wrap(printIntExpr(e.operand), precedence(e.operand) < UNARY)}`;
    case "call":
      return `${e.fn}(${printIntExpr(e.args[0])}, ${printIntExpr(e.args[1])})`;
    case "binary": {
      const p = precedence(e);
      const l = wrap(printIntExpr(e.left), precedence(e.left) < p);
      const r = wrap(printIntExpr(e.right), precedence(e.right) <= p);
      return `${l} ${e.op} ${r}`;
    }
  }
}

/** The canonical text of one list item, e.g. `$batch...` or `b...: $batch...`. */
export function printListItem(item: ListItem): string {
  switch (item.kind) {
    case "expr":
      return printIntExpr(item.expr);
    case "sizeGroup":
      return `$${item.name}...`;
    case "indexGroup":
      return `${item.name}...`;
    case "dim":
      return `${item.name}: ${printIntExpr(item.size)}`;
    case "dimGroup":
      return `${item.name}...: $${item.group}...`;
  }
}

/** The canonical text of a list, e.g. `[$batch..., $in]`. */
export function printList(list: ListExpr): string {
  return `[${list.items.map(printListItem).join(", ")}]`;
}

/** The canonical text of a scalar expression, e.g. `@scale * (x - y) * (x - y)`. */
export function printScalar(e: ScalarExpr): string {
  switch (e.kind) {
    case "number":
      return String(e.value);
    case "operand":
      return e.name;
    case "param":
      return `@${e.name}`;
    case "neg":
      return `-${wrap(printScalar(e.operand), precedence(e.operand) < UNARY)}`;
    case "call":
      return `${e.fn}(${e.args.map(printScalar).join(", ")})`;
    case "binary": {
      const p = precedence(e);
      const l = wrap(printScalar(e.left), precedence(e.left) < p);
      const r = wrap(printScalar(e.right), precedence(e.right) <= p);
      return `${l} ${e.op} ${r}`;
    }
  }
}
