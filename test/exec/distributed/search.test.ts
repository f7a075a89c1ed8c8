// The parallel search's epochs as jobs on `tessera worker` processes (`tessera plan --redis`):
// the same seed, evaluation budget and worker count give the same front as worker threads,
// even when a process is killed mid-search.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildGptStack } from "../../../examples/gpt-stack.js";
import { buildTransformerBlock } from "../../../examples/transformer-block.js";
import { clusterToJson, presetCluster } from "../../../src/cluster/index.js";
import {
  createDistributedSearchPool,
  type DistributedSearchPool,
} from "../../../src/exec/distributed/index.js";
import { checkSearchJobData } from "../../../src/exec/distributed/search-job.js";
import { programToJson } from "../../../src/ir/index.js";
import { planToJson } from "../../../src/plan/index.js";
import {
  clusterDevices,
  type SearchOptions,
  type SearchResult,
  type SearchWorkerSetup,
  searchPlans,
} from "../../../src/search/index.js";
import { runCli } from "../../support/run-cli.js";
import { FAST, startCluster, type TestCluster } from "./test-cluster.js";

const mlpFile = fileURLToPath(new URL("../../../examples/mlp.json", import.meta.url));

const frontKey = (r: SearchResult) => JSON.stringify(r.front.map((m) => [planToJson(m.plan), m.cost]));

const cluster = presetCluster("dgx-a100");
const program = buildTransformerBlock(256, 512, 8, 2048);
// Three search workers, 2200 evaluations each: two epochs, with an exchange of fronts between.
const options: SearchOptions = { seed: 7, budget: { evaluations: 6600 }, workers: 3 };

let processes: TestCluster;
let pool: DistributedSearchPool;
let threads: SearchResult;

beforeAll(async () => {
  [processes, threads] = await Promise.all([
    startCluster(["s1", "s2", "s3"]),
    searchPlans(program, cluster, options),
  ]);
  pool = await createDistributedSearchPool({ redis: processes.redis.url, ...FAST });
}, 180_000);

afterAll(async () => {
  try {
    await pool?.close();
  } finally {
    await processes?.close();
  }
}, 60_000);

describe("the parallel search on distributed worker processes", () => {
  it("finds the front worker threads find, and leaves no key behind", { timeout: 120_000 }, async () => {
    const result = await searchPlans(program, cluster, { ...options, pool });
    expect(frontKey(result)).toEqual(frontKey(threads));
    expect(result.stats.evaluations).toBe(threads.stats.evaluations);
    const client = new Redis(processes.redis.url);
    try {
      expect(await client.smembers("tessera:searches")).toEqual([]);
      expect(await client.keys("tessera:search*")).toEqual([]);
    } finally {
      client.disconnect();
    }
  });

  it("plans a stack's two-layer window on the processes too, to the front worker threads find", {
    timeout: 120_000,
  }, async () => {
    const gpt = buildGptStack(4, { batch: 2, seq: 32, model: 32, heads: 2 });
    const stackOptions: SearchOptions = { seed: 5, budget: { evaluations: 300 }, workers: 2 };
    const [onThreads, onProcesses] = await Promise.all([
      searchPlans(gpt, cluster, stackOptions),
      searchPlans(gpt, cluster, { ...stackOptions, pool }),
    ]);
    expect(onProcesses.stats.stack).toMatchObject({
      repeats: 4,
      evaluations: onThreads.stats.stack!.evaluations,
    });
    expect(frontKey(onProcesses)).toEqual(frontKey(onThreads));
  });

  it("finds the same front when a process is killed mid-search (its workers' epochs are replayed elsewhere)", {
    timeout: 120_000,
  }, async () => {
    let killed: Promise<unknown> | undefined;
    const result = await searchPlans(program, cluster, {
      ...options,
      pool,
      // After the first epoch: the next one is on its way to the processes.
      onProgress: () => {
        killed ??= processes.workers.find((w) => w.name === "s3")!.kill("SIGKILL");
      },
    });
    expect(await killed).toBe("SIGKILL");
    expect(frontKey(result)).toEqual(frontKey(threads));
  });
});

