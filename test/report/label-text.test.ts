import { describe, expect, it } from "vitest";
import { dotAttrs, dotString, htmlLines, htmlText } from "../../src/report/dot-syntax.js";
import { formatBytes } from "../../src/report/index.js";
import { capText, formatBox, formatParams, wrapText } from "../../src/report/label-text.js";
import { plural } from "../../src/report/units.js";
import { ZRange } from "../../src/zspace/index.js";

describe("DOT strings", () => {
  it.each([
    ["plain", '"plain"'],
    ['say "hi"', '"say \\"hi\\""'],
    ["back\\slash", '"back\\\\slash"'],
    ["trailing\\", '"trailing\\\\"'],
    ["two\nlines", '"two\\nlines"'],
    ["crlf\r\nend", '"crlf\\nend"'],
    ["", '""'],
  ])("%j is written %s", (text, dot) => {
    expect(dotString(text)).toBe(dot);
  });

  it("escapes markup in HTML-like labels and keeps each label line on one line", () => {
    expect(htmlText('a<b> & "c"\nd')).toBe("a&lt;b&gt; &amp; &quot;c&quot; d");
    expect(htmlLines(["<id>", "x & y"]).html).toBe(
      '<b>&lt;id&gt;</b><br/><font point-size="10">x &amp; y</font>',
    );
  });

  it("writes attribute lists with quoted strings, bare numbers and <...> HTML labels, skipping undefined", () => {
    expect(dotAttrs({ label: { html: "<b>x</b>" }, penwidth: 2, color: "#fff", tooltip: undefined })).toBe(
      ' [label=<<b>x</b>>, penwidth=2, color="#fff"]',
    );
    expect(dotAttrs({})).toBe("");
  });
});

describe("label text", () => {
  it("caps long text with an ellipsis, counting code points", () => {
    expect(capText("attention_output_projection", 12)).toBe("attention_o…");
    expect(capText("short", 12)).toBe("short");
    expect(capText("ααααα", 4)).toBe("ααα…");
    expect(Array.from(capText("x".repeat(100), 36))).toHaveLength(36);
  });

  it.each([
    [0, "0 B"],
    [512, "512 B"],
    [1023, "1023 B"],
    [1024, "1 KiB"],
    [1536, "1.5 KiB"],
    [32768, "32 KiB"],
    [3.25 * 2 ** 20, "3.3 MiB"],
    [2 ** 40, "1 TiB"],
  ])("formatBytes(%d) is %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [0, "0 shards"],
    [1, "1 shard"],
    [3, "3 shards"],
  ])("plural(%d, 'shard') is %s", (n, text) => {
    expect(plural(n, "shard")).toBe(text);
  });

  it("shows a shape for boxes at the origin and the range otherwise", () => {
    expect(formatBox(ZRange.fromShape([32, 64]))).toBe("[32, 64]");
    expect(formatBox(ZRange.fromBounds([4, -2], [12, 6]))).toBe("[4:12, -2:6)");
    expect(formatBox(ZRange.scalar())).toBe("[]");
  });

  it("writes params as compact k=v pairs", () => {
    expect(formatParams({ padding: [1, 1], groups: 4 })).toBe("padding=[1,1] groups=4");
    expect(formatParams({})).toBe("");
  });
});

describe("wrapText", () => {
  it("breaks at spaces into at most two lines, capping what is left", () => {
    expect(wrapText("index n=4 g=1 ocg=16 oh=32 ow=32 icg=3", 24)).toEqual([
      "index n=4 g=1 ocg=16",
      "oh=32 ow=32 icg=3",
    ]);
    expect(wrapText("short", 24)).toEqual(["short"]);
    expect(wrapText("a b c d e f g h", 3)).toEqual(["a b", "c …"]);
    expect(wrapText("unbreakable_word_longer_than_max", 10)).toEqual(["unbreakab…"]);
    expect(wrapText("", 10)).toEqual([]);
  });
});
