import type { WorkerInfo } from "./worker-registry.js";

/**
 * Which worker stands for which plan device. The rule: workers sorted by name, each taking as
 * many slots as it has threads; device `i` (plan order) goes to slot `i mod #slots`. So two
 * one-thread workers pair d0+d2 and d1+d3, as two local threads do, and a worker with more
 * threads takes proportionally more devices. Several devices may share a worker; a worker may
 * get none (it then stands by, and takes over devices when another worker is lost).
 */
export function assignDevices(
  devices: readonly string[],
  workers: readonly WorkerInfo[],
): Map<string, string> {
  const slots = workers.flatMap((w) => Array.from({ length: w.threads }, () => w.name));
  const out = new Map<string, string>();
  devices.forEach((d, i) => {
    out.set(d, slots[i % slots.length]!);
  });
  return out;
}

/**
 * Moves the devices of `lost` onto `survivors` by the same rule (dealt in plan order over the
 * survivors' slots), leaving every other device where it is: what survivors hold stays useful.
 */
export function reassignDevices(
  assignment: ReadonlyMap<string, string>,
  lost: string,
  survivors: readonly WorkerInfo[],
): Map<string, string> {
  const moved = [...assignment].filter(([, w]) => w === lost).map(([d]) => d);
  const dealt = assignDevices(moved, survivors);
  const out = new Map(assignment);
  for (const [d, w] of dealt) out.set(d, w);
  return out;
}
