import type { IntExpr, ListExpr, ScalarExpr } from "./ast.js";

/** The names an expression refers to, by kind (without sigils). */
export interface References {
  /** `$name` sizes. */
  readonly sizes: Set<string>;
  /** `$name...` groups. */
  readonly sizeGroups: Set<string>;
  /** `@name` params read as a single value. */
  readonly params: Set<string>;
  /** `@name[i]` params read as lists. */
  readonly listParams: Set<string>;
  /** Bare index variables. */
  readonly indices: Set<string>;
  /** `name...` index groups. */
  readonly indexGroups: Set<string>;
  /** Operand names of a scalar expression. */
  readonly operands: Set<string>;
}

function empty(): References {
  return {
    sizes: new Set(),
    sizeGroups: new Set(),
    params: new Set(),
    listParams: new Set(),
    indices: new Set(),
    indexGroups: new Set(),
    operands: new Set(),
  };
}

function addInt(e: IntExpr, refs: References): void {
  switch (e.kind) {
    case "int":
      return;
    case "size":
      refs.sizes.add(e.name);
      return;
    case "index":
      refs.indices.add(e.name);
      return;
    case "param":
      if (e.index === undefined) refs.params.add(e.name);
      else {
        refs.listParams.add(e.name);
        addInt(e.index, refs);
      }
      return;
    case "neg":
      addInt(e.operand, refs);
      return;
    case "call":
      for (const a of e.args) addInt(a, refs);
      return;
    case "binary":
      addInt(e.left, refs);
      addInt(e.right, refs);
  }
}

function addScalar(e: ScalarExpr, refs: References): void {
  switch (e.kind) {
    case "number":
      return;
    case "operand":
      refs.operands.add(e.name);
      return;
    case "param":
      refs.params.add(e.name);
      return;
    case "neg":
      addScalar(e.operand, refs);
      return;
    case "call":
      for (const a of e.args) addScalar(a, refs);
      return;
    case "binary":
      addScalar(e.left, refs);
      addScalar(e.right, refs);
  }
}

/** Every name an integer expression or a list (and the expressions in it) refers to. */
export function intReferences(node: IntExpr | ListExpr): References {
  const refs = empty();
  if (node.kind !== "list") {
    addInt(node, refs);
    return refs;
  }
  for (const item of node.items) {
    if (item.kind === "expr") addInt(item.expr, refs);
    else if (item.kind === "dim") addInt(item.size, refs);
    else if (item.kind === "sizeGroup") refs.sizeGroups.add(item.name);
    else if (item.kind === "indexGroup") refs.indexGroups.add(item.name);
    else refs.sizeGroups.add(item.group);
  }
  return refs;
}

/** Every operand and param a scalar expression refers to. */
export function scalarReferences(node: ScalarExpr): References {
  const refs = empty();
  addScalar(node, refs);
  return refs;
}
