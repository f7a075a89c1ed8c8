import type { Simulation, TransferInterval } from "../cost/simulation.js";
import type { TaskGraph } from "../plan/task-graph.js";
import { criticalPath } from "./critical-path.js";
import { type DeviceColour, devicePalette, NEUTRAL } from "./device-palette.js";
import { FONT } from "./dot-syntax.js";
import { capText } from "./label-text.js";
import { niceStep } from "./plot-axis.js";
import { px, svgAttrs, xmlText } from "./svg-text.js";
import { formatBytes, formatFlops, formatSeconds } from "./units.js";

/** A task's measured run, in seconds since the run began. */
export interface MeasuredInterval {
  readonly task: string;
  readonly device: string;
  readonly start: number;
  readonly end: number;
}

/** What `timelineSvg` draws. */
export interface TimelineSvgOptions {
  /** The plan's task graph: with it the critical path is outlined (it knows the dependencies). */
  readonly graph?: TaskGraph;
  /** Measured per-task times of an execution of the same plan: a second chart below, own axis. */
  readonly measured?: { readonly compute: readonly MeasuredInterval[] };
  /** Width of the picture in pixels (default 900). */
  readonly width?: number;
  readonly title?: string;
  /**
   * The most bars a chart draws one by one (default 2500). Past it the chart is dense: each
   * lane's bars that lie closer than a pixel or so merge into busy spans (a link lane keeps
   * one row), widening the gap merged over until the spans fit in this many; critical items
   * are still drawn one by one.
   */
  readonly maxBars?: number;
}

interface Lane {
  readonly label: string;
  readonly device: string;
  /** A device's compute lane, or one of its outgoing link classes. */
  readonly kind: "compute" | "intra" | "inter";
  readonly rows: number;
}

interface Bar {
  readonly classes: string[];
  readonly lane: number;
  readonly row: number;
  readonly start: number;
  readonly end: number;
  readonly colour: DeviceColour;
  readonly label: string;
  readonly title: string;
  readonly data: Readonly<Record<string, string>>;
  /** Fill opacity: a merged span is paler the more idle time it holds. */
  readonly opacity?: number;
}

const LEFT = 132;
const RIGHT = 28;
const COMPUTE_H = 24;
const ROW_H = 13;
const CRITICAL = "#111111";
const LINK_NAME = { intra: "intra-host link", inter: "inter-host link" } as const;

/** `c` mixed with white, `share` of colour left (0..1). */
function lighten(c: string, share: number): string {
  const n = Number.parseInt(c.slice(1), 16);
  const mix = (v: number) => Math.round(255 - (255 - v) * share);
  return `#${[(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => mix(v).toString(16).padStart(2, "0")).join("")}`;
}

/** Ticks at 1, 2 or 5 × 10^k covering `[0, end]`, about `count` of them. */
function niceTicks(end: number, count: number): number[] {
  const raw = end / Math.max(1, count);
  const step = niceStep(raw);
  const ticks: number[] = [];
  for (let k = 0; k * step <= end * (1 + 1e-9); k++) ticks.push(k * step);
  return ticks;
}

/** Packs intervals into rows, each in the first row free at its start; returns each one's row and the count. */
function packRows(items: readonly { start: number; end: number }[]): { row: number[]; rows: number } {
  const ends: number[] = [];
  const order = items.map((_, i) => i).sort((a, b) => items[a]!.start - items[b]!.start);
  const row: number[] = new Array(items.length).fill(0);
  for (const i of order) {
    const free = ends.findIndex((e) => e <= items[i]!.start);
    const r = free >= 0 ? free : ends.length;
    ends[r] = items[i]!.end;
    row[i] = r;
  }
  return { row, rows: Math.max(1, ends.length) };
}

/**
 * A Gantt chart of a simulation as a standalone SVG: a time axis with 1-2-5 ticks, one lane per
 * plan device with its tasks (filled in the device's colour, labelled with the task id where
 * wide enough) and, under it, one lane per link class the device sends over (transfers in a
 * lighter shade of the sender's colour, labelled with destination and bytes; overlapping ones
 * in sub-rows; transfers of a recognised collective hatched). With `graph`, the items of
 * `criticalPath` are outlined in black, class `critical`, joined by dashed connectors. With
 * `measured`, a second chart of the measured task times follows, on its own axis. Every bar
 * has a `<title>` tooltip; a legend explains the marks. A chart of more than `maxBars` bars is
 * dense: bars too close to tell apart merge into busy spans (class `span`, `data-count` items,
 * paler the more idle time they hold, a tooltip counting them), critical items still drawn
 * one by one.
 *
 * Example: `timelineSvg(simulatePlan(plan, presetCluster("dgx-a100")), { graph: deriveTaskGraph(plan) })`.
 */
