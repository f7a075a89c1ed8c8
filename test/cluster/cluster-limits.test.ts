// Cluster documents at the edges: prototype names, huge device counts, extreme figures.
import { describe, expect, it } from "vitest";
import { presetCluster } from "../../src/cluster/load-cluster.js";
import { clusterToJson, MAX_CLUSTER_DEVICES, validateCluster } from "../../src/cluster/parse-cluster.js";

const base = () =>
  clusterToJson(presetCluster("dgx-a100")) as Record<string, unknown> & { hosts: Record<string, unknown>[] };
const codes = (doc: unknown) => validateCluster(doc).issues.map((i) => [i.code, i.path]);

describe("cluster limits", () => {
  it("a host whose deviceType is an Object.prototype name is invalid_cluster, not accepted", () => {
    const doc = base();
    doc.hosts[0]!.deviceType = "valueOf";
    expect(codes(doc)).toEqual([["invalid_cluster", "/hosts/0/deviceType"]]);
  });

  it.each([2 ** 53 - 1, 1e9, MAX_CLUSTER_DEVICES + 1])(
    "%d devices is limit_exceeded, before allocating",
    (n) => {
      const doc = base();
      doc.hosts[0]!.devices = n;
      expect(codes(doc)).toEqual([["limit_exceeded", "/hosts"]]);
    },
  );

  it("100,000 hosts validate without a quadratic duplicate check", () => {
    const doc = base();
    doc.hosts = Array.from({ length: 100_000 }, (_, k) => ({ ...doc.hosts[0]!, id: `h${k}`, devices: 1 }));
    const started = performance.now();
    const { cluster } = validateCluster(doc);
    expect(cluster?.hosts.length).toBe(100_000);
    // A quadratic check took 25 s here; a linear one well under one.
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it.each([
    [
      "launchOverhead",
      (d: Record<string, Record<string, Record<string, unknown>>>) => {
        Object.values(d.deviceTypes!)[0]!.launchOverhead = 1.7e308;
      },
    ],
    [
      "a latency",
      (d: Record<string, Record<string, unknown>>) => {
        d.interHost!.latency = 1e300;
      },
    ],
    [
      "a peak of 5e-324 FLOP/s",
      (d: Record<string, Record<string, Record<string, Record<string, unknown>>>>) => {
        Object.values(d.deviceTypes!)[0]!.peakFlops!.float32 = 5e-324;
      },
    ],
  ])("%s out of range is a schema_violation (a makespan stays finite)", (_what, mutate) => {
    const doc = base();
    mutate(doc as never);
    expect(codes(doc).map(([c]) => c)).toEqual(["schema_violation"]);
  });
});
