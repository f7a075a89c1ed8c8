import { MEMORY_KINDS, type MemoryBreakdown, type MemoryKind } from "../cost/memory-kinds.js";
import { formatBytes } from "./units.js";

/** How each memory kind is named for people. */
export const MEMORY_KIND_LABEL: { readonly [K in MemoryKind]: string } = {
  weights: "weights",
  optimizerStates: "optimizer states",
  gradients: "gradients",
  activations: "kept activations",
  transient: "transient",
};

/** Whether a simulation's split says anything beyond "transient" (a training step's does). */
export function showsMemoryKinds(memory: Readonly<Record<string, MemoryBreakdown>> | undefined): boolean {
  return (
    memory !== undefined &&
    Object.values(memory).some((m) => MEMORY_KINDS.some((k) => k !== "transient" && m[k] > 0))
  );
}

/** The device whose peak is largest, and its split (undefined for an empty plan). */
export function largestPeak(
  memory: Readonly<Record<string, MemoryBreakdown>>,
): { readonly device: string; readonly split: MemoryBreakdown } | undefined {
  let best: { device: string; split: MemoryBreakdown } | undefined;
  for (const [device, split] of Object.entries(memory))
    if (best === undefined || split.peak > best.split.peak) best = { device, split };
  return best;
}

/** A peak's split in one line: `weights 1.2 GiB, optimizer states 2.4 GiB, …` (kinds holding nothing left out). */
export function memorySplitText(split: MemoryBreakdown): string {
  const parts = MEMORY_KINDS.filter((k) => split[k] > 0).map(
    (k) => `${MEMORY_KIND_LABEL[k]} ${formatBytes(split[k])}`,
  );
  return parts.length === 0 ? "nothing" : parts.join(", ");
}