export function timelineSvg(sim: Simulation, opts: TimelineSvgOptions = {}): string {
  const width = Math.max(420, opts.width ?? 900);
  const { compute, transfers, collectives } = sim.timeline;
  const devices = Object.keys(sim.timeline.devices);
  for (const c of compute) if (!devices.includes(c.device)) devices.push(c.device);
  const palette = devicePalette(devices);
  const colour = (d: string) => palette.get(d) ?? NEUTRAL;
  const path = opts.graph === undefined ? [] : criticalPath(sim, opts.graph);
  const onPath = new Set(path.map((p) => `${p.kind}:${p.index}`));

  const lanes: Lane[] = [];
  const bars: Bar[] = [];
  for (const d of devices) {
    const lane = lanes.length;
    const cluster = sim.timeline.devices[d];
    lanes.push({ label: d, device: cluster ?? "", kind: "compute", rows: 1 });
    compute.forEach((c, i) => {
      if (c.device !== d) return;
      const critical = onPath.has(`compute:${i}`);
      bars.push({
        classes: ["compute", ...(critical ? ["critical"] : [])],
        lane,
        row: 0,
        start: c.start,
        end: c.end,
        colour: colour(d),
        label: c.task,
        title: `${c.task} on ${d}${cluster === undefined ? "" : ` (${cluster})`}: ${formatSeconds(c.start)} – ${formatSeconds(c.end)} (${formatSeconds(c.end - c.start)}), ${formatFlops(c.flops)}${critical ? " · critical path" : ""}`,
        data: { "data-task": c.task, "data-device": d },
      });
    });
    for (const cls of ["intra", "inter"] as const) {
      const mine = transfers.map((x, i) => ({ x, i })).filter(({ x }) => x.from === d && x.cls === cls);
      if (mine.length === 0) continue;
      const packed = packRows(mine.map(({ x }) => x));
      const linkLane = lanes.length;
      lanes.push({ label: `→ ${LINK_NAME[cls]}`, device: d, kind: cls, rows: packed.rows });
      mine.forEach(({ x, i }, k) => {
        const critical = onPath.has(`transfer:${i}`);
        bars.push({
          classes: [
            "transfer",
            ...(x.collective === undefined ? [] : ["collective"]),
            ...(critical ? ["critical"] : []),
          ],
          lane: linkLane,
          row: packed.row[k]!,
          start: x.start,
          end: x.end,
          colour: colour(d),
          label: `→${x.to} ${formatBytes(x.bytes)}`,
          title: transferTitle(x, collectives, critical),
          data: { "data-transfer": String(x.id), "data-from": x.from, "data-to": x.to },
        });
      });
    }
  }

  const out: string[] = [];
  const makespan = sim.cost.makespan;
  const maxBars = Math.max(1, opts.maxBars ?? 2500);
  const plotW = width - LEFT - RIGHT;
  const dense = bars.length > maxBars ? denseBars(lanes, bars, makespan, plotW, maxBars) : undefined;
  const title = opts.title ?? "Timeline";
  const sub = `simulated makespan ${formatSeconds(makespan)} · ${devices.length} device${devices.length === 1 ? "" : "s"} · ${compute.length} task${compute.length === 1 ? "" : "s"} · ${transfers.length} transfer${transfers.length === 1 ? "" : "s"} · ${sim.pricing} pricing${dense === undefined ? "" : ` · items less than ${dense.gap} px apart merged into busy spans`}`;
  const body: string[] = [];
  let y = 64;
  y = chart(body, {
    top: y,
    width,
    heading: "simulated",
    end: makespan,
    endLabel: "makespan",
    lanes: dense?.lanes ?? lanes,
    bars: dense?.bars ?? bars,
    path: path.map((p) => ({ lane: laneOf(p.kind, p.index), start: p.interval.start, end: p.interval.end })),
  });

  if (opts.measured !== undefined) {
    const m = opts.measured.compute;
    const mDevices = [...devices, ...new Set(m.map((c) => c.device).filter((d) => !devices.includes(d)))];
    const mLanes: Lane[] = mDevices.map((d) => ({
      label: d,
      device: sim.timeline.devices[d] ?? "",
      kind: "compute",
      rows: 1,
    }));
    const mBars: Bar[] = m.map((c) => ({
      classes: ["measured"],
      lane: mDevices.indexOf(c.device),
      row: 0,
      start: c.start,
      end: c.end,
      colour: colour(c.device),
      label: c.task,
      title: `${c.task} on ${c.device}, measured: ${formatSeconds(c.start)} – ${formatSeconds(c.end)} (${formatSeconds(c.end - c.start)})`,
      data: { "data-task": c.task, "data-device": c.device },
    }));
    const mEnd = m.reduce((e, c) => Math.max(e, c.end), 0);
    const mDense = mBars.length > maxBars ? denseBars(mLanes, mBars, mEnd, plotW, maxBars) : undefined;
    y = chart(body, {
      top: y + 28,
      width,
      heading: `measured (run took ${formatSeconds(mEnd)}; simulated ${formatSeconds(makespan)})`,
      end: mEnd,
      endLabel: "end",
      lanes: mDense?.lanes ?? mLanes,
      bars: mDense?.bars ?? mBars,
      path: [],
    });
  }

  const legend = legendRows(devices, sim, path.length, width, dense !== undefined);
  const height = y + 24 + legend.height;
  out.push(
    `<svg ${svgAttrs({ xmlns: "http://www.w3.org/2000/svg", width, height, viewBox: `0 0 ${px(width)} ${px(height)}`, "font-family": FONT, "font-size": 12 })}>`,
  );
  out.push(`<title>${xmlText(title)}</title>`);
  out.push(
    `<defs><pattern ${svgAttrs({ id: "tl-hatch", patternUnits: "userSpaceOnUse", width: 6, height: 6, patternTransform: "rotate(45)" })}><line ${svgAttrs({ x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#333333", "stroke-width": 1.4, "stroke-opacity": 0.55 })}/></pattern></defs>`,
  );
  out.push(`<rect ${svgAttrs({ class: "background", x: 0, y: 0, width, height, fill: "#ffffff" })}/>`);
  out.push(
    `<text ${svgAttrs({ class: "title", x: 12, y: 24, "font-size": 16, "font-weight": "bold" })}>${xmlText(capText(title, 90))}</text>`,
  );
  out.push(`<text ${svgAttrs({ class: "subtitle", x: 12, y: 44, fill: "#555555" })}>${xmlText(sub)}</text>`);
  out.push(...body);
  out.push(...legend.draw(y + 24));
  out.push("</svg>");
  return `${out.join("\n")}\n`;

  function laneOf(kind: "compute" | "transfer", index: number): number {
    const [lane, device] =
      kind === "compute"
        ? (["compute", compute[index]!.device] as const)
        : ([transfers[index]!.cls, transfers[index]!.from] as const);
    return lanes.findIndex((l) => l.kind === lane && (l.kind === "compute" ? l.label : l.device) === device);
  }
}

