// Reading DOT text back in tests: edges, nodes by id prefix, and attribute values.

/** One `tail -> head [attrs]` line of a DOT text. */
export interface DotEdge {
  readonly tail: string;
  readonly head: string;
  readonly attrs: string;
}

/** The top-level edges of a DOT text. */
export function edges(dot: string): DotEdge[] {
  return [...dot.matchAll(/^ {2}"([^"]+)" -> "([^"]+)"(?: \[(.*)\])?;$/gm)].map((m) => ({
    tail: m[1]!,
    head: m[2]!,
    attrs: m[3] ?? "",
  }));
}

/** The nodes of a DOT text whose ids start with one of `kinds` (`task:`, `op:`, ...), by id. */
export function nodes(dot: string, kinds: readonly string[]): Map<string, string> {
  const pattern = new RegExp(`^\\s*"((?:${kinds.join("|")}):[^"]*)" \\[(.*)\\];$`, "gm");
  return new Map([...dot.matchAll(pattern)].map((m) => [m[1]!, m[2]!]));
}

/** The value of attribute `name` in an attribute list, if set. */
export const attr = (attrs: string, name: string): string | undefined =>
  new RegExp(`(?:^|, )${name}="([^"]*)"`).exec(attrs)?.[1];
