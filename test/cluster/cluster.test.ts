import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  CLUSTER_PRESETS,
  type ClusterJson,
  clusterToJson,
  deviceIndex,
  linkBetween,
  loadCluster,
  presetCluster,
  presetNames,
  validateCluster,
} from "../../src/cluster/index.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-cluster-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const twoHosts: ClusterJson = {
  version: 1,
  kind: "cluster",
  name: "two",
  deviceTypes: {
    g: { peakFlops: { float32: 1e12 }, memoryBytes: 1e9, memoryBandwidth: 1e11, launchOverhead: 1e-6 },
  },
  hosts: [{ id: "h", deviceType: "g", devices: 2, count: 2 }],
  intraHost: { bandwidth: 1e11, latency: 1e-6 },
  interHost: { bandwidth: 1e10, latency: 5e-6 },
  overrides: [{ hosts: ["h0", "h1"], link: { bandwidth: 2e10, latency: 4e-6 } }],
};

describe("cluster presets", () => {
  it("include an 8-GPU NVLink host, 8×8 and 64×8 clusters and this machine, each with sources", () => {
    expect(presetNames()).toEqual(["dgx-a100", "a100-8x8", "a100-64x8", "local"]);
    for (const name of presetNames()) expect(CLUSTER_PRESETS[name]!.sources!.length).toBeGreaterThan(0);
    expect(presetCluster("dgx-a100").devices).toHaveLength(8);
    expect(presetCluster("a100-8x8").devices).toHaveLength(64);
    const big = presetCluster("a100-64x8");
    expect(big.devices).toHaveLength(512);
    expect(big.hosts).toHaveLength(64);
    expect(big.devices[9]).toEqual({ id: "node1.d1", host: "node1", type: "a100" });
  });

  it("unknown preset names are a typed error listing the known ones", () => {
    expect(() => presetCluster("tpu-v9")).toThrow(
      expect.objectContaining({ code: "unknown_preset", message: expect.stringContaining("dgx-a100") }),
    );
  });
});

describe("links", () => {
  const c = validateCluster(twoHosts).cluster!;
  const d = deviceIndex(c);
  it("are local for a device to itself, intra inside a host and inter between hosts", () => {
    expect(linkBetween(c, d.get("h0.d0")!, d.get("h0.d0")!).cls).toBe("local");
    expect(linkBetween(c, d.get("h0.d0")!, d.get("h0.d1")!)).toEqual({
      cls: "intra",
      link: twoHosts.intraHost,
    });
    expect(linkBetween(c, d.get("h1.d1")!, d.get("h0.d0")!)).toEqual({
      cls: "inter",
      link: { bandwidth: 2e10, latency: 4e-6 },
    });
  });
});

describe("cluster documents", () => {
  it("expand hosts with count and round-trip through JSON", () => {
    const { cluster, issues } = validateCluster(twoHosts);
    expect(issues).toEqual([]);
    expect(cluster!.devices.map((x) => x.id)).toEqual(["h0.d0", "h0.d1", "h1.d0", "h1.d1"]);
    expect(validateCluster(clusterToJson(cluster!)).cluster).toEqual(cluster);
  });

  it("report an unknown device type, an override naming a missing host and duplicate hosts", () => {
    const bad = {
      ...twoHosts,
      hosts: [
        { id: "a", deviceType: "nope", devices: 1 },
        { id: "b", deviceType: "g", devices: 1 },
        { id: "b", deviceType: "g", devices: 1 },
      ],
      overrides: [{ hosts: ["zz"], link: { bandwidth: 1, latency: 0 } }],
    };
    expect(validateCluster(bad).issues.map((i) => [i.code, i.path])).toEqual([
      ["invalid_cluster", "/hosts/0/deviceType"],
      ["duplicate_id", "/hosts/2/id"],
      ["invalid_cluster", "/overrides/0/hosts/0"],
    ]);
  });

  it("reject negative bandwidth and unknown fields by schema", () => {
    const bad = { ...twoHosts, intraHost: { bandwidth: -1, latency: 0 }, extra: 1 };
    expect(validateCluster(bad).issues.map((i) => i.code)).toEqual(["schema_violation", "schema_violation"]);
  });

  it("load from a file or by preset name", () => {
    const file = join(dir, "two.yaml");
    writeFileSync(file, JSON.stringify(twoHosts));
    expect(loadCluster(file).name).toBe("two");
    expect(loadCluster("local").devices).toHaveLength(2);
    expect(() => loadCluster(join(dir, "missing.json"))).toThrow(
      expect.objectContaining({ code: "file_not_found" }),
    );
  });
});