/** Seconds of `intervals` (sorted by start) covered at least once. */
function covered(intervals: readonly Bar[]): number {
  let [total, from, to] = [0, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (const b of intervals) {
    if (b.start > to) {
      total += Math.max(0, to - from);
      [from, to] = [b.start, b.end];
    } else to = Math.max(to, b.end);
  }
  return total + Math.max(0, to - from);
}

/** A run of bars of one lane drawn as one busy span. */
function spanBar(lane: Lane, run: readonly Bar[]): Bar {
  const first = run[0]!;
  const start = first.start;
  const end = Math.max(...run.map((b) => b.end));
  const busy = covered(run);
  const share = end > start ? busy / (end - start) : 1;
  const what = lane.kind === "compute" ? "task" : "transfer";
  const device = lane.kind === "compute" ? lane.label : lane.device;
  const where = lane.kind === "compute" ? `on ${device}` : `sent by ${device} over ${LINK_NAME[lane.kind]}s`;
  const names = run.map((b) => b.data["data-task"] ?? `#${b.data["data-transfer"]}`);
  const listed = `${names.slice(0, 3).join(", ")}${names.length > 3 ? `, … ${names.at(-1)}` : ""}`;
  return {
    classes: ["span"],
    lane: first.lane,
    row: 0,
    start,
    end,
    colour: first.colour,
    label: `${run.length} ${what}s`,
    title: `${run.length} ${what}s ${where} (${listed}): ${formatSeconds(start)} – ${formatSeconds(end)}, busy ${formatSeconds(busy)} (${Math.round(share * 100)}%)`,
    data: { "data-kind": lane.kind, "data-device": device, "data-count": String(run.length) },
    opacity: Math.round((0.35 + 0.65 * share) * 100) / 100,
  };
}

/**
 * A dense chart's bars: each lane's bars (a link lane's in one row) merged into busy spans
 * wherever less than `gap` pixels apart, the gap doubling from 1 px until at most `maxBars`
 * spans are left (or it reaches 64 px); a span of one bar stays that bar. Critical bars are
 * not merged: they are kept as they are, after the spans, so that they are drawn on top.
 */
function denseBars(
  lanes: readonly Lane[],
  bars: readonly Bar[],
  end: number,
  plotW: number,
  maxBars: number,
): { lanes: Lane[]; bars: Bar[]; gap: number } {
  const seconds = (end > 0 ? end : 1e-9) / plotW;
  const byLane = lanes.map((): Bar[] => []);
  const critical: Bar[] = [];
  for (const b of bars) (b.classes.includes("critical") ? critical : byLane[b.lane]!).push({ ...b, row: 0 });
  for (const list of byLane) list.sort((a, b) => a.start - b.start || a.end - b.end);
  const merge = (gap: number): Bar[] =>
    byLane.flatMap((list, k) => {
      const out: Bar[] = [];
      let run: Bar[] = [];
      let reach = Number.NEGATIVE_INFINITY;
      const close = () => {
        if (run.length === 1) out.push(run[0]!);
        else if (run.length > 1) out.push(spanBar(lanes[k]!, run));
        run = [];
      };
      for (const b of list) {
        if (run.length > 0 && b.start - reach >= gap * seconds) close();
        run.push(b);
        reach = run.length === 1 ? b.end : Math.max(reach, b.end);
      }
      close();
      return out;
    });
  let gap = 1;
  let merged = merge(gap);
  while (merged.length > maxBars && gap < 64) {
    gap *= 2;
    merged = merge(gap);
  }
  return {
    lanes: lanes.map((l) => (l.kind === "compute" ? l : { ...l, rows: 1 })),
    bars: [...merged, ...critical],
    gap,
  };
}

function transferTitle(
  x: TransferInterval,
  collectives: Simulation["timeline"]["collectives"],
  critical: boolean,
) {
  const c = x.collective === undefined ? undefined : collectives[x.collective];
  const part = c === undefined ? "" : ` · part of ${c.kind} over ${c.devices.join(", ")} (${c.pricing})`;
  return `transfer ${x.id}: ${x.tensor} ${x.from} → ${x.to} (${x.cls}-host), ${formatBytes(x.bytes)}: ${formatSeconds(x.start)} – ${formatSeconds(x.end)} (${formatSeconds(x.end - x.start)})${part}${critical ? " · critical path" : ""}`;
}

interface ChartSpec {
  readonly top: number;
  readonly width: number;
  readonly heading: string;
  readonly end: number;
  readonly endLabel: string;
  readonly lanes: readonly Lane[];
  readonly bars: readonly Bar[];
  /** Critical items in order, to join with connectors. */
  readonly path: readonly { lane: number; start: number; end: number }[];
}

/** Draws one chart (heading, axis, lanes, bars) into `out` from `top`; returns its bottom. */
function chart(out: string[], spec: ChartSpec): number {
  const { lanes, bars } = spec;
  const plotW = spec.width - LEFT - RIGHT;
  const end = spec.end > 0 ? spec.end : 1e-9;
  const X = (t: number) => LEFT + (t / end) * plotW;
  const laneH = (l: Lane) => (l.kind === "compute" ? COMPUTE_H : l.rows * ROW_H + 4);
  const lanesTop = spec.top + 38;
  const laneTop: number[] = [];
  let y = lanesTop;
  for (const l of lanes) {
    laneTop.push(y);
    y += laneH(l) + (l.kind === "compute" ? 4 : 2);
  }
  const bottom = y;
  out.push(`<g class="chart" data-chart="${xmlText(spec.heading.split(" ")[0]!)}">`);
  out.push(
    `<text ${svgAttrs({ class: "chart-heading", x: 12, y: spec.top + 12, "font-weight": "bold" })}>${xmlText(spec.heading)}</text>`,
  );

  // Lanes: a shaded band per device (its compute lane and link lanes), labels on the left.
  let band = -1;
  lanes.forEach((l, k) => {
    if (l.kind === "compute") band++;
    const next = lanes[k + 1];
    const h = (next === undefined ? bottom : laneTop[k + 1]!) - laneTop[k]!;
    if (band % 2 === 1)
      out.push(
        `<rect ${svgAttrs({ x: 4, y: laneTop[k]! - 2, width: spec.width - 8, height: h, fill: "#f4f4f4" })}/>`,
      );
    const mid = laneTop[k]! + laneH(l) / 2 + 4;
    const label =
      l.kind === "compute"
        ? `<tspan font-weight="bold">${xmlText(capText(l.label, 10))}</tspan>${l.device === "" ? "" : `<tspan dx="5" fill="#777777" font-size="10">${xmlText(capText(l.device, 10))}</tspan>`}`
        : xmlText(l.label);
    out.push(
      `<text ${svgAttrs({ class: "lane", "data-kind": l.kind, "data-device": l.kind === "compute" ? l.label : l.device, x: LEFT - 8, y: l.kind === "compute" ? mid : laneTop[k]! + 12, "text-anchor": "end", "font-size": l.kind === "compute" ? 12 : 10, fill: l.kind === "compute" ? "#222222" : "#666666" })}>${label}</text>`,
    );
  });

  // The time axis: 1-2-5 ticks with grid lines through the lanes, and the end marked.
  out.push(`<g class="axis">`);
  const axisY = lanesTop - 8;
  out.push(
    `<line ${svgAttrs({ x1: X(0), y1: axisY, x2: X(end), y2: axisY, stroke: "#333333", "stroke-width": 1 })}/>`,
  );
  const endText = `${spec.endLabel} ${formatSeconds(spec.end)}`;
  const endW = endText.length * 6.2;
  for (const t of niceTicks(end, Math.floor(plotW / 90))) {
    const x = X(t);
    out.push(
      `<line ${svgAttrs({ class: "grid", x1: x, y1: axisY, x2: x, y2: bottom, stroke: "#000000", "stroke-opacity": 0.08 })}/>`,
    );
    out.push(
      `<line ${svgAttrs({ class: "tick", x1: x, y1: axisY - 4, x2: x, y2: axisY, stroke: "#333333" })}/>`,
    );
    // Labels that would collide with the end label are left out.
    if (x + 30 < X(end) - endW)
      out.push(
        `<text ${svgAttrs({ class: "tick-label", x, y: axisY - 7, "text-anchor": "middle", "font-size": 11 })}>${xmlText(formatSeconds(t))}</text>`,
      );
  }
  out.push(
    `<line ${svgAttrs({ class: "end-line", x1: X(end), y1: axisY - 4, x2: X(end), y2: bottom, stroke: "#333333", "stroke-dasharray": "4 3" })}/>`,
  );
  out.push(
    `<text ${svgAttrs({ class: "end-label", x: X(end), y: axisY - 7, "text-anchor": "end", "font-size": 11, "font-weight": "bold" })}>${xmlText(endText)}</text>`,
  );
  out.push("</g>");

  out.push(`<g class="bars">`);
  for (const b of bars) {
    const l = lanes[b.lane]!;
    const compute = l.kind === "compute";
    const x = X(b.start);
    const w = Math.max(1, X(b.end) - x);
    const by = compute ? laneTop[b.lane]! : laneTop[b.lane]! + 2 + b.row * ROW_H;
    const h = compute ? COMPUTE_H : ROW_H - 2;
    const critical = b.classes.includes("critical");
    const fill = compute ? b.colour.fill : lighten(b.colour.stroke, 0.22);
    const rect = {
      x,
      y: by,
      width: w,
      height: h,
      fill,
      "fill-opacity": b.opacity,
      stroke: critical ? CRITICAL : b.colour.stroke,
    };
    out.push(
      `<rect ${svgAttrs({ class: b.classes.join(" "), ...b.data, ...rect, "stroke-width": critical ? 2.2 : 0.8 })}><title>${xmlText(b.title)}</title></rect>`,
    );
    if (b.classes.includes("collective"))
      out.push(
        `<rect ${svgAttrs({ x, y: by, width: w, height: h, fill: "url(#tl-hatch)", "pointer-events": "none" })}/>`,
      );
    const size = compute ? 11 : 10;
    const text = b.label;
    if (w >= text.length * size * 0.6 + 6)
      out.push(
        `<text ${svgAttrs({ class: "bar-label", x: x + w / 2, y: by + h / 2 + size * 0.36, "text-anchor": "middle", "font-size": size, fill: "#222222", stroke: fill, "stroke-width": 3, "paint-order": "stroke", "pointer-events": "none" })}>${xmlText(text)}</text>`,
      );
  }
  out.push("</g>");

  // Connectors between consecutive critical items: where one ends the next begins.
  if (spec.path.length > 1) {
    const mid = (k: number) => {
      const l = lanes[spec.path[k]!.lane]!;
      return laneTop[spec.path[k]!.lane]! + laneH(l) / 2;
    };
    const d = spec.path
      .slice(1)
      .map((p, k) =>
        spec.path[k]!.lane === p.lane ? "" : `M${px(X(p.start))} ${px(mid(k))}V${px(mid(k + 1))}`,
      )
      .join("");
    if (d !== "")
      out.push(
        `<path ${svgAttrs({ class: "critical-link", d, stroke: CRITICAL, "stroke-width": 1.2, "stroke-dasharray": "3 2", fill: "none", "pointer-events": "none" })}/>`,
      );
  }
  out.push("</g>");
  return bottom;
}

/** The legend: device swatches in a row, then what the marks mean. */
function legendRows(
  devices: readonly string[],
  sim: Simulation,
  critical: number,
  width: number,
  dense: boolean,
) {
  const palette = devicePalette(devices);
  const perRow = Math.max(1, Math.floor((width - 24) / 150));
  const deviceRows = Math.ceil(devices.length / perRow);
  const height = deviceRows * 22 + (dense ? 4 : 3) * 22 + 4;
  const draw = (top: number): string[] => {
    const out = [`<g class="legend">`];
    devices.forEach((d, k) => {
      const [x, y] = [12 + (k % perRow) * 150, top + Math.floor(k / perRow) * 22];
      const c = palette.get(d)!;
      const cluster = sim.timeline.devices[d];
      out.push(
        `<rect ${svgAttrs({ class: "legend-device", "data-device": d, x, y, width: 26, height: 14, fill: c.fill, stroke: c.stroke })}/><rect ${svgAttrs({ x: x + 30, y: y + 3, width: 14, height: 8, fill: lighten(c.stroke, 0.22), stroke: c.stroke, "stroke-width": 0.8 })}/><text ${svgAttrs({ x: x + 50, y: y + 11 })}>${xmlText(capText(cluster === undefined ? d : `${d} (${cluster})`, 16))}</text>`,
      );
    });
    let y = top + deviceRows * 22;
    const row = (swatch: string, text: string) => {
      out.push(`${swatch}<text ${svgAttrs({ x: 48, y: y + 11 })}>${xmlText(text)}</text>`);
      y += 22;
    };
    row(
      `<rect ${svgAttrs({ x: 12, y, width: 26, height: 14, fill: "#dddddd", stroke: "#6b6b6b" })}/>`,
      "task (device lane, labelled with its id) · lighter bar: transfer sent over a link (→ receiver, bytes)",
    );
    row(
      `<rect ${svgAttrs({ x: 12, y, width: 26, height: 14, fill: "url(#tl-hatch)", stroke: "#6b6b6b" })}/>`,
      `hatched: transfer of a recognised collective${sim.timeline.collectives.length === 0 ? " (none in this plan)" : ` (${sim.timeline.collectives.map((c) => c.kind).join(", ")})`}`,
    );
    if (dense)
      row(
        `<rect ${svgAttrs({ x: 12, y, width: 26, height: 14, fill: "#dddddd", "fill-opacity": 0.5, stroke: "#6b6b6b", "stroke-width": 0.8 })}/>`,
        "busy span: items too close to draw apart, merged (hover for how many); paler where idle inside",
      );
    row(
      `<rect ${svgAttrs({ x: 12, y, width: 26, height: 14, fill: "#ffffff", stroke: CRITICAL, "stroke-width": 2.2 })}/>`,
      critical === 0
        ? "critical path: not shown (pass the task graph to trace it)"
        : `black outline: critical path, ${critical} item${critical === 1 ? "" : "s"} from start to makespan (dashed: hand-offs)`,
    );
    out.push("</g>");
    return out;
  };
  return { height, draw };
}
