/**
 * An SVG document made fit to sit inside an HTML page beside others: the XML declaration,
 * DOCTYPE and comments dropped, and every `id` prefixed with `prefix-` (with the `url(#…)` and
 * `href="#…"` references to it). Several pictures of one page define the same ids (Graphviz's
 * `node1`, a shard map's hatch patterns); unscoped, a reference would find the first one in the
 * page, possibly inside a hidden section, where a pattern does not paint.
 *
 * Example: `inlineSvg('<?xml …?><svg><pattern id="h"/><rect fill="url(#h)"/></svg>', "p1")`
 * → `'<svg><pattern id="p1-h"/><rect fill="url(#p1-h)"/></svg>'`.
 */
export function inlineSvg(svg: string, prefix: string): string {
  const body = svg.replace(/<\?xml[\s\S]*?\?>|<!DOCTYPE[\s\S]*?>|<!--[\s\S]*?-->/g, "").trim();
  const ids = new Set([...body.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!));
  const scoped = (id: string) => (ids.has(id) ? `${prefix}-${id}` : id);
  return body
    .replace(/(\sid=")([^"]+)"/g, (_, head: string, id: string) => `${head}${scoped(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${scoped(id)})`)
    .replace(/(href=")#([^"]+)"/g, (_, head: string, id: string) => `${head}#${scoped(id)}"`);
}
