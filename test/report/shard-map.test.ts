import { describe, expect, it } from "vitest";
import { loadProgramFile, program } from "../../src/frontend/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { deriveTaskGraph, makePlan, type Plan } from "../../src/plan/index.js";
import { devicePalette, shardMapSvg, tensorShares } from "../../src/report/index.js";
import { ZRange } from "../../src/zspace/index.js";
import { expectTesseraError } from "../zspace/expect-error.js";
import { dataParallelMlp, megatronMlp, spatialConvNet, unevenRelu } from "./programs.js";
import { byClass, findAll, parseXml, shownText } from "./xml.js";

interface Box {
  readonly device: string;
  readonly region: ZRange;
  readonly title: string;
}

/** The held and read rectangles and the ticks of a shard map. */
function shardMap(plan: Plan, tensor: string, slice?: readonly number[]) {
  const text = shardMapSvg(plan, tensor, slice === undefined ? {} : { slice });
  const svg = parseXml(text);
  const boxes = (cls: string): Box[] =>
    byClass(svg, cls).map((el) => {
      const m = /\[(.*)\)$/.exec(el.attrs["data-region"]!)!;
      const dims = m[1]!.split(", ").filter((d) => d !== "");
      const region = ZRange.fromBounds(
        dims.map((d) => Number(d.split(":")[0])),
        dims.map((d) => Number(d.split(":")[1])),
      );
      const title = el.children.find((c) => c.name === "title")?.text ?? "";
      return { device: el.attrs["data-device"]!, region, title };
    });
  const ticks = (axis: string) =>
    byClass(svg, "tick")
      .filter((t) => t.attrs["data-axis"] === axis)
      .map((t) => Number(t.attrs["data-coord"]));
  const perDevice = (list: readonly Box[]) =>
    Object.fromEntries(plan.devices.map((d) => [d, list.filter((b) => b.device === d).length]));
  return { text, svg, holds: boxes("hold"), reads: boxes("read"), ticks, perDevice };
}

const rowsOf = (r: ZRange, dim: number): [number, number] => [r.start.at(dim), r.end.at(dim)];

describe("shardMapSvg: a conv net cut into row bands over three devices", () => {
  const plan = spatialConvNet();

  it("shows each device's band of relu1 and the bands conv2 reads, overlapping by a halo", () => {
    const { holds, reads, perDevice } = shardMap(plan, "relu1");
    expect(perDevice(holds)).toEqual({ d0: 1, d1: 1, d2: 1 });
    expect(perDevice(reads)).toEqual({ d0: 1, d1: 1, d2: 1 });
    expect(holds.map((h) => rowsOf(h.region, 2))).toEqual([
      [0, 11],
      [11, 22],
      [22, 32],
    ]);
    // conv2 (stride 2, padding 1) reads rows 2·oh − 1 .. 2·oh + 1: one row past each band.
    const read = Object.fromEntries(reads.map((r) => [r.device, rowsOf(r.region, 2)]));
    expect(read).toEqual({ d0: [0, 12], d1: [11, 22], d2: [21, 32] });
    const held = Object.fromEntries(holds.map((h) => [h.device, h.region]));
    for (const r of reads.filter((x) => x.device !== "d1")) expect(r.region.intersects(held.d1!)).toBe(true);
  });

  it("shows the input at home on d0 and the overlapping windows conv1's shards read of it", () => {
    const { holds, reads, ticks } = shardMap(plan, "x", [1, 2]);
    expect(holds.map((h) => h.device)).toEqual(["d0"]);
    expect(reads.map((r) => [r.device, rowsOf(r.region, 2)])).toEqual([
      ["d0", [0, 12]],
      ["d1", [10, 23]],
      ["d2", [21, 32]],
    ]);
    expect(reads[0]!.region.intersects(reads[1]!.region)).toBe(true);
    expect(reads[1]!.region.intersects(reads[2]!.region)).toBe(true);
    expect(ticks("y")).toEqual([0, 10, 12, 21, 23, 32]);
    expect(ticks("x")).toEqual([0, 32]);
  });

  it("gives every rectangle a tooltip naming the region and the device", () => {
    const { holds, reads } = shardMap(plan, "relu1");
    expect(holds[0]!.title).toBe("relu1[0:4, 0:16, 0:11, 0:32) held on d0 — written by relu1#0");
    expect(reads[0]!.title).toBe("d0 reads relu1[0:4, 0:16, 0:12, 0:32) — conv2#0 (x)");
  });

  it("colours rectangles with the plan's device palette and sums each device's share in the legend", () => {
    const { svg, text } = shardMap(plan, "relu1");
    const palette = devicePalette(plan.devices);
    for (const el of byClass(svg, "hold"))
      expect(el.attrs.fill).toBe(palette.get(el.attrs["data-device"]!)!.fill);
    for (const el of byClass(svg, "read"))
      expect(el.attrs.stroke).toBe(palette.get(el.attrs["data-device"]!)!.stroke);
    // relu1 is [4, 16, 32, 32] f32: d0 holds 11 rows (88 KiB), reads 12 (96 KiB), receives 1 from d1 (8 KiB).
    expect(text).toContain("d0: holds 88 KiB · reads 96 KiB · receives 8 KiB of relu1 (all slices)");
    // Halos: hatching where a device reads what it does not hold (d0 and d2 one row each).
    const remote = byClass(svg, "read-remote").map((e) => e.attrs["data-device"]);
    expect(remote.sort()).toEqual(["d0", "d2"]);
  });

  it("draws only the regions that meet the chosen slice of a leading dimension", () => {
    const byBatch = makePlan(plan.program, {
      devices: ["d0", "d1"],
      splits: { conv1: [{ dim: 0, parts: 2 }] },
    });
    expect(shardMap(byBatch, "conv1", [0, 5]).holds.map((h) => h.device)).toEqual(["d0"]);
    expect(shardMap(byBatch, "conv1", [3, 5]).holds.map((h) => h.device)).toEqual(["d1"]);
    expect(shardMap(byBatch, "conv1", [3, 5]).text).toContain("slice [3, 5, :, :]");
  });
});

