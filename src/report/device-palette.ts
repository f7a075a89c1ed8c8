/** The colours of one device, shared by every picture so a device looks the same everywhere. */
export interface DeviceColour {
  /** Saturated colour: edges, outlines, hatching. */
  readonly stroke: string;
  /** Light colour: node and region fills, dark text stays readable on it. */
  readonly fill: string;
}

// Tableau 10: distinct hues that stay apart for common colour-vision deficiencies.
const BASE = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
];

function hex(r: number, g: number, b: number): string {
  return `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, "0")).join("")}`;
}

function rgbOf(colour: string): [number, number, number] {
  const n = Number.parseInt(colour.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** A hue for the k-th device past the base palette: golden-angle steps, mid saturation. */
function extraColour(k: number): string {
  const h = ((k * 137.508) % 360) / 60;
  const [s, l] = [0.55, 0.5];
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const x = c * (1 - Math.abs((h % 2) - 1));
  const [r, g, b] =
    h < 1
      ? [c, x, 0]
      : h < 2
        ? [x, c, 0]
        : h < 3
          ? [0, c, x]
          : h < 4
            ? [0, x, c]
            : h < 5
              ? [x, 0, c]
              : [c, 0, x];
  const m = l - c / 2;
  return hex((r + m) * 255, (g + m) * 255, (b + m) * 255);
}

/** The colour of the device at position `k` of a plan's device list: stable for a given order. */
export function deviceColour(k: number): DeviceColour {
  const stroke = BASE[k] ?? extraColour(k);
  const [r, g, b] = rgbOf(stroke);
  // Mix 40% colour with 60% white for fills.
  const fill = hex(255 - (255 - r) * 0.4, 255 - (255 - g) * 0.4, 255 - (255 - b) * 0.4);
  return { stroke, fill };
}

/** The colours of `devices`, keyed by name, in list order (the plan's `devices`). */
export function devicePalette(devices: readonly string[]): Map<string, DeviceColour> {
  return new Map(devices.map((d, k) => [d, deviceColour(k)]));
}

/** The colour for data not held by any one device (pre-distributed inputs, mixed aggregates). */
export const NEUTRAL: DeviceColour = { stroke: "#6b6b6b", fill: "#eeeeee" };
