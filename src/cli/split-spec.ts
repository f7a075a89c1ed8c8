import { TesseraError } from "../base/errors.js";
import { nullRecord } from "../base/json.js";
import type { Program } from "../ir/program.js";
import type { DimSplit } from "../zspace/z-range.js";

/**
 * Parses `--split` values: `op=dim:parts` items separated by commas, where an item without
 * `op=` continues the previous operation (`fc1=m:2,k:2,fc2=n:4`). `dim` is an index dimension
 * name (`m`, `batch0`, ...) or number; `dim@c1/c2` cuts at explicit points instead of `parts`.
 */
export function parseSplitSpecs(specs: readonly string[], program: Program): Record<string, DimSplit[]> {
  const out = nullRecord<DimSplit[]>();
  for (const spec of specs) {
    let current: string | undefined;
    for (const raw of spec.split(",").filter((s) => s.length > 0)) {
      let item = raw;
      const eq = raw.indexOf("=");
      if (eq >= 0) {
        current = raw.slice(0, eq);
        item = raw.slice(eq + 1);
      }
      if (current === undefined) throw bad(spec, `'${raw}' names no operation (write op=dim:parts)`);
      const op = program.operations.find((o) => o.id === current);
      if (op === undefined) {
        throw new TesseraError(
          "plan_mismatch",
          `--split names operation '${current}', which the program does not have`,
          {
            op: current,
            known: program.operations.map((o) => o.id),
          },
        );
      }
      const m = /^([A-Za-z_][\w]*|\d+)(?::(\d+)|@(\d+(?:\/\d+)*))$/.exec(item);
      if (m === null) throw bad(spec, `'${item}' is not dim:parts or dim@cut/cut`);
      const names = op.signature.indexNames;
      const dim = /^\d+$/.test(m[1]!) ? Number(m[1]) : names.indexOf(m[1]!);
      if (dim < 0 || dim >= names.length) {
        throw new TesseraError(
          "dimension_out_of_bounds",
          `operation '${op.id}' (${op.kernel}) has no index dimension '${m[1]}' (dimensions: ${names.join(", ")})`,
          { op: op.id, dim: m[1]!, dims: names.slice() },
        );
      }
      const list = out[op.id] ?? [];
      list.push(
        m[2] !== undefined ? { dim, parts: Number(m[2]) } : { dim, cuts: m[3]!.split("/").map(Number) },
      );
      out[op.id] = list;
    }
  }
  return out;
}

function bad(spec: string, why: string): TesseraError {
  return new TesseraError("invalid_split", `--split ${spec}: ${why}`, { spec });
}

/** The most devices a hand-written plan may name: each shard needs one, and each is dealt a name. */
export const MAX_PLAN_DEVICES = 65_536;

/**
 * Parses `--devices`: a count (`4` → d0..d3, at most `MAX_PLAN_DEVICES`) or a comma-separated
 * list of distinct, non-blank names.
 */
export function parseDevices(value: string): string[] {
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    if (n < 1) throw new TesseraError("unknown_device", "--devices needs at least one device", { found: n });
    if (n > MAX_PLAN_DEVICES)
      throw new TesseraError("limit_exceeded", `--devices ${value}: at most ${MAX_PLAN_DEVICES} devices`, {
        found: value,
        limit: MAX_PLAN_DEVICES,
      });
    return Array.from({ length: n }, (_, i) => `d${i}`);
  }
  const names = value.split(",");
  if (names.some((s) => s.trim().length === 0))
    throw new TesseraError("invalid_argument", `--devices ${value}: a device name is blank`, {
      devices: value,
    });
  const twice = names.find((s, i) => names.indexOf(s) !== i);
  if (twice !== undefined)
    throw new TesseraError("invalid_argument", `--devices ${value}: device '${twice}' is named twice`, {
      device: twice,
    });
  if (names.length > MAX_PLAN_DEVICES)
    throw new TesseraError("limit_exceeded", `--devices: at most ${MAX_PLAN_DEVICES} devices`, {
      found: names.length,
      limit: MAX_PLAN_DEVICES,
    });
  return names;
}
