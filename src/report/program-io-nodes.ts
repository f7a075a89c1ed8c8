import type { TensorDecl } from "../ir/program.js";
import type { DeviceColour } from "./device-palette.js";
import { dotAttrs, dotString, nodeLabel } from "./dot-syntax.js";
import { capText, formatBox } from "./label-text.js";

/** The DOT id of program input `id`'s node. */
export function inputNode(id: string): string {
  return dotString(`input:${id}`);
}

/** The DOT id of program output `id`'s node. */
export function outputNode(id: string): string {
  return dotString(`output:${id}`);
}

const typeLine = (t: TensorDecl | undefined, max: number) =>
  capText(t === undefined ? "" : `${t.dtype} ${formatBox(t.range)}`, max);

/**
 * The DOT statement of program input `id` (declared as `t`): an ellipse filled in its home
 * device's `colour`, or dashed and white when it has no home (pre-distributed).
 */
export function inputNodeDot(
  id: string,
  t: TensorDecl | undefined,
  home: string | null,
  colour: DeviceColour,
  max: number,
): string {
  const lines = [capText(id, max), typeLine(t, max), home === null ? "pre-distributed" : `home ${home}`];
  return `  ${inputNode(id)}${dotAttrs({
    shape: "ellipse",
    style: home === null ? "filled,dashed" : "filled",
    fillcolor: home === null ? "#ffffff" : colour.fill,
    color: colour.stroke,
    ...nodeLabel(lines, "ellipse"),
    tooltip: `program input ${id}`,
  })};`;
}

/** The DOT statement of program output `id` (declared as `t`): a double orange ellipse saying where it ends up (`on`). */
export function outputNodeDot(id: string, t: TensorDecl | undefined, on: string, max: number): string {
  const lines = [capText(id, max), typeLine(t, max), capText(`on ${on}`, max)];
  return `  ${outputNode(id)}${dotAttrs({
    shape: "ellipse",
    style: "filled",
    peripheries: 2,
    fillcolor: "#fde2c4",
    color: "#c0661a",
    ...nodeLabel(lines, "ellipse"),
    tooltip: `program output ${id}`,
  })};`;
}

/** The dashed grey DOT edge from node `tail` (a writer of program output `id`) to the output's node. */
export function outputEdgeDot(tail: string, id: string): string {
  return `  ${tail} -> ${outputNode(id)}${dotAttrs({ style: "dashed", color: "#9a9a9a", arrowsize: 0.5 })};`;
}
