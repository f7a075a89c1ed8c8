import type { JsonValue } from "../base/json.js";
import type { ZRange } from "../zspace/z-range.js";

/**
 * `s` cut to at most `max` characters (code points), ending in `…` when cut.
 * Example: `capText("attention_output_projection", 12)` → `"attention_o…"`.
 */
export function capText(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length <= max ? s : `${chars.slice(0, Math.max(0, max - 1)).join("")}…`;
}

/**
 * `s` broken at spaces into lines of at most `max` characters, at most `lines` of them; the
 * last line is capped with `…` when text is left over.
 * Example: `wrapText("n=4 g=1 ocg=16 oh=32", 10)` → `["n=4 g=1", "ocg=16 oh…"]`.
 */
export function wrapText(s: string, max: number, lines = 2): string[] {
  const out: string[] = [];
  let rest = s.trim();
  while (rest !== "" && out.length < lines - 1) {
    if (Array.from(rest).length <= max) break;
    const cut = rest.lastIndexOf(" ", max);
    if (cut <= 0) break;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut + 1).trimStart();
  }
  if (rest !== "") out.push(capText(rest, max));
  return out;
}

/**
 * A tensor box for a label: its shape `[32, 64]` when it starts at the origin, else its range
 * `[2:34, 0:64)`; `[]` for a scalar.
 */
export function formatBox(range: ZRange): string {
  return range.start.coords.every((c) => c === 0) ? `[${range.shape.coords.join(", ")}]` : range.toString();
}

/** Kernel params as `k=v` pairs with compact JSON values: `padding=[1,1] groups=4`. */
export function formatParams(params: Readonly<Record<string, JsonValue>>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(" ");
}
