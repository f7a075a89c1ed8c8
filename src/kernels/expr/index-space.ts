import { TesseraError } from "../../base/errors.js";
import type { IndexSpaceList } from "./ast.js";
import { evalIntExpr, type IntEnv } from "./evaluate.js";

/**
 * A concrete index space: one extent per dimension, with the names projections use. An index
 * group `b...: $batch...` with `$batch... = [2, 3]` contributes dimensions named `b0`, `b1`.
 */
export interface IndexSpace {
  /** A readable name per dimension, for messages and `Signature.indexNames`. */
  readonly names: readonly string[];
  readonly sizes: readonly number[];
  /** Index variable → its dimension. */
  readonly vars: ReadonlyMap<string, number>;
  /** Index group → its dimensions, in order (possibly none). */
  readonly groups: ReadonlyMap<string, readonly number[]>;
}

/**
 * Evaluates an index-space list under bound sizes and params. Throws `invalid_declaration` for a
 * name declared twice, `negative_extent` for an extent below zero, and whatever evaluating an
 * extent throws (`unbound_variable`, `invalid_param`, ...).
 */
export function evaluateIndexSpace(list: IndexSpaceList, env: IntEnv): IndexSpace {
  const names: string[] = [];
  const sizes: number[] = [];
  const vars = new Map<string, number>();
  const groups = new Map<string, readonly number[]>();
  for (const item of list.items) {
    if (vars.has(item.name) || groups.has(item.name)) {
      throw new TesseraError("invalid_declaration", `index variable ${item.name} is declared twice`, {
        name: item.name,
      });
    }
    if (item.kind === "dim") {
      const size = evalIntExpr(item.size, env);
      if (size < 0) {
        throw new TesseraError(
          "negative_extent",
          `index dimension ${item.name} has negative extent ${size}`,
          {
            name: item.name,
            found: size,
          },
        );
      }
      vars.set(item.name, names.length);
      names.push(item.name);
      sizes.push(size);
      continue;
    }
    const values = env.bindings.group(item.group);
    if (values === undefined) {
      throw new TesseraError("unbound_variable", `$${item.group}... is not bound by any shape pattern`, {
        variable: `$${item.group}...`,
      });
    }
    groups.set(
      item.name,
      values.map((_, j) => names.length + j),
    );
    values.forEach((v, j) => {
      names.push(`${item.name}${j}`);
      sizes.push(v);
    });
  }
  return { names, sizes, vars, groups };
}
