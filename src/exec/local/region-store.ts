import { type Region, sliceRegion } from "../../kernels/region.js";
import type { ZRange } from "../../zspace/z-range.js";

/**
 * The regions one device holds, keyed by source (`sourceKey`): its tasks' outputs, the pieces
 * it received, and its program-input regions. A lookup asks for a box of a source and is served
 * by any held region of that source containing it, so a local consumer can read part of a
 * producer's output without a copy being stored twice.
 */
export class RegionStore {
  private readonly held = new Map<string, Region[]>();

  /** Records that this device holds `region` of source `key`. */
  put(key: string, region: Region): void {
    const list = this.held.get(key);
    if (list === undefined) this.held.set(key, [region]);
    else list.push(region);
  }

  /** A held region of `key` containing `box`, or undefined. */
  find(key: string, box: ZRange): Region | undefined {
    return this.held.get(key)?.find((r) => r.range.contains(box));
  }

  /**
   * The values of `box` of source `key` (the held region itself when it is exactly `box`, else
   * a copy); throws when no held region contains it, which means the schedule is wrong.
   */
  get(key: string, box: ZRange): Region {
    const region = this.find(key, box);
    if (region === undefined) {
      const have = (this.held.get(key) ?? []).map((r) => String(r.range)).join(", ") || "nothing";
      throw new Error(`region ${box} of ${key} is not held here (held: ${have})`);
    }
    return sliceRegion(region, box);
  }
}
