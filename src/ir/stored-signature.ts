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
  o: { readonly id: string; readonly kernel: string; readonly signature?: SignatureJson | undefined },
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
  const signature = o.signature;
  if (signature === undefined) return;
  if (signature.indexNames.join() !== derived.indexNames.join()) {
    mismatch(
      pointer(sp, "indexNames"),
      "index names",
      `[${signature.indexNames.join(", ")}]`,
      `[${derived.indexNames.join(", ")}]`,
    );
  }
  for (const side of ["inputs", "outputs"] as const) {
    const stored = decodeStoredProjections(signature[side], pointer(sp, side), issues);
    for (const [name, op] of Object.entries(derived[side])) {
      const got = stored.get(name);
      const where = pointer(pointer(sp, side), name);
      if (got === undefined) {
        if (!Object.hasOwn(signature[side], name))
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
      if (!Object.hasOwn(derived[side], name))
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
  if (fmt(signature.reductions) !== fmt(derived.reductions)) {
    mismatch(pointer(sp, "reductions"), "reductions", fmt(signature.reductions), fmt(derived.reductions));
  }
  if ((signature.unshardable ?? "") !== (derived.unshardable ?? "")) {
    mismatch(
      pointer(sp, "unshardable"),
      "shardability",
      JSON.stringify(signature.unshardable ?? null),
      JSON.stringify(derived.unshardable ?? null),
    );
  }
}
