import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type DeviceType, type KernelTable, parseCluster } from "../../src/cluster/index.js";
import {
  COMBINE_KERNEL,
  createSimulator,
  kernelSeconds,
  kernelTable,
  tableSeconds,
  taskSeconds,
} from "../../src/cost/index.js";
import { busyLevels } from "../../src/cost/kernel-time.js";
import { program } from "../../src/frontend/index.js";
import { makePlan } from "../../src/plan/index.js";

const table: KernelTable = {
  kernels: ["matmul"],
  dtype: "float32",
  by: "flops",
  points: [
    [1e6, 1e-4],
    [1e8, 1e-3],
    [1e9, 5e-3],
  ],
};

const device: DeviceType = {
  peakFlops: { float32: 1e12, float64: 5e11 },
  memoryBytes: 1e9,
  memoryBandwidth: 1e11,
  launchOverhead: 1e-6,
  kernels: [table, { kernels: ["relu", "add"], dtype: "float32", by: "bytes", points: [[1e3, 2e-5]] }],
};

describe("tableSeconds", () => {
  it("costs a task at or below the first size the first point's seconds: small tasks pay the fixed cost", () => {
    expect(tableSeconds(table, 0, 1e12)).toBe(1e-4);
    expect(tableSeconds(table, 5e5, 1e12)).toBe(1e-4);
    expect(tableSeconds(table, 1e6, 1e12)).toBe(1e-4);
  });

  it("interpolates log seconds linearly over log size between points", () => {
    expect(tableSeconds(table, 1e8, 1e12)).toBeCloseTo(1e-3, 15);
    // Half way in log size from 1e6 to 1e8: half way in log seconds from 1e-4 to 1e-3.
    expect(tableSeconds(table, 1e7, 1e12)).toBeCloseTo(Math.sqrt(1e-4 * 1e-3), 15);
  });

  it("prices work beyond the last size at the last two points' marginal rate, at most the peak", () => {
    // Marginal rate of the last two points: 9e8 FLOPs in 4e-3 s = 2.25e11 FLOP/s.
    expect(tableSeconds(table, 2e9, 1e12)).toBeCloseTo(5e-3 + 1e9 / 2.25e11, 15);
    // A lower peak caps the rate.
    expect(tableSeconds(table, 2e9, 1e11)).toBeCloseTo(5e-3 + 1e9 / 1e11, 15);
    // One point, or last points that do not rise: the peak.
    const one: KernelTable = { ...table, points: [[1e6, 1e-4]] };
    expect(tableSeconds(one, 2e6, 1e10)).toBeCloseTo(1e-4 + 1e6 / 1e10, 15);
    const flat: KernelTable = {
      ...table,
      points: [
        [1e6, 2e-4],
        [2e6, 1e-4],
      ],
    };
    expect(tableSeconds(flat, 3e6, 1e10)).toBeCloseTo(1e-4 + 1e6 / 1e10, 15);
  });

  it("never decreases with size when the points' seconds do not", () => {
    const points = fc
      .array(
        fc.tuple(
          fc.double({ min: 1, max: 1e12, noNaN: true }),
          fc.double({ min: 1e-7, max: 1, noNaN: true }),
        ),
        {
          minLength: 1,
          maxLength: 6,
        },
      )
      .map((ps) => {
        const xs = [...new Set(ps.map((p) => p[0]))].sort((a, b) => a - b);
        const ss = ps.map((p) => p[1]).sort((a, b) => a - b);
        return xs.map((x, i): [number, number] => [x, ss[i] ?? ss[ss.length - 1]!]);
      });
    fc.assert(
      fc.property(
        points,
        fc.double({ min: 0, max: 1e13, noNaN: true }),
        fc.double({ min: 0, max: 1e13, noNaN: true }),
        (ps, a, b) => {
          const t: KernelTable = { ...table, points: ps };
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          return tableSeconds(t, lo, 1e12) <= tableSeconds(t, hi, 1e12) * (1 + 1e-12);
        },
      ),
    );
  });
});