describe("shardMapSvg: splits, replication, ranks and origins", () => {
  it("marks the boundaries 0/4/7/10 of an uneven 10-in-3 split", () => {
    const { holds, ticks, svg } = shardMap(unevenRelu(), "y");
    expect(ticks("x")).toEqual([0, 4, 7, 10]);
    expect(ticks("y")).toEqual([0, 6]);
    expect(holds.map((h) => [h.device, rowsOf(h.region, 1)])).toEqual([
      ["d0", [0, 4]],
      ["d1", [4, 7]],
      ["d2", [7, 10]],
    ]);
    const labels = byClass(svg, "tick-label").filter((t) => t.attrs["data-axis"] === "x");
    expect(labels.map((t) => t.text)).toEqual(["0", "4", "7", "10"]);
  });

  it("shows a data-parallel weight read whole by every device: one read rectangle per device", () => {
    const plan = dataParallelMlp(4);
    const { holds, reads, perDevice, text } = shardMap(plan, "w1");
    expect(perDevice(reads)).toEqual({ d0: 1, d1: 1, d2: 1, d3: 1 });
    for (const r of reads) expect(r.region.equals(ZRange.fromShape([256, 512]))).toBe(true);
    expect(holds).toHaveLength(1);
    expect(holds[0]!.device).toBe(""); // pre-distributed: no one device holds it
    expect(text).toContain("pre-distributed input");
  });

  it("draws a rank-1 tensor as a 1×n strip and a scalar as one cell", () => {
    const mlp = dataParallelMlp(2);
    const strip = shardMap(mlp, "b1");
    const range = byClass(strip.svg, "tensor-range")[0]!;
    expect(Number(range.attrs.width)).toBe(600);
    expect(Number(range.attrs.height)).toBe(40);
    expect(strip.ticks("x")).toEqual([0, 512]);
    expect(strip.ticks("y")).toEqual([]);
    const p = program("scalar");
    p.output("s", p.sum(p.input("x", [3, 4]), {}, { id: "total" }));
    const scalar = shardMap(makePlan(p.build(), { devices: ["d0"] }), "s");
    expect(scalar.holds.map((h) => [h.device, h.region.rank])).toEqual([["d0", 0]]);
  });

  it("works for tensors whose range does not start at the origin", () => {
    const prog = loadProgramFile("test/fixtures/ir/valid/sliced-operand.json", builtinRegistry());
    const plan = makePlan(prog, {
      devices: ["d0", "d1"],
      splits: { fc: [{ dim: 0, parts: 2 }] },
      inputs: [{ tensor: "x", device: "d1" }],
    });
    const x = shardMap(plan, "x");
    expect(x.ticks("x")).toEqual([-2, 0, 4, 6]);
    expect(x.ticks("y")).toEqual([4, 6, 8, 10, 12]);
    expect(x.reads.map((r) => [r.device, r.region.toString()])).toEqual([
      ["d0", "[6:8, 0:4)"],
      ["d1", "[8:10, 0:4)"],
    ]);
    const y = shardMap(plan, "y");
    expect(y.ticks("y")).toEqual([100, 102, 104]);
  });

  it("accepts a task graph derived beforehand", () => {
    const plan = unevenRelu();
    const graph = deriveTaskGraph(plan);
    expect(shardMapSvg(plan, "y", { graph })).toBe(shardMapSvg(plan, "y"));
  });

  it("writes a standalone SVG whose pattern ids do not clash between two maps on one page", () => {
    const plan = spatialConvNet();
    const ids = (tensor: string) =>
      findAll(shardMap(plan, tensor).svg, (e) => e.attrs.id !== undefined).map((e) => e.attrs.id);
    const [a, b] = [ids("x"), ids("relu1")];
    expect(a.length).toBeGreaterThan(0);
    expect(a.filter((id) => b.includes(id))).toEqual([]);
    const root = shardMap(plan, "x").svg;
    expect(root.attrs.xmlns).toBe("http://www.w3.org/2000/svg");
    expect(root.children[0]!.name).toBe("title");
  });
});

