/**
 * Writing DOT safely: quoted strings, HTML-like labels and attribute lists. Every piece of
 * program text (ids, params) goes through here, so a quote, a backslash or a line break in an
 * id can never end a string early or change the graph's structure.
 */

/** An HTML-like label value, written `<...>` rather than quoted; build its text with `htmlText`. */
export interface HtmlLabel {
  readonly html: string;
}

/** A DOT attribute value: a quoted string, a number, or an HTML-like label. */
export type DotValue = string | number | HtmlLabel;

/**
 * `s` as a DOT quoted string: `"` and `\` are escaped and line breaks become `\n`, so the text
 * reads back unchanged as a label. Example: `dotString('a"b')` → `"a\"b"`.
 */
export function dotString(s: string): string {
  return `"${s
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\r\n|\r|\n/g, "\\n")}"`;
}

/**
 * `s` as text inside an HTML-like label: markup characters become entities and line breaks
 * become spaces (a label line is one line). Example: `htmlText("a<b")` → `"a&lt;b"`.
 */
export function htmlText(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/\r\n|\r|\n/g, " ");
}

/** One HTML-like label line per entry of `lines`, the first in bold, centred or left-aligned; lines are plain text. */
export function htmlLines(lines: readonly string[], align: "center" | "left" = "center"): HtmlLabel {
  const [head = "", ...rest] = lines;
  // `<br align="left"/>` left-aligns the line before it; a plain `<br/>` centres it.
  const br = align === "left" ? '<br align="left"/>' : "<br/>";
  const body = rest.map((l) => `${br}<font point-size="10">${htmlText(l)}</font>`).join("");
  return { html: `<b>${htmlText(head)}</b>${body}${align === "left" ? br : ""}` };
}

/**
 * A node's label (`htmlLines`) and a minimum width in inches that fits it in wide sans-serif
 * fonts too: Graphviz sizes nodes with Helvetica's metrics, and viewers that substitute a wider
 * font (DejaVu Sans on Linux) would otherwise spill text over the border.
 */
export function nodeLabel(
  lines: readonly string[],
  shape: "box" | "ellipse",
): { label: HtmlLabel; width: number } {
  const chars = (l: string | undefined) => Array.from(l ?? "").length;
  const [head, ...rest] = lines;
  const points = Math.max(chars(head) * 11 * 0.6, ...rest.map((l) => chars(l) * 10 * 0.56));
  const inches = points / 72 + 0.3;
  return {
    label: htmlLines(lines),
    width: Math.round((shape === "ellipse" ? inches * 1.25 : inches) * 100) / 100,
  };
}

/** An attribute list `[k=v, ...]`, skipping undefined values; empty string when there is none. */
export function dotAttrs(attrs: Readonly<Record<string, DotValue | undefined>>): string {
  const parts = Object.entries(attrs).flatMap(([k, v]) =>
    v === undefined
      ? []
      : [`${k}=${typeof v === "object" ? `<${v.html}>` : typeof v === "number" ? String(v) : dotString(v)}`],
  );
  return parts.length === 0 ? "" : ` [${parts.join(", ")}]`;
}

/** The graph-wide defaults every Tessera picture uses: sans-serif text, top-to-bottom flow. */
export function dotPreamble(title: string): string[] {
  return [
    `  graph${dotAttrs({ label: title, labelloc: "t", fontname: FONT, fontsize: 16, rankdir: "TB", nodesep: 0.3, ranksep: 0.45, newrank: "true", compound: "true" })};`,
    `  node${dotAttrs({ fontname: FONT, fontsize: 11, margin: "0.24,0.08" })};`,
    `  edge${dotAttrs({ fontname: FONT, fontsize: 9, arrowsize: 0.7 })};`,
  ];
}

/** The font list of every picture. */
export const FONT = "Helvetica,Arial,Liberation Sans,sans-serif";
