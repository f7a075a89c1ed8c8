import { describe, expect, it } from "vitest";
import { TesseraError } from "../../src/base/index.js";
import { renderSvg } from "../../src/report/index.js";
import { byClass, parseXml, shownText, textOf, titleOf } from "./xml.js";

async function renderError(dot: string): Promise<TesseraError> {
  const error: unknown = await renderSvg(dot).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TesseraError);
  return error as TesseraError;
}

describe("renderSvg", () => {
  it("lays out DOT into an SVG document with one group per node, edge and cluster", async () => {
    const svg = parseXml(
      await renderSvg(
        'digraph { subgraph "cluster_a" { a [label="A\\n[2, 3]"]; b; } a -> b [label="1 KiB"]; b -> c; }',
      ),
    );
    expect(svg.name).toBe("svg");
    expect(byClass(svg, "node").map(titleOf)).toEqual(["a", "b", "c"]);
    expect(byClass(svg, "edge")).toHaveLength(2);
    expect(byClass(svg, "cluster")).toHaveLength(1);
    expect(shownText(byClass(svg, "node")[0]!)).toBe("A [2, 3]");
    expect(textOf(byClass(svg, "edge")[0]!)).toContain("1 KiB");
  });

  it("throws render_failed with Graphviz's complaint for DOT that does not parse", async () => {
    const error = await renderError("digraph { a -> ");
    expect(error.code).toBe("render_failed");
    expect(error.summary).toMatch(/syntax error/);
    expect(error.context.reason).toMatch(/syntax error/);
    expect(error.summary).not.toContain("\n");
  });

  it("throws render_failed for text holding no graph", async () => {
    expect((await renderError("")).code).toBe("render_failed");
    expect((await renderError("not a graph")).code).toBe("render_failed");
  });

  it("keeps working after a failure (the WebAssembly module is loaded once and reused)", async () => {
    await renderError("digraph {");
    const [one, two] = await Promise.all([renderSvg("digraph { x }"), renderSvg("digraph { y -> z }")]);
    expect(byClass(parseXml(one), "node")).toHaveLength(1);
    expect(byClass(parseXml(two), "node")).toHaveLength(2);
  });
});
