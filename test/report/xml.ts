// A tiny XML reader for the SVG that the report layer writes and Graphviz emits: enough to
// count elements by class and read their attributes and text, with no new dependency.

/** An element: name, attributes (entities decoded), children and its own text. */
export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Decodes the entities XML and Graphviz write (`&amp;`, `&#45;`, `&#x2026;`, ...). */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) =>
    e.startsWith("#x") || e.startsWith("#X")
      ? String.fromCodePoint(Number.parseInt(e.slice(2), 16))
      : e.startsWith("#")
        ? String.fromCodePoint(Number(e.slice(1)))
        : (ENTITIES[e] ?? m),
  );
}

/** Parses a document into its root element; throws on mismatched tags (a well-formedness check). */
export function parseXml(text: string): XmlElement {
  const body = text.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[\s\S]*?>/g, "");
  const root: XmlElement = { name: "#document", attrs: {}, children: [], text: "" };
  const stack: XmlElement[] = [root];
  for (const m of body.matchAll(/<(\/?)([\w:-]+)((?:\s+[\w:-]+\s*=\s*"[^"]*")*)\s*(\/?)>|([^<]+)/g)) {
    const top = stack.at(-1)!;
    if (m[5] !== undefined) {
      top.text += decodeEntities(m[5]);
      continue;
    }
    const [, close, name, attrText, selfClose] = m;
    if (close === "/") {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of (attrText ?? "").matchAll(/([\w:-]+)\s*=\s*"([^"]*)"/g))
      attrs[a[1]!] = decodeEntities(a[2]!);
    const el: XmlElement = { name: name!, attrs, children: [], text: "" };
    top.children.push(el);
    if (selfClose !== "/") stack.push(el);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack.at(-1)!.name}>`);
  const svg = root.children[0];
  if (svg === undefined) throw new Error("no root element");
  return svg;
}

/** Every element below `el` (depth first) that satisfies `pred`. */
export function findAll(el: XmlElement, pred: (e: XmlElement) => boolean): XmlElement[] {
  return el.children.flatMap((c) => [...(pred(c) ? [c] : []), ...findAll(c, pred)]);
}

/** Elements with class `cls` (Graphviz: `node`, `edge`, `cluster`). */
export function byClass(el: XmlElement, cls: string): XmlElement[] {
  return findAll(el, (e) => (e.attrs.class ?? "").split(/\s+/).includes(cls));
}

/** All text below `el`, joined with spaces. */
export function textOf(el: XmlElement): string {
  return [el.text.trim(), ...el.children.map(textOf)].filter((s) => s !== "").join(" ");
}

/** The `<title>` child's text (Graphviz puts a node's or edge's name there). */
export function titleOf(el: XmlElement): string | undefined {
  return el.children.find((c) => c.name === "title")?.text;
}

/** The text of the `<text>` elements below `el` (what a reader sees), joined with spaces. */
export function shownText(el: XmlElement): string {
  return findAll(el, (e) => e.name === "text")
    .map((t) => t.text.trim())
    .join(" ");
}
