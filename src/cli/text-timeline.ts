import type { Simulation } from "../cost/simulation.js";
import { formatSeconds } from "../report/units.js";

/**
 * A text Gantt chart of a simulation: one lane per device (█ computing) and one per device's
 * outgoing link class (▒ sending), `width` columns spanning the makespan.
 */
export function textTimeline(sim: Simulation, width = 64): string {
  const span = sim.cost.makespan;
  const col = (t: number) => (span === 0 ? 0 : Math.min(width - 1, Math.floor((t / span) * width)));
  const lanes = new Map<string, string[]>();
  const lane = (name: string) => {
    let l = lanes.get(name);
    if (l === undefined) {
      l = new Array<string>(width).fill("·");
      lanes.set(name, l);
    }
    return l;
  };
  for (const d of Object.keys(sim.timeline.devices)) lane(d);
  for (const c of sim.timeline.compute) {
    const l = lane(c.device);
    for (let i = col(c.start); i <= col(Math.max(c.start, c.end - 1e-15)); i++) l[i] = "█";
  }
  for (const t of sim.timeline.transfers) {
    const l = lane(`${t.from} → ${t.cls}`);
    for (let i = col(t.start); i <= col(Math.max(t.start, t.end - 1e-15)); i++) l[i] = "▒";
  }
  const names = [...lanes.keys()];
  const pad = Math.max(...names.map((n) => n.length));
  const rows = names.map((n) => `${n.padEnd(pad)} │${lanes.get(n)!.join("")}│`);
  const axis = `${" ".repeat(pad)} 0${" ".repeat(Math.max(1, width - formatSeconds(span).length))}${formatSeconds(span)}`;
  return [...rows, axis, `${" ".repeat(pad)}  █ compute  ▒ sending  · idle`].join("\n");
}