describe("kernelSeconds", () => {
  it("prices a kernel its device type has a table for by the table, by FLOPs or by bytes", () => {
    expect(kernelSeconds("matmul", { flops: 1e7, bytes: 1e9, dtype: "float32" }, device)).toBeCloseTo(
      Math.sqrt(1e-4 * 1e-3),
      15,
    );
    expect(kernelSeconds("add", { flops: 1e12, bytes: 10, dtype: "float32" }, device)).toBe(2e-5);
  });

  it("prices kernels and dtypes without a table by the roofline and launch overhead", () => {
    const conv = { flops: 1e9, bytes: 1e6, dtype: "float32" } as const;
    expect(kernelSeconds("conv2d", conv, device)).toBe(taskSeconds(conv, device));
    const f64 = { flops: 1e7, bytes: 1e3, dtype: "float64" } as const;
    expect(kernelSeconds("matmul", f64, device)).toBe(taskSeconds(f64, device));
  });

  it("cannot price a dtype the device has no peak for, table or not", () => {
    expect(kernelSeconds("matmul", { flops: 1, bytes: 1, dtype: "int32" }, device)).toBeUndefined();
  });
});

describe("combine tables", () => {
  it("prices the fold of a split reduction by a table naming `combine`, keyed by the parts' and result's bytes", () => {
    const p = program("split-sum");
    p.output("y", p.sum(p.input("x", [2, 1000]), { dims: [0] }, { id: "s" }));
    const prog = p.build();
    const combine: KernelTable = {
      kernels: [COMBINE_KERNEL],
      dtype: "float32",
      by: "bytes",
      points: [
        [1e3, 1e-4],
        [1e5, 1e-3],
      ],
    };
    const fold = (type: DeviceType) => {
      const cluster = parseCluster({
        version: 1,
        kind: "cluster",
        name: "one",
        deviceTypes: { cpu: type },
        hosts: [{ id: "h", deviceType: "cpu", devices: 1 }],
        intraHost: { bandwidth: 1e9, latency: 1e-6 },
        interHost: { bandwidth: 1e9, latency: 1e-6 },
      });
      const plan = makePlan(prog, { devices: ["h.d0"], splits: { s: [{ dim: 0, parts: 2 }] } });
      const c = createSimulator(plan, cluster)
        .simulate()
        .timeline.compute.find((t) => t.task === "s#combine#0")!;
      return c.end - c.start;
    };
    // Two 1000-element float32 partials and their sum: 12,000 bytes.
    expect(fold({ ...device, kernels: [combine] })).toBeCloseTo(tableSeconds(combine, 12_000, 1e11), 15);
    // Without the table the fold is a memory-bound roofline task.
    expect(fold(device)).toBeCloseTo(
      taskSeconds({ flops: 1000, bytes: 12_000, dtype: "float32" }, device)!,
      15,
    );
  });
});

