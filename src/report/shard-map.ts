import { TesseraError } from "../base/errors.js";
import type { Plan } from "../plan/plan.js";
import { deriveTaskGraph, type TaskGraph } from "../plan/task-graph.js";
import { type DeviceColour, devicePalette, NEUTRAL } from "./device-palette.js";
import { FONT } from "./dot-syntax.js";
import { capText, formatBox } from "./label-text.js";
import { deviceList } from "./plan-explanation.js";
import { px, svgAttrs, xmlText } from "./svg-text.js";
import { tensorShares } from "./tensor-shares.js";
import {
  sliceText,
  subtractRect,
  tensorView,
  type ViewAxis,
  type ViewRect,
  viewRect,
} from "./tensor-view.js";
import { formatBytes } from "./units.js";

/** What `shardMapSvg` draws. */
export interface ShardMapOptions {
  /** Coordinates of the leading dimensions of a tensor of rank > 2 (default each one's start). */
  readonly slice?: readonly number[];
  /** The plan's task graph, when already derived. */
  readonly graph?: TaskGraph;
  /** The longer side of the drawn grid, in pixels (default 600). */
  readonly size?: number;
}

const HATCH_ANGLES = [45, -45, 20, -70, 70, -20, 32, -58];
const MARGIN = { left: 78, top: 122, right: 28 };

/** Tick coordinates of one axis with label lanes chosen so labels do not overlap. */
function tickLanes(
  coords: readonly number[],
  pos: (c: number) => number,
  size: (c: number) => number,
  lanes: number,
) {
  const ends: number[] = Array.from({ length: lanes }, () => Number.NEGATIVE_INFINITY);
  return coords.map((c) => {
    const p = pos(c);
    const half = size(c) / 2 + 2;
    const lane = ends.findIndex((e) => p - half >= e);
    if (lane >= 0) ends[lane] = p + half;
    return { coord: c, at: p, lane: lane >= 0 ? lane : null };
  });
}

/**
 * A picture of who holds and who reads which part of one tensor under a plan, as a standalone
 * SVG: the tensor's 2-D slice (last two dimensions; a rank-1 tensor as a 1×n strip) scaled to
 * about `size` pixels, each final writer's region filled in its device's colour (who holds the
 * value once computed; a program input at its home, or grey when pre-distributed), and each
 * region a device's shards read of it (from the task graph's pieces, halos included) as a
 * dashed outline in that device's colour, hatched where that device does not hold the data
 * itself (halos, remote reads, replicas), and inset a little per device so identical regions
 * (replication) show as nested outlines. Ticks mark every region boundary with its
 * coordinate; every rectangle has a `<title>` tooltip (region, device, tasks); a legend sums
 * what each device holds, reads and receives (past 16 devices, one row per distinct share,
 * naming its devices). Throws `unknown_tensor` for an id the program lacks and
 * `invalid_slice` for a bad slice.
 *
 * Example: `shardMapSvg(plan, "relu1", { slice: [0, 0] })` shows image 0, channel 0 of `relu1`.
 */
