import type { IssueCollector } from "../base/issue.js";
import { pointer } from "../base/json.js";
import type { Signature } from "../kernels/signature.js";
import type { ZRange } from "../zspace/z-range.js";
import { decodeStoredProjections, type SignatureJson } from "./signature-json.js";

/**
 * Records `signature_mismatch` wherever an operation's stored index range, index names,
 * projections, reductions or shardability differ from what its kernel derives (translated
 * into the coordinates of its selections). A stored signature is a cache, never an override.
 */
export function compareStoredSignature(
  o: { readonly id: string; readonly kernel: string; readonly signature: SignatureJson },
  path: string,
  index: ZRange,
  derived: Signature,
  issues: IssueCollector,
): void {
  const sp = pointer(path, "signature");
  const mismatch = (where: string, what: string, stored: string, want: string) =>
    issues.add(
      "signature_mismatch",
      where,
      `operation '${o.id}' (${o.kernel}): stored ${what} is ${stored}, but the kernel derives ${want}`,
      {
        op: o.id,
        stored,
        derived: want,
      },
    );
  if (!index.equals(derived.index))
    mismatch(pointer(path, "index"), "index range", index.toString(), derived.index.toString());
  if (o.signature.indexNames.join() !== derived.indexNames.join()) {
    mismatch(
      pointer(sp, "indexNames"),
      "index names",
      `[${o.signature.indexNames.join(", ")}]`,
      `[${derived.indexNames.join(", ")}]`,
    );
  }
  for (const side of ["inputs", "outputs"] as const) {
    const stored = decodeStoredProjections(o.signature[side], pointer(sp, side), issues);
    for (const [name, op] of Object.entries(derived[side])) {
      const got = stored.get(name);
      const where = pointer(pointer(sp, side), name);
      if (got === undefined) {
        if (!(name in o.signature[side]))
          mismatch(where, `${side.slice(0, -1)} '${name}' projection`, "absent", op.projection.toString());
      } else if (!got.equals(op.projection)) {
        mismatch(
          where,
          `${side.slice(0, -1)} '${name}' projection`,
          got.toString(),
          op.projection.toString(),
        );
      }
    }
    for (const name of stored.keys()) {
      if (derived[side][name] === undefined)
        mismatch(
          pointer(pointer(sp, side), name),
          `${side.slice(0, -1)} '${name}' projection`,
          "present",
          "no such operand",
        );
    }
  }
  const fmt = (rs: readonly { dim: number; monoid: string }[]) =>
    `[${rs.map((r) => `${r.dim}:${r.monoid}`).join(", ")}]`;
  if (fmt(o.signature.reductions) !== fmt(derived.reductions)) {
    mismatch(pointer(sp, "reductions"), "reductions", fmt(o.signature.reductions), fmt(derived.reductions));
  }
  if ((o.signature.unshardable ?? "") !== (derived.unshardable ?? "")) {
    mismatch(
      pointer(sp, "unshardable"),
      "shardability",
      JSON.stringify(o.signature.unshardable ?? null),
      JSON.stringify(derived.unshardable ?? null),
    );
  }
}