describe("link overrides", () => {
  it("may not name one host twice, nor override the same hosts twice", () => {
    const link = { bandwidth: 1e9, latency: 0 };
    const bad = {
      ...twoHosts,
      overrides: [
        { hosts: ["h0", "h0"], link },
        { hosts: ["h1", "h0"], link },
        { hosts: ["h0", "h1"], link },
      ],
    };
    expect(validateCluster(bad).issues.map((i) => [i.code, i.path])).toEqual([
      ["invalid_cluster", "/overrides/0/hosts"],
      ["invalid_cluster", "/overrides/2/hosts"],
    ]);
  });
});

describe("kernel tables and executor overheads", () => {
  const matmul = {
    kernels: ["matmul", "linear"],
    dtype: "float32",
    by: "flops",
    points: [
      [1e6, 1e-4],
      [1e9, 1e-2],
    ],
  } as const;
  const executor = {
    kind: "local",
    runStart: 1e-3,
    runStartPerTask: 1e-5,
    load: { bandwidth: 1e9, latency: 5e-5 },
    taskDispatch: 2e-4,
    taskDispatchBusy: 5e-4,
    fetch: { bandwidth: 2e9, latency: 1e-4 },
    runEnd: 5e-4,
  } as const;
  const withTables: ClusterJson = {
    ...twoHosts,
    deviceTypes: { g: { ...twoHosts.deviceTypes.g!, kernels: [matmul] } },
    executor,
  };

  it("are optional, read as written and survive a round trip", () => {
    const { cluster, issues } = validateCluster(withTables);
    expect(issues).toEqual([]);
    expect(cluster!.deviceTypes.g!.kernels).toEqual([matmul]);
    expect(cluster!.executor).toEqual(executor);
    expect(validateCluster(clusterToJson(cluster!)).cluster).toEqual(cluster);
    expect(validateCluster(twoHosts).cluster!.executor).toBeUndefined();
  });

  it("refuse a negative dispatch time, naming the field", () => {
    const bad = { ...withTables, executor: { ...executor, taskDispatchBusy: -1e-4 } };
    const issues = validateCluster(bad).issues;
    expect(issues.map((i) => [i.code, i.path])).toEqual([["schema_violation", "/executor/taskDispatchBusy"]]);
  });

  it("read the input-copy terms as written, and refuse them incomplete or negative", () => {
    const copying = {
      ...executor,
      taskDispatchPerByte: 2e-11,
      assemble: { bandwidth: 8e9, latency: 3e-6, perRun: 4e-8 },
    };
    const { cluster, issues } = validateCluster({ ...withTables, executor: copying });
    expect(issues).toEqual([]);
    expect(cluster!.executor).toEqual(copying);
    expect(validateCluster(clusterToJson(cluster!)).cluster).toEqual(cluster);
    const { perRun: _, ...noRuns } = copying.assemble;
    const missing = validateCluster({ ...withTables, executor: { ...copying, assemble: noRuns } }).issues;
    expect(missing.map((i) => [i.code, i.path])).toEqual([["schema_violation", "/executor/assemble"]]);
    const negative = validateCluster({
      ...withTables,
      executor: { ...copying, taskDispatchPerByte: -1 },
    }).issues;
    expect(negative.map((i) => [i.code, i.path])).toEqual([
      ["schema_violation", "/executor/taskDispatchPerByte"],
    ]);
  });

  it("refuse sizes that do not increase, naming the point", () => {
    const points = [
      [1e6, 1e-4],
      [1e9, 1e-2],
      [1e9, 2e-2],
    ];
    const bad = {
      ...withTables,
      deviceTypes: { g: { ...twoHosts.deviceTypes.g!, kernels: [matmul, { ...matmul, points }] } },
    };
    const issues = validateCluster(bad).issues;
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ["invalid_cluster", "/deviceTypes/g/kernels/1/points/2"],
    ]);
    expect(issues[0]!.summary).toContain("size 1000000000 follows 1000000000");
  });

  it("read shape points as written, and load and round-trip without them as before", () => {
    const shaped = {
      ...matmul,
      shapes: [
        [512, 512, 256, 1.2e-3],
        [256, 512, 512, 1e-3],
      ],
    };
    const doc = { ...withTables, deviceTypes: { g: { ...twoHosts.deviceTypes.g!, kernels: [shaped] } } };
    const { cluster, issues } = validateCluster(doc);
    expect(issues).toEqual([]);
    expect(cluster!.deviceTypes.g!.kernels).toEqual([shaped]);
    expect(validateCluster(clusterToJson(cluster!)).cluster).toEqual(cluster);
    expect(validateCluster(withTables).cluster!.deviceTypes.g!.kernels![0]!.shapes).toBeUndefined();
  });

  it("refuse shape points on a table keyed by bytes, and a product listed twice, naming the point", () => {
    const bytes = {
      kernels: ["relu"],
      dtype: "float32",
      by: "bytes",
      points: [[1e3, 1e-5]],
      shapes: [[4, 4, 4, 1e-5]],
    };
    const twice = {
      ...matmul,
      shapes: [
        [512, 512, 256, 1e-3],
        [256, 512, 512, 1e-3],
        [512, 512, 256, 2e-3],
      ],
    };
    const issues = validateCluster({
      ...withTables,
      deviceTypes: { g: { ...twoHosts.deviceTypes.g!, kernels: [bytes, twice] } },
    }).issues;
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ["invalid_cluster", "/deviceTypes/g/kernels/0/shapes"],
      ["invalid_cluster", "/deviceTypes/g/kernels/1/shapes/2"],
    ]);
    expect(issues[0]!.summary).toContain("only a table keyed by flops can have shape points");
    expect(issues[0]!.context).toEqual({ deviceType: "g", table: 0, by: "bytes" });
    expect(issues[1]!.summary).toContain("512×512×256 twice (shape points 0 and 2)");
    expect(issues[1]!.context).toEqual({
      deviceType: "g",
      table: 1,
      point: 2,
      first: 0,
      shape: [512, 512, 256],
    });
  });

  it("schema-check shape points: four positive numbers each, and not an empty list", () => {
    const bad = (shapes: unknown) =>
      validateCluster({
        ...withTables,
        deviceTypes: { g: { ...twoHosts.deviceTypes.g!, kernels: [{ ...matmul, shapes }] } },
      }).issues.map((i) => [i.code, i.path]);
    expect(bad([[512, 512, 1e-3]])).toEqual([["schema_violation", "/deviceTypes/g/kernels/0/shapes/0"]]);
    expect(bad([[512, 0, 512, 1e-3]])).toEqual([["schema_violation", "/deviceTypes/g/kernels/0/shapes/0/1"]]);
    expect(bad([[512, 512, 512, -1]])).toEqual([["schema_violation", "/deviceTypes/g/kernels/0/shapes/0/3"]]);
    expect(bad([])).toEqual([["schema_violation", "/deviceTypes/g/kernels/0/shapes"]]);
    expect(bad("512x512")).toEqual([["schema_violation", "/deviceTypes/g/kernels/0/shapes"]]);
  });

  it("are schema-checked: a table keyed by anything but flops or bytes, a non-positive time, an unknown executor kind", () => {
    const bad = {
      ...withTables,
      deviceTypes: {
        g: {
          ...twoHosts.deviceTypes.g!,
          kernels: [
            { ...matmul, by: "shape" },
            { ...matmul, points: [[1e6, 0]] },
          ],
        },
      },
      executor: { ...executor, kind: "gpu" },
    };
    expect(validateCluster(bad).issues.map((i) => [i.code, i.path])).toEqual([
      ["schema_violation", "/deviceTypes/g/kernels/0/by"],
      ["schema_violation", "/deviceTypes/g/kernels/1/points/0/1"],
      ["schema_violation", "/executor/kind"],
    ]);
  });
});
