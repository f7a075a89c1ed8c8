/** Text content for SVG/XML: `&`, `<` and `>` become entities. Example: `xmlText("a<b")` → `"a&lt;b"`. */
export function xmlText(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** An attribute value for SVG/XML (to write between double quotes): `xmlText` plus `"`. */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, "&quot;");
}

/** A coordinate for an SVG attribute: at most two decimals, no trailing zeros. */
export function px(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** Attributes `k="v"` for an SVG element, values escaped, undefined ones skipped. */
export function svgAttrs(attrs: Readonly<Record<string, string | number | undefined>>): string {
  return Object.entries(attrs)
    .flatMap(([k, v]) => (v === undefined ? [] : [`${k}="${typeof v === "number" ? px(v) : xmlAttr(v)}"`]))
    .join(" ");
}