describe("shardMapSvg: many devices", () => {
  it("gives devices with the same share one legend row, past 16 devices", () => {
    const p = program("wide");
    p.output("y", p.relu(p.input("x", [32, 8]), { id: "r" }));
    const devices = Array.from({ length: 32 }, (_, k) => `d${k}`);
    const plan = makePlan(p.build(), { devices, splits: { r: [{ dim: 0, parts: 32 }] } });
    const svg = parseXml(shardMapSvg(plan, "y"));
    expect(byClass(svg, "hold")).toHaveLength(32);
    const rows = byClass(svg, "legend-hold");
    expect(rows).toHaveLength(1);
    expect(shownText(svg)).toContain("d0–d31 (32 devices, each): holds 32 B");
    // Up to 16 devices, one row each.
    const few = makePlan(p.build(), {
      devices: devices.slice(0, 16),
      splits: { r: [{ dim: 0, parts: 16 }] },
    });
    expect(byClass(parseXml(shardMapSvg(few, "y")), "legend-hold")).toHaveLength(16);
  });
});

describe("shardMapSvg: typed errors", () => {
  const plan = spatialConvNet();

  it("refuses an unknown tensor id", () => {
    const error = expectTesseraError(() => shardMapSvg(plan, "nope"), "unknown_tensor");
    expect(error.context).toEqual({ tensor: "nope" });
  });

  it.each([
    ["too few coordinates", "relu1", [0]],
    ["too many coordinates", "relu1", [0, 0, 0]],
    ["a coordinate past the end", "relu1", [4, 0]],
    ["a coordinate before the start", "relu1", [0, -1]],
    ["a fractional coordinate", "relu1", [0, 0.5]],
    ["any coordinate for a rank-2 tensor", "wfc", [0]],
  ])("refuses a bad slice: %s", (_, tensor, slice) => {
    const error = expectTesseraError(() => shardMapSvg(plan, tensor, { slice }), "invalid_slice");
    expect(error.context.tensor).toBe(tensor);
    expect(error.summary).not.toContain("\n");
  });

  it("names the dimension and its bounds for a coordinate out of range", () => {
    const error = expectTesseraError(() => shardMapSvg(plan, "relu1", { slice: [0, 16] }), "invalid_slice");
    expect(error.summary).toBe("slice coordinate 16 of dimension 1 of tensor 'relu1' is not in [0, 16)");
    expect(error.context).toEqual({ tensor: "relu1", dim: 1, coordinate: 16, start: 0, end: 16 });
  });
});

describe("tensorShares", () => {
  it("sums held, read and received bytes per device, each distinct region once", () => {
    const plan = dataParallelMlp(4);
    const w1 = tensorShares(deriveTaskGraph(plan), "w1", "float32");
    expect([...w1.readBytes]).toEqual(plan.devices.map((d) => [d, 256 * 512 * 4]));
    expect([...w1.heldBytes]).toEqual([["", 256 * 512 * 4]]);
    expect(w1.receivedBytes.size).toBe(0);
    const mlp = megatronMlp();
    const x = tensorShares(deriveTaskGraph(mlp), "x", "float32");
    expect([...x.receivedBytes]).toEqual([["d1", 32 * 256 * 4]]);
    expect(x.reads.map((r) => [r.device, r.by])).toEqual([
      ["d0", ["fc1#0 (x)"]],
      ["d1", ["fc1#1 (x)"]],
    ]);
  });
});
