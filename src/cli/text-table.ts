/** Column alignment of a text table. */
export type Align = "left" | "right";

/**
 * Formats rows as an aligned text table under a header, two spaces between columns.
 * Example: `textTable(["a", "b"], [["1", "22"]])` → `"a  b \n1  22"`.
 */
export function textTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const fmt = (cells: readonly string[]) =>
    cells
      .map((c, i) => (align[i] === "right" ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [fmt(headers), ...rows.map(fmt)].join("\n");
}