describe("a distributed search pool's failures", () => {
  const setup = (): SearchWorkerSetup => ({
    program: programToJson(program),
    cluster: clusterToJson(cluster),
    pricing: "point-to-point",
    devices: clusterDevices(cluster),
    pins: [],
    seed: 1,
    capacity: 8,
    starts: [],
  });
  const quiet = () => {};

  it("fails an epoch that fails on a worker process with search_failed, naming the search worker and cause", {
    timeout: 60_000,
  }, async () => {
    const session = await pool.open(
      [{ ...setup(), program: { not: "a program" } }],
      new SharedArrayBuffer(4),
      quiet,
    );
    try {
      const error = await session
        .epoch(0, { evaluations: 10 }, [])
        .catch((e: { code?: string; message: string }) => e);
      expect((error as { code?: string }).code).toBe("search_failed");
      expect((error as Error).message).toContain("epoch 1 of search worker 0 failed on worker process s");
    } finally {
      await session.close();
    }
  });

  it("fails with no_workers when no worker process is registered within the grace period", async () => {
    const empty = await createDistributedSearchPool({
      redis: processes.redis.url,
      prefix: "nobody",
      noWorkersGraceMs: 300,
    });
    try {
      const error = await empty
        .open([setup()], new SharedArrayBuffer(4), quiet)
        .catch((e: { code?: string }) => e);
      expect((error as { code?: string }).code).toBe("no_workers");
    } finally {
      await empty.close();
    }
    const error = await empty
      .open([setup()], new SharedArrayBuffer(4), quiet)
      .catch((e: { code?: string }) => e);
    expect((error as { code?: string }).code).toBe("executor_closed");
  });
});

describe("tessera plan --redis", () => {
  it("writes the search result tessera plan writes with worker threads", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-dist-plan-"));
    try {
      const common = [
        "plan",
        mlpFile,
        "--cluster",
        "dgx-a100",
        "--budget",
        "3000",
        "--workers",
        "2",
        "--seed",
        "4",
      ];
      const onThreads = await runCli([...common, "-o", join(dir, "threads"), "--no-report"]);
      const onProcesses = await runCli([
        ...common,
        "--redis",
        processes.redis.url,
        "-o",
        join(dir, "processes"),
        "--no-report",
      ]);
      expect(onThreads.code).toBe(0);
      expect(onProcesses.code).toBe(0);
      expect(onProcesses.out).toContain(
        "search workers on the tessera worker processes at redis://127.0.0.1:",
      );
      const front = (d: string) =>
        JSON.stringify(
          (JSON.parse(readFileSync(join(dir, d, "search-result.json"), "utf8")) as { front: unknown[] })
            .front,
        );
      expect(front("processes")).toEqual(front("threads"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a distributed search's jobs", () => {
  const job = {
    version: 1,
    kind: "tessera-search-epoch",
    search: "abc",
    worker: 0,
    epochs: [{ limit: {}, incoming: [] }],
  };

  it("are taken when well formed", () => {
    expect(checkSearchJobData(job, "abc", "0-1-0").worker).toBe(0);
  });

  it.each([
    ["malformed", { ...job, epochs: [] }],
    ["not a search epoch", { version: 1, kind: "tessera-task", run: "abc" }],
    ["of another search", { ...job, search: "xyz" }],
    ["naming a bad member", { ...job, epochs: [{ limit: {}, incoming: [{ choices: "all", cost: 1 }] }] }],
  ])("are refused with invalid_job when %s", (_, data) => {
    let code: string | undefined;
    try {
      checkSearchJobData(data, "abc", "0-1-0");
    } catch (e) {
      code = (e as { code?: string }).code;
    }
    expect(code).toBe("invalid_job");
  });
});
