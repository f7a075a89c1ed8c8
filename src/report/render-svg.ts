import { Graphviz } from "@hpcc-js/wasm-graphviz";
import { TesseraError } from "../base/errors.js";

let loading: Promise<Graphviz> | undefined;

/** The WebAssembly Graphviz, compiled once per process and shared by every render. */
async function graphviz(): Promise<Graphviz> {
  loading ??= Graphviz.load();
  try {
    return await loading;
  } catch (error: unknown) {
    loading = undefined; // let a later call try again
    const reason = error instanceof Error ? error.message : String(error);
    throw new TesseraError("render_failed", `the WebAssembly Graphviz could not be loaded: ${reason}`, {
      reason,
    });
  }
}

/**
 * Lays out DOT text with Graphviz's `dot` engine and returns the SVG document, in process (the
 * npm package `@hpcc-js/wasm-graphviz`; no system binary). Throws `render_failed` naming
 * Graphviz's complaint when the DOT does not parse or yields no graph.
 *
 * Example: `await renderSvg("digraph { a -> b }")` → `"<?xml ...><svg ...>...</svg>"`.
 */
export async function renderSvg(dot: string): Promise<string> {
  const gv = await graphviz();
  let svg: string;
  try {
    svg = gv.dot(dot, "svg");
  } catch (error: unknown) {
    const reason = (error instanceof Error ? error.message : String(error)).trim();
    throw new TesseraError("render_failed", `Graphviz could not lay out the graph: ${reason}`, { reason });
  }
  if (!svg.includes("<svg")) {
    throw new TesseraError("render_failed", "Graphviz produced no picture: the DOT text holds no graph", {
      reason: "no graph",
    });
  }
  return svg;
}
