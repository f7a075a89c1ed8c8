import type { CostVector } from "../cost/simulation.js";
import { FONT } from "./dot-syntax.js";
import { capText } from "./label-text.js";
import { type AxisUnit, axisFraction, formatAxisValue, type PlotAxis, plotAxis } from "./plot-axis.js";
import { px, svgAttrs, xmlText } from "./svg-text.js";
import { formatBytes, formatSeconds } from "./units.js";

/** One plan on the Pareto plot. */
export interface ParetoPoint {
  /** The point's key in the picture (`data-plan`), e.g. the plan's position in a report. */
  readonly id: string;
  readonly name: string;
  /** Front plans are circles, baselines squares, the ILP optimum a diamond. */
  readonly role: "front" | "baseline" | "optimum";
  readonly cost: CostVector;
  readonly chosen?: boolean;
}

/** What `paretoSvg` draws besides the points. */
export interface ParetoSvgOptions {
  /** The makespan no plan can beat: a dashed line, the region left of it shaded. */
  readonly lowerBound?: { readonly seconds: number; readonly why?: string };
  /** The smallest device memory: a line marks it when some plan comes near or over it. */
  readonly memoryCapacity?: number;
  /** Size of the picture in pixels (default 820 × 480). */
  readonly width?: number;
  readonly height?: number;
  readonly title?: string;
}

// Viridis, light to dark: little traffic is light, much is dark.
const TRAFFIC_STOPS = ["#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"];
const INFEASIBLE = "#d62728";
const MARGIN = { left: 86, right: 236, top: 64, bottom: 58 };
/** Front plans labelled by name up to this many; beyond it only the chosen one is. */
const LABEL_FRONT = 8;

/** Bytes a plan moves over all link classes. */
export function trafficOf(cost: CostVector): number {
  return cost.bytesByLinkClass.intra + cost.bytesByLinkClass.inter;
}

function mix(a: string, b: string, t: number): string {
  const ca = Number.parseInt(a.slice(1), 16);
  const cb = Number.parseInt(b.slice(1), 16);
  const ch = (n: number, s: number) => (n >> s) & 255;
  const c = [16, 8, 0].map((s) => Math.round(ch(ca, s) + (ch(cb, s) - ch(ca, s)) * t));
  return `#${c.map((v) => v.toString(16).padStart(2, "0")).join("")}`;
}

/** The colour of traffic fraction `t` in [0, 1] on the light-to-dark scale. */
export function trafficColour(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (TRAFFIC_STOPS.length - 1);
  const k = Math.min(TRAFFIC_STOPS.length - 2, Math.floor(x));
  return mix(TRAFFIC_STOPS[k]!, TRAFFIC_STOPS[k + 1]!, x - k);
}

/** The points' tooltip: every objective in readable units. */
export function pointSummary(p: ParetoPoint): string {
  const c = p.cost;
  const roles = { front: "front plan", baseline: "baseline", optimum: "ILP optimum" } as const;
  return [
    `${p.name} (${roles[p.role]}${p.chosen === true ? ", chosen" : ""})`,
    `makespan ${formatSeconds(c.makespan)}`,
    `peak memory ${formatBytes(c.maxPeakMemory)}`,
    `traffic ${formatBytes(trafficOf(c))} (intra-host ${formatBytes(c.bytesByLinkClass.intra)}, inter-host ${formatBytes(c.bytesByLinkClass.inter)})`,
    `${c.devicesUsed} device${c.devicesUsed === 1 ? "" : "s"} used`,
    c.feasible ? "feasible" : "INFEASIBLE: over device memory",
  ].join(" · ");
}

/** The front points no other front point beats in both makespan and memory, by makespan. */
function staircase(points: readonly ParetoPoint[]): ParetoPoint[] {
  const sorted = [...points].sort(
    (a, b) => a.cost.makespan - b.cost.makespan || a.cost.maxPeakMemory - b.cost.maxPeakMemory,
  );
  const out: ParetoPoint[] = [];
  for (const p of sorted) if (out.every((q) => p.cost.maxPeakMemory < q.cost.maxPeakMemory)) out.push(p);
  return out;
}

interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/**
 * The Pareto plot of a search as a standalone SVG: makespan across, peak memory (the largest
 * device's) up, each axis linear or, when values span more than 30×, logarithmic, with ticks in
 * readable units and grid lines. Front plans are circles, baselines squares, the ILP optimum a
 * diamond, all filled by the bytes they move (a light-to-dark scale with a colour bar); an
 * infeasible plan has a dashed red outline, the chosen one a ring. A step line joins the front
 * plans no other beats in both drawn objectives; the lower bound is a dashed vertical line with
 * the impossible region left of it shaded, and device memory a horizontal line when a plan
 * comes near it. Each point is a `<g class="point …" data-plan="id">` with a `<title>` tooltip
 * giving every objective, focusable for a page's script to select.
 *
 * Example: `paretoSvg([{ id: "0", name: "front-1", role: "front", cost, chosen: true }], { lowerBound: { seconds: 5e-6 } })`.
 */
export function paretoSvg(points: readonly ParetoPoint[], opts: ParetoSvgOptions = {}): string {
  const width = Math.max(560, opts.width ?? 820);
  const height = Math.max(340, opts.height ?? 480);
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const lb = opts.lowerBound;
  const capacity = opts.memoryCapacity;
  const memories = points.map((p) => p.cost.maxPeakMemory);
  const nearCapacity =
    capacity !== undefined &&
    (points.some((p) => !p.cost.feasible) || Math.max(0, ...memories) >= capacity * 0.5);
  // The bound joins the axis only when it would not squeeze the points into a corner; else it
  // is marked at the left edge with its value.
  const makespans = points.map((p) => p.cost.makespan);
  const boundOnAxis =
    lb !== undefined && lb.seconds >= 0.6 * Math.min(...makespans, Number.POSITIVE_INFINITY);
  const xAxis = plotAxis([...makespans, ...(boundOnAxis ? [lb.seconds] : [])], "seconds");
  const yAxis = plotAxis([...memories, ...(nearCapacity ? [capacity] : [])], "bytes");
  const X = (v: number) => MARGIN.left + axisFraction(xAxis, v) * plotW;
  const Y = (v: number) => MARGIN.top + plotH - axisFraction(yAxis, v) * plotH;
  const traffic = points.map((p) => trafficOf(p.cost));
  const [tMin, tMax] = [Math.min(...traffic, Number.POSITIVE_INFINITY), Math.max(...traffic, 0)];
  const tFraction = (v: number) => (tMax > tMin ? (v - tMin) / (tMax - tMin) : 0.5);

  const out: string[] = [];
  out.push(
    `<svg ${svgAttrs({ xmlns: "http://www.w3.org/2000/svg", class: "pareto", width, height, viewBox: `0 0 ${width} ${height}`, "font-family": FONT, "font-size": 12 })}>`,
  );
  const title = opts.title ?? "Pareto front: makespan × peak memory × traffic";
  out.push(`<title>${xmlText(title)}</title>`);
  out.push(
    `<defs><linearGradient ${svgAttrs({ id: "pareto-traffic", x1: 0, y1: 0, x2: 1, y2: 0 })}>${TRAFFIC_STOPS.map((c, k) => `<stop ${svgAttrs({ offset: k / (TRAFFIC_STOPS.length - 1), "stop-color": c })}/>`).join("")}</linearGradient><pattern ${svgAttrs({ id: "pareto-impossible", patternUnits: "userSpaceOnUse", width: 8, height: 8, patternTransform: "rotate(45)" })}><line ${svgAttrs({ x1: 0, y1: 0, x2: 0, y2: 8, stroke: "#9a9a9a", "stroke-width": 1, "stroke-opacity": 0.5 })}/></pattern></defs>`,
  );
  out.push(`<rect ${svgAttrs({ class: "background", x: 0, y: 0, width, height, fill: "#ffffff" })}/>`);
  const counts = (["front", "baseline", "optimum"] as const)
    .map((r) => [r, points.filter((p) => p.role === r).length] as const)
    .filter(([, n]) => n > 0)
    .map(
      ([r, n]) =>
        `${n} ${r === "front" ? "front plan" : r === "baseline" ? "baseline" : "ILP optimum"}${n === 1 || r === "optimum" ? "" : "s"}`,
    );
  out.push(
    `<text ${svgAttrs({ class: "title", x: 12, y: 24, "font-size": 16, "font-weight": "bold" })}>${xmlText(capText(title, 100))}</text>`,
  );
  out.push(
    `<text ${svgAttrs({ class: "subtitle", x: 12, y: 44, fill: "#555555" })}>${xmlText(`${counts.join(" · ")}${lb === undefined ? "" : ` · lower bound ${formatSeconds(lb.seconds)}`}`)}</text>`,
  );

  // Plot frame, grid and ticks.
  const [left, right, top, bottom] = [MARGIN.left, MARGIN.left + plotW, MARGIN.top, MARGIN.top + plotH];
  out.push(`<g class="axes">`);
  out.push(
    `<rect ${svgAttrs({ class: "plot-area", x: left, y: top, width: plotW, height: plotH, fill: "#fcfcfc", stroke: "#bbbbbb" })}/>`,
  );
  axisMarks(out, xAxis, "x", X, { left, right, top, bottom });
  axisMarks(out, yAxis, "y", Y, { left, right, top, bottom });
  const scaleNote = (a: PlotAxis) => (a.scale === "log" ? " (log scale)" : "");
  out.push(
    `<text ${svgAttrs({ class: "axis-title", "data-axis": "x", x: left + plotW / 2, y: bottom + 44, "text-anchor": "middle", fill: "#333333" })}>${xmlText(`makespan (simulated)${scaleNote(xAxis)} →`)}</text>`,
  );
  const [ax, ay] = [18, top + plotH / 2];
  out.push(
    `<text ${svgAttrs({ class: "axis-title", "data-axis": "y", x: ax, y: ay, transform: `rotate(-90 ${px(ax)} ${px(ay)})`, "text-anchor": "middle", fill: "#333333" })}>${xmlText(`peak memory, largest device${scaleNote(yAxis)} →`)}</text>`,
  );
  out.push("</g>");

  if (lb !== undefined && !boundOnAxis) {
    out.push(`<g class="lower-bound off-axis" data-seconds="${lb.seconds}">`);
    out.push(
      `<path ${svgAttrs({ d: `M${px(left + 3)} ${px(top + 12)}l8 -5v10z`, fill: "#333333" })}/><text ${svgAttrs({ class: "lower-bound-label", x: left + 15, y: top + 16, fill: "#333333", "font-size": 11 })}>${xmlText(`lower bound ${formatSeconds(lb.seconds)} (off the axis, to the left)`)}</text>`,
    );
    out.push("</g>");
  } else if (lb !== undefined) {
    const x = Math.min(right, Math.max(left, X(lb.seconds)));
    out.push(`<g class="lower-bound" data-seconds="${lb.seconds}">`);
    if (x > left + 0.5)
      out.push(
        `<rect ${svgAttrs({ class: "impossible", x: left, y: top, width: x - left, height: plotH, fill: "url(#pareto-impossible)" })}><title>${xmlText(`no plan can finish before the lower bound, ${formatSeconds(lb.seconds)}`)}</title></rect>`,
      );
    out.push(
      `<line ${svgAttrs({ x1: x, y1: top, x2: x, y2: bottom, stroke: "#333333", "stroke-width": 1.4, "stroke-dasharray": "6 4" })}/>`,
    );
    out.push(
      `<text ${svgAttrs({ class: "lower-bound-label", x: x + 4, y: top + 14, fill: "#333333", "font-size": 11 })}>${xmlText(`lower bound ${formatSeconds(lb.seconds)}`)}</text>`,
    );
    out.push("</g>");
  }
  if (capacity !== undefined && nearCapacity && Y(capacity) >= top - 0.5) {
    const y = Y(capacity);
    out.push(`<g class="capacity" data-bytes="${capacity}">`);
    out.push(
      `<line ${svgAttrs({ x1: left, y1: y, x2: right, y2: y, stroke: INFEASIBLE, "stroke-width": 1.2, "stroke-dasharray": "2 3" })}/>`,
    );
    out.push(
      `<text ${svgAttrs({ x: right - 4, y: y - 4, "text-anchor": "end", fill: INFEASIBLE, "font-size": 11 })}>${xmlText(`device memory ${formatBytes(capacity)}`)}</text>`,
    );
    out.push("</g>");
  }

  const front = points.filter((p) => p.role === "front");
  const stairs = staircase(front);
  if (stairs.length > 1) {
    const d = stairs
      .map((p, k) =>
        k === 0
          ? `M${px(X(p.cost.makespan))} ${px(Y(p.cost.maxPeakMemory))}`
          : `H${px(X(p.cost.makespan))}V${px(Y(p.cost.maxPeakMemory))}`,
      )
      .join("");
    out.push(
      `<path ${svgAttrs({ class: "front-line", d, fill: "none", stroke: "#777777", "stroke-width": 1.2, "pointer-events": "none" })}/>`,
    );
  }

  // Baselines first, then the optimum and the front on top: a front plan equal to a baseline
  // stays clickable, and the baseline's square still shows around it.
  const order = { baseline: 0, optimum: 1, front: 2 } as const;
  const drawn = [...points].sort((a, b) => order[a.role] - order[b.role]);
  const taken: Box[] = points.map((p) => {
    const [x, y] = [X(p.cost.makespan), Y(p.cost.maxPeakMemory)];
    return { x0: x - 7, y0: y - 7, x1: x + 7, y1: y + 7 };
  });
  out.push(`<g class="points">`);
  for (const p of drawn) {
    const [x, y] = [X(p.cost.makespan), Y(p.cost.maxPeakMemory)];
    const fill = trafficColour(tFraction(trafficOf(p.cost)));
    const classes = [
      "point",
      p.role,
      ...(p.chosen === true ? ["chosen"] : []),
      ...(p.cost.feasible ? [] : ["infeasible"]),
    ];
    const stroke = p.cost.feasible
      ? { stroke: "#222222", "stroke-width": 1.2 }
      : { stroke: INFEASIBLE, "stroke-width": 2.2, "stroke-dasharray": "3 2" };
    out.push(
      `<g ${svgAttrs({ class: classes.join(" "), "data-plan": p.id, "data-name": p.name, tabindex: 0, role: "button", "aria-label": pointSummary(p), cursor: "pointer" })}>`,
    );
    out.push(`<title>${xmlText(pointSummary(p))}</title>`);
    if (p.chosen === true)
      out.push(
        `<circle ${svgAttrs({ class: "chosen-ring", cx: x, cy: y, r: 12.5, fill: "none", stroke: "#111111", "stroke-width": 1.6 })}/>`,
      );
    const shape = { class: "mark", fill, ...stroke };
    if (p.role === "front") out.push(`<circle ${svgAttrs({ ...shape, cx: x, cy: y, r: 7 })}/>`);
    else if (p.role === "baseline")
      out.push(`<rect ${svgAttrs({ ...shape, x: x - 6.5, y: y - 6.5, width: 13, height: 13 })}/>`);
    else
      out.push(
        `<path ${svgAttrs({ ...shape, d: `M${px(x)} ${px(y - 9)}L${px(x + 9)} ${px(y)}L${px(x)} ${px(y + 9)}L${px(x - 9)} ${px(y)}Z` })}/>`,
      );
    out.push("</g>");
  }
  out.push("</g>");

  // Labels: baselines, the optimum and the chosen plan always; front plans when few. Each goes
  // to the first side of its point where it overlaps no other label or point.
  const labelled = [...points]
    .filter((p) => p.role !== "front" || p.chosen === true || front.length <= LABEL_FRONT)
    .sort((a, b) => Number(b.chosen === true) - Number(a.chosen === true));
  out.push(`<g class="point-labels">`);
  for (const p of labelled) {
    const [x, y] = [X(p.cost.makespan), Y(p.cost.maxPeakMemory)];
    const text = capText(p.chosen === true ? `${p.name} (chosen)` : p.name, 28);
    const w = text.length * 6.4;
    const sides = [
      { x: x + 15, y: y + 4, anchor: "start", box: { x0: x + 14, y0: y - 8, x1: x + 16 + w, y1: y + 6 } },
      { x: x - 15, y: y + 4, anchor: "end", box: { x0: x - 16 - w, y0: y - 8, x1: x - 14, y1: y + 6 } },
      { x, y: y - 16, anchor: "middle", box: { x0: x - w / 2, y0: y - 28, x1: x + w / 2, y1: y - 13 } },
      { x, y: y + 26, anchor: "middle", box: { x0: x - w / 2, y0: y + 14, x1: x + w / 2, y1: y + 29 } },
    ];
    const inside = (b: Box) =>
      b.x0 >= 0 && b.x1 <= right + MARGIN.right / 2 && b.y0 >= top - 4 && b.y1 <= bottom + 4;
    const side = sides.find((s) => inside(s.box) && !taken.some((t) => overlaps(t, s.box))) ?? sides[0]!;
    taken.push(side.box);
    out.push(
      `<text ${svgAttrs({ class: "point-label", "data-plan": p.id, x: side.x, y: side.y, "text-anchor": side.anchor, "font-size": 11, fill: "#222222", stroke: "#ffffff", "stroke-width": 3, "paint-order": "stroke", "pointer-events": "none", "font-weight": p.chosen === true ? "bold" : undefined })}>${xmlText(text)}</text>`,
    );
  }
  out.push("</g>");

  out.push(...legend(points, { x: right + 24, y: top }, [tMin, tMax], lb !== undefined));
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

/** Grid lines, ticks and tick labels of one axis. */
function axisMarks(
  out: string[],
  axis: PlotAxis,
  which: "x" | "y",
  pos: (v: number) => number,
  frame: { left: number; right: number; top: number; bottom: number },
): void {
  let lastEnd = Number.NEGATIVE_INFINITY;
  for (const t of axis.ticks) {
    const at = pos(t);
    const label = formatAxisValue(axis.unit as AxisUnit, t);
    if (which === "x") {
      out.push(
        `<line ${svgAttrs({ class: "grid", x1: at, y1: frame.top, x2: at, y2: frame.bottom, stroke: "#000000", "stroke-opacity": 0.07 })}/>`,
      );
      out.push(
        `<line ${svgAttrs({ class: "tick", "data-axis": "x", "data-value": String(t), x1: at, y1: frame.bottom, x2: at, y2: frame.bottom + 5, stroke: "#333333" })}/>`,
      );
      // Labels that would overlap the previous one are left out (the tick stays).
      const half = label.length * 3.3;
      if (at - half > lastEnd + 4) {
        out.push(
          `<text ${svgAttrs({ class: "tick-label", "data-axis": "x", x: at, y: frame.bottom + 19, "text-anchor": "middle", "font-size": 11 })}>${xmlText(label)}</text>`,
        );
        lastEnd = at + half;
      }
    } else {
      out.push(
        `<line ${svgAttrs({ class: "grid", x1: frame.left, y1: at, x2: frame.right, y2: at, stroke: "#000000", "stroke-opacity": 0.07 })}/>`,
      );
      out.push(
        `<line ${svgAttrs({ class: "tick", "data-axis": "y", "data-value": String(t), x1: frame.left - 5, y1: at, x2: frame.left, y2: at, stroke: "#333333" })}/>`,
      );
      out.push(
        `<text ${svgAttrs({ class: "tick-label", "data-axis": "y", x: frame.left - 8, y: at + 4, "text-anchor": "end", "font-size": 11 })}>${xmlText(label)}</text>`,
      );
    }
  }
}

/** The legend: marker shapes, the chosen ring, infeasibility, the lower bound, the traffic colour bar. */
function legend(
  points: readonly ParetoPoint[],
  at: { x: number; y: number },
  [tMin, tMax]: [number, number],
  lowerBound: boolean,
): string[] {
  const out = [`<g class="legend">`];
  let y = at.y;
  const row = (mark: string, text: string) => {
    out.push(
      `<g class="legend-row">${mark}<text ${svgAttrs({ x: at.x + 26, y: y + 4 })}>${xmlText(text)}</text></g>`,
    );
    y += 22;
  };
  const [cx, grey] = [at.x + 9, "#c9c9c9"];
  const has = (f: (p: ParetoPoint) => boolean) => points.some(f);
  if (has((p) => p.role === "front"))
    row(`<circle ${svgAttrs({ cx, cy: y, r: 7, fill: grey, stroke: "#222222" })}/>`, "front plan");
  if (has((p) => p.role === "baseline"))
    row(
      `<rect ${svgAttrs({ x: cx - 6.5, y: y - 6.5, width: 13, height: 13, fill: grey, stroke: "#222222" })}/>`,
      "baseline",
    );
  if (has((p) => p.role === "optimum"))
    row(
      `<path ${svgAttrs({ d: `M${px(cx)} ${px(y - 9)}L${px(cx + 9)} ${px(y)}L${px(cx)} ${px(y + 9)}L${px(cx - 9)} ${px(y)}Z`, fill: grey, stroke: "#222222" })}/>`,
      "ILP optimum",
    );
  if (has((p) => p.chosen === true))
    row(
      `<circle ${svgAttrs({ cx, cy: y, r: 7, fill: grey, stroke: "#222222" })}/><circle ${svgAttrs({ cx, cy: y, r: 11, fill: "none", stroke: "#111111", "stroke-width": 1.6 })}/>`,
      "chosen plan",
    );
  if (has((p) => !p.cost.feasible))
    row(
      `<circle ${svgAttrs({ cx, cy: y, r: 7, fill: grey, stroke: INFEASIBLE, "stroke-width": 2.2, "stroke-dasharray": "3 2" })}/>`,
      "infeasible (over memory)",
    );
  if (has((p) => p.role === "front"))
    row(
      `<path ${svgAttrs({ d: `M${px(at.x)} ${px(y + 5)}H${px(at.x + 9)}V${px(y - 5)}H${px(at.x + 18)}`, fill: "none", stroke: "#777777", "stroke-width": 1.2 })}/>`,
      "front, in these two",
    );
  if (lowerBound)
    row(
      `<line ${svgAttrs({ x1: cx, y1: y - 8, x2: cx, y2: y + 8, stroke: "#333333", "stroke-width": 1.4, "stroke-dasharray": "6 4" })}/>`,
      "lower bound on makespan",
    );
  y += 8;
  out.push(
    `<text ${svgAttrs({ class: "colour-bar-title", x: at.x, y: y + 4, "font-weight": "bold" })}>traffic (bytes moved)</text>`,
  );
  y += 12;
  out.push(
    `<rect ${svgAttrs({ class: "colour-bar", x: at.x, y, width: 180, height: 12, fill: "url(#pareto-traffic)", stroke: "#888888", "stroke-width": 0.6 })}/>`,
  );
  const lo = Number.isFinite(tMin) ? tMin : 0;
  out.push(
    `<text ${svgAttrs({ class: "colour-bar-label", x: at.x, y: y + 26, "font-size": 11 })}>${xmlText(formatBytes(lo))}</text>`,
  );
  out.push(
    `<text ${svgAttrs({ class: "colour-bar-label", x: at.x + 180, y: y + 26, "font-size": 11, "text-anchor": "end" })}>${xmlText(formatBytes(tMax))}</text>`,
  );
  out.push("</g>");
  return out;
}