describe("tables by host load (busy)", () => {
  const alone: KernelTable = {
    kernels: ["relu"],
    dtype: "float32",
    by: "bytes",
    busy: 1,
    points: [[1e3, 1e-5]],
  };
  const two: KernelTable = {
    kernels: ["relu"],
    dtype: "float32",
    by: "bytes",
    busy: 2,
    points: [[1e3, 2e-5]],
  };
  const all: KernelTable = { kernels: ["relu"], dtype: "float32", by: "bytes", points: [[1e3, 4e-5]] };
  const loaded: DeviceType = { ...device, kernels: [all, two, alone] };
  const work = { flops: 1, bytes: 1e3, dtype: "float32" } as const;

  it("prices a task by the table measured nearest above its host's busy devices; no `busy` means all", () => {
    expect(kernelTable(loaded, "relu", "float32", 1)).toBe(alone);
    expect(kernelTable(loaded, "relu", "float32", 2)).toBe(two);
    expect(kernelTable(loaded, "relu", "float32", 3)).toBe(all);
    expect(kernelTable(loaded, "relu", "float32")).toBe(all);
    expect(kernelSeconds("relu", work, loaded, 1)).toBe(1e-5);
    expect(kernelSeconds("relu", work, loaded, 8)).toBe(4e-5);
  });

  it("takes the most loaded table below when none is measured at or above the load", () => {
    const partial: DeviceType = { ...device, kernels: [alone, two] };
    expect(kernelTable(partial, "relu", "float32", 5)).toBe(two);
    expect(kernelTable(partial, "relu", "float32")).toBe(two);
  });

  it("lists the levels the simulator prices at, ascending, ending with all devices busy", () => {
    expect(busyLevels([loaded, device])).toEqual([1, 2, Number.POSITIVE_INFINITY]);
    expect(busyLevels([device])).toEqual([Number.POSITIVE_INFINITY]);
  });

  it("prices a task by how many devices of its host compute at each moment", () => {
    const p = program("pair");
    const a = p.input("a", [100]);
    p.output("y", p.relu(a, { id: "r1" }));
    p.output("z", p.relu(a, { id: "r2" }));
    const prog = p.build();
    const cluster = busyLevelCluster(1e-6);
    const seconds = (placement: Record<string, string[]>) =>
      createSimulator(makePlan(prog, { devices: cluster.devices.map((d) => d.id), placement }), cluster)
        .simulate()
        .timeline.compute.map((c) => c.end - c.start);
    const [d0, d1, d2] = cluster.devices.map((d) => d.id) as [string, string, string];
    // Both on one device: its host never has more than one device computing.
    expect(seconds({ r1: [d0], r2: [d0] })).toEqual([1e-3, 1e-3]);
    // One per device of one host, side by side throughout: the all-busy table.
    expect(seconds({ r1: [d0], r2: [d1] })).toEqual([3e-3, 3e-3]);
    // One per host: each host has one busy device.
    expect(seconds({ r1: [d0], r2: [d2] })).toEqual([1e-3, 1e-3]);
    // Re-placing incrementally agrees with simulating afresh.
    const base = createSimulator(
      makePlan(prog, { devices: cluster.devices.map((d) => d.id), placement: { r1: [d0], r2: [d0] } }),
      cluster,
    );
    const moved = base.withPlacement("r2", [d1]);
    expect(moved.cost().makespan).toBe(createSimulator(moved.plan, cluster).cost().makespan);
    expect(base.cost().makespan).toBeLessThan(moved.cost().makespan);
  });

  it("re-rates a running task when another device of its host starts or ends one", () => {
    // d0 runs a then b alone (1 ms each at the busy: 1 rate); c on d1 reads a's output, which
    // arrives 0.5 ms after a ends. From then on b and c share the host (3 ms at the all-busy
    // rate): b has half its work left, 1.5 ms at the shared rate, and ends at 3 ms; c has done
    // half its work by then and runs the other half alone, ending at 3.5 ms.
    const p = program("overlap");
    const x = p.input("x", [100]);
    const a = p.relu(x, { id: "a" });
    p.output("b", p.relu(x, { id: "b" }));
    p.output("c", p.relu(a, { id: "c" }));
    const prog = p.build();
    const cluster = busyLevelCluster(0.5e-3);
    const [d0, d1] = cluster.devices.map((d) => d.id) as [string, string];
    const plan = makePlan(prog, {
      devices: [d0, d1],
      placement: { a: [d0], b: [d0], c: [d1] },
    });
    const spans = Object.fromEntries(
      createSimulator(plan, cluster)
        .simulate()
        .timeline.compute.map((c) => [c.task, [c.start, c.end]]),
    );
    const bytes = 400;
    const arrival = 1e-3 + bytes / 1e10 + 0.5e-3;
    expect(spans["a#0"]).toEqual([0, 1e-3]);
    expect(spans["b#0"]![0]).toBe(1e-3);
    const bLeft = 1 - (arrival - 1e-3) / 1e-3;
    const bEnd = arrival + bLeft * 3e-3;
    expect(spans["b#0"]![1]).toBeCloseTo(bEnd, 12);
    expect(spans["c#0"]![0]).toBeCloseTo(arrival, 12);
    const cLeft = 1 - (bEnd - arrival) / 3e-3;
    expect(spans["c#0"]![1]).toBeCloseTo(bEnd + cLeft * 1e-3, 12);
    expect(spans["c#0"]![1]).toBeCloseTo(3.5e-3, 6);
  });
});

/** Two hosts of two devices; `relu` takes 1 ms alone and 3 ms with the host's other device busy. */
function busyLevelCluster(intraLatency: number) {
  return parseCluster({
    version: 1,
    kind: "cluster",
    name: "two-busy-levels",
    deviceTypes: {
      g: {
        peakFlops: { float32: 1e12 },
        memoryBytes: 1e9,
        memoryBandwidth: 1e11,
        launchOverhead: 1e-6,
        kernels: [
          { kernels: ["relu"], dtype: "float32", by: "bytes", busy: 1, points: [[1e3, 1e-3]] },
          { kernels: ["relu"], dtype: "float32", by: "bytes", points: [[1e3, 3e-3]] },
        ],
      },
    },
    hosts: [
      { id: "h0", deviceType: "g", devices: 2 },
      { id: "h1", deviceType: "g", devices: 2 },
    ],
    intraHost: { bandwidth: 1e10, latency: intraLatency },
    interHost: { bandwidth: 1e9, latency: 1e-5 },
  });
}