export function shardMapSvg(plan: Plan, tensorId: string, opts: ShardMapOptions = {}): string {
  const program = plan.program;
  const tensor = program.tensors.find((t) => t.id === tensorId);
  if (tensor === undefined) {
    throw new TesseraError("unknown_tensor", `the plan's program has no tensor '${tensorId}'`, {
      tensor: tensorId,
    });
  }
  const view = tensorView(tensor, opts.slice);
  const graph = opts.graph ?? deriveTaskGraph(plan);
  const palette = devicePalette(plan.devices);
  const colour = (d: string | null): DeviceColour => (d === null ? NEUTRAL : (palette.get(d) ?? NEUTRAL));
  const shares = tensorShares(graph, tensorId, tensor.dtype);
  const { heldBytes, readBytes, receivedBytes: received } = shares;
  const held = shares.holds.flatMap((h) => {
    const rect = viewRect(view, h.region);
    return rect === undefined ? [] : [{ ...h, rect }];
  });
  const reads = shares.reads.flatMap((r) => {
    const rect = viewRect(view, r.region);
    return rect === undefined ? [] : [{ ...r, rect }];
  });

  // Geometry: the grid keeps the tensor's aspect ratio within `size`, never thinner than 40 px.
  const size = Math.max(40, opts.size ?? 600);
  const [nRows, nCols] = [view.rows.end - view.rows.start, view.cols.end - view.cols.start];
  const scale = size / Math.max(1, nRows, nCols);
  const gridW = Math.max(40, nCols * scale);
  const gridH = Math.max(40, nRows * scale);
  const [sx, sy] = [gridW / Math.max(1, nCols), gridH / Math.max(1, nRows)];
  const X = (c: number) => MARGIN.left + (c - view.cols.start) * sx;
  const Y = (r: number) => MARGIN.top + (r - view.rows.start) * sy;

  const devicesShown = plan.devices.filter((d) => heldBytes.has(d) || readBytes.has(d));
  // What the legend says of each device; past 16 devices, devices saying the same share a row.
  const shareText = (d: string) =>
    [
      heldBytes.has(d) ? `holds ${formatBytes(heldBytes.get(d)!)}` : "holds none",
      readBytes.has(d) ? `reads ${formatBytes(readBytes.get(d)!)}` : "reads none",
      received.has(d) ? `receives ${formatBytes(received.get(d)!)}` : "",
    ]
      .filter((s) => s !== "")
      .join(" · ");
  const legendGroups: string[][] = [];
  if (devicesShown.length > 16) {
    const byText = new Map<string, string[]>();
    for (const d of devicesShown) byText.set(shareText(d), [...(byText.get(shareText(d)) ?? []), d]);
    legendGroups.push(...byText.values());
  } else legendGroups.push(...devicesShown.map((d) => [d]));
  const legendRows = legendGroups.length + (heldBytes.has("") ? 1 : 0) + 3;
  const width = Math.max(MARGIN.left + gridW + MARGIN.right, 520);
  const legendTop = MARGIN.top + gridH + 30;
  const height = legendTop + legendRows * 22 + 16;
  const prefix = `sm-${tensorId.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  const readIndex = new Map(devicesShown.map((d, k) => [d, k]));

  const out: string[] = [];
  out.push(
    `<svg ${svgAttrs({ xmlns: "http://www.w3.org/2000/svg", width, height, viewBox: `0 0 ${px(width)} ${px(height)}`, "font-family": FONT, "font-size": 12 })}>`,
  );
  out.push(`<title>${xmlText(`shard map of ${tensorId}`)}</title>`);
  out.push("<defs>");
  plan.devices.forEach((d, k) => {
    const c = colour(d);
    out.push(
      `<pattern ${svgAttrs({ id: `${prefix}-hatch-${k}`, patternUnits: "userSpaceOnUse", width: 7, height: 7, patternTransform: `rotate(${HATCH_ANGLES[k % HATCH_ANGLES.length]})` })}><line ${svgAttrs({ x1: 0, y1: 0, x2: 0, y2: 7, stroke: c.stroke, "stroke-width": 1.6, "stroke-opacity": 0.6 })}/></pattern>`,
    );
  });
  out.push("</defs>");
  out.push(`<rect ${svgAttrs({ class: "background", x: 0, y: 0, width, height, fill: "#ffffff" })}/>`);

  const title = `${tensorId} · ${tensor.dtype} ${formatBox(tensor.range)}`;
  const rowDim = view.rows.dim === null ? "" : `rows: dim ${view.rows.dim}`;
  const colDim = view.cols.dim === null ? "" : `columns: dim ${view.cols.dim}`;
  const sub = [tensor.range.rank > 2 ? `slice ${sliceText(view)}` : "", rowDim, colDim]
    .filter((s) => s !== "")
    .join(" · ");
  out.push(
    `<text ${svgAttrs({ class: "title", x: 12, y: 24, "font-size": 16, "font-weight": "bold" })}>${xmlText(capText(title, 90))}</text>`,
  );
  out.push(
    `<text ${svgAttrs({ class: "subtitle", x: 12, y: 44, fill: "#555555" })}>${xmlText(capText(`${sub}${sub === "" ? "" : " · "}plan of ${program.name ?? "program"} on ${plan.devices.length} device${plan.devices.length === 1 ? "" : "s"}`, 110))}</text>`,
  );

  // The tensor slice, with a faint cell grid when cells are large enough to see.
  out.push(`<g class="tensor">`);
  out.push(
    `<rect ${svgAttrs({ class: "tensor-range", x: X(view.cols.start), y: Y(view.rows.start), width: gridW, height: gridH, fill: "#fbfbfb", stroke: "#333333", "stroke-width": 1 })}><title>${xmlText(`${tensorId}${tensor.range} (${formatBox(tensor.range)})`)}</title></rect>`,
  );
  out.push("</g>");

  out.push(`<g class="holds">`);
  for (const h of held) {
    const c = colour(h.device);
    const [x, y, w, hh] = [
      X(h.rect.x0),
      Y(h.rect.y0),
      (h.rect.x1 - h.rect.x0) * sx,
      (h.rect.y1 - h.rect.y0) * sy,
    ];
    const where =
      h.device === null ? "pre-distributed (each device holds what it reads)" : `held on ${h.device}`;
    out.push(
      `<rect ${svgAttrs({ class: "hold", "data-device": h.device ?? "", "data-region": h.region.toString(), x, y, width: w, height: hh, fill: c.fill, stroke: c.stroke, "stroke-width": 1.2 })}><title>${xmlText(`${tensorId}${h.region} ${where} — ${h.by}`)}</title></rect>`,
    );
    const name = h.device ?? "pre-distributed";
    if (w >= name.length * 7 + 6 && hh >= 18) {
      out.push(
        `<text ${svgAttrs({ class: "hold-label", x: x + w / 2, y: y + hh / 2 + 4, "text-anchor": "middle", fill: "#222222", "font-weight": "bold", stroke: "#ffffff", "stroke-width": 3, "paint-order": "stroke", "pointer-events": "none" })}>${xmlText(name)}</text>`,
      );
    }
  }
  out.push("</g>");

  // A faint cell grid over the holdings when cells are large enough to see.
  if (sx >= 8 && sy >= 8 && nRows * nCols <= 20_000) {
    const lines: string[] = [];
    for (let c = view.cols.start + 1; c < view.cols.end; c++)
      lines.push(`M${px(X(c))} ${px(Y(view.rows.start))}V${px(Y(view.rows.end))}`);
    for (let r = view.rows.start + 1; r < view.rows.end; r++)
      lines.push(`M${px(X(view.cols.start))} ${px(Y(r))}H${px(X(view.cols.end))}`);
    if (lines.length > 0)
      out.push(
        `<path ${svgAttrs({ class: "cells", d: lines.join(""), stroke: "#000000", "stroke-opacity": 0.1, "stroke-width": 0.6, "pointer-events": "none", fill: "none" })}/>`,
      );
  }
  // A read's dashed outline spans all it reads; hatching marks the part its device does not
  // hold itself (halos, remote and replicated data). Outlines are inset a little per device so
  // that identical regions read by several devices show as nested outlines.
  out.push(`<g class="reads">`);
  const rectAttrs = (r: ViewRect, inset = 0) => ({
    x: X(r.x0) + inset,
    y: Y(r.y0) + inset,
    width: (r.x1 - r.x0) * sx - 2 * inset,
    height: (r.y1 - r.y0) * sy - 2 * inset,
  });
  for (const r of reads) {
    const hatch = `url(#${prefix}-hatch-${plan.devices.indexOf(r.device)})`;
    const own = held.filter((h) => h.device === r.device).map((h) => h.rect);
    const remote = own.reduce<ViewRect[]>((parts, o) => parts.flatMap((p) => subtractRect(p, o)), [r.rect]);
    for (const p of remote)
      out.push(
        `<rect ${svgAttrs({ class: "read-remote", "data-device": r.device, ...rectAttrs(p), fill: hatch, "pointer-events": "none" })}/>`,
      );
  }
  for (const r of reads) {
    const k = readIndex.get(r.device) ?? 0;
    const c = colour(r.device);
    const [w0, h0] = [(r.rect.x1 - r.rect.x0) * sx, (r.rect.y1 - r.rect.y0) * sy];
    const inset = Math.min(1.5 + 2.5 * k, w0 / 4, h0 / 4);
    const who = `${r.by.slice(0, 4).join(", ")}${r.by.length > 4 ? ` and ${r.by.length - 4} more` : ""}`;
    out.push(
      `<rect ${svgAttrs({ class: "read", "data-device": r.device, "data-region": r.region.toString(), ...rectAttrs(r.rect, inset), fill: "none", stroke: c.stroke, "stroke-width": 2, "stroke-dasharray": "7 3", "pointer-events": "visibleStroke" })}><title>${xmlText(`${r.device} reads ${tensorId}${r.region} — ${who}`)}</title></rect>`,
    );
  }
  out.push("</g>");

  // Ticks at every region boundary, labels in lanes so that close boundaries stay legible.
  const boundaries = (pick: (r: ViewRect) => [number, number], axis: ViewAxis) =>
    [...new Set([axis.start, axis.end, ...[...held, ...reads].flatMap((x) => pick(x.rect))])].sort(
      (a, b) => a - b,
    );
  out.push(`<g class="ticks">`);
  if (view.cols.dim !== null) {
    const ticks = tickLanes(
      boundaries((r) => [r.x0, r.x1], view.cols),
      X,
      (c) => String(c).length * 7,
      3,
    );
    for (const t of ticks) {
      const y = Y(view.rows.start);
      out.push(
        `<line ${svgAttrs({ class: "tick", "data-axis": "x", "data-coord": t.coord, x1: t.at, y1: y - 5 - (t.lane ?? 0) * 13, x2: t.at, y2: y, stroke: "#333333" })}/>`,
      );
      if (t.lane !== null)
        out.push(
          `<text ${svgAttrs({ class: "tick-label", "data-axis": "x", x: t.at, y: y - 8 - t.lane * 13, "text-anchor": "middle", "font-size": 11 })}>${t.coord}</text>`,
        );
    }
    out.push(
      `<text ${svgAttrs({ class: "axis-title", x: X(view.cols.start), y: 72, fill: "#555555" })}>${xmlText(`dim ${view.cols.dim} →`)}</text>`,
    );
  }
  if (view.rows.dim !== null) {
    const ticks = tickLanes(
      boundaries((r) => [r.y0, r.y1], view.rows),
      Y,
      () => 12,
      2,
    );
    for (const t of ticks) {
      const x = X(view.cols.start);
      const label = String(t.coord);
      const shift = (t.lane ?? 0) * 30;
      out.push(
        `<line ${svgAttrs({ class: "tick", "data-axis": "y", "data-coord": t.coord, x1: x - 5 - shift, y1: t.at, x2: x, y2: t.at, stroke: "#333333" })}/>`,
      );
      if (t.lane !== null)
        out.push(
          `<text ${svgAttrs({ class: "tick-label", "data-axis": "y", x: x - 8 - shift, y: t.at + 4, "text-anchor": "end", "font-size": 11 })}>${label}</text>`,
        );
    }
    const [ax, ay] = [16, Y(view.rows.start)];
    out.push(
      `<text ${svgAttrs({ class: "axis-title", x: ax, y: ay, transform: `rotate(90 ${px(ax)} ${px(ay)})`, fill: "#555555" })}>${xmlText(`dim ${view.rows.dim} →`)}</text>`,
    );
  }
  out.push("</g>");

  out.push(`<g class="legend">`);
  let ly = legendTop;
  const row = (swatches: string, text: string) => {
    out.push(`${swatches}<text ${svgAttrs({ x: 12 + 64, y: ly + 13 })}>${xmlText(text)}</text>`);
    ly += 22;
  };
  for (const group of legendGroups) {
    const d = group[0]!;
    const c = colour(d);
    const k = plan.devices.indexOf(d);
    const who =
      group.length === 1
        ? capText(d, 24)
        : `${deviceList(group, plan.devices)} (${group.length} devices, each)`;
    row(
      `<rect ${svgAttrs({ class: "legend-hold", "data-device": d, x: 12, y: ly, width: 26, height: 16, fill: c.fill, stroke: c.stroke })}/><rect ${svgAttrs({ class: "legend-read", "data-device": d, x: 42, y: ly, width: 26, height: 16, fill: `url(#${prefix}-hatch-${k})`, stroke: c.stroke, "stroke-width": 2, "stroke-dasharray": "7 3" })}/>`,
      `${who}: ${shareText(d)} of ${tensorId} (all slices)`,
    );
  }
  if (heldBytes.has("")) {
    row(
      `<rect ${svgAttrs({ x: 12, y: ly, width: 26, height: 16, fill: NEUTRAL.fill, stroke: NEUTRAL.stroke })}/>`,
      "pre-distributed input: each device already holds what it reads",
    );
  }
  row("", "filled: the region a device holds once computed (the final value)");
  row("", "dashed outline: a region a device's shards read; hatched where that device");
  row("", "does not hold it itself (halos, data from other devices, replicas)");
  out.push("</g>");
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
