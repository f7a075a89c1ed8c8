// `tessera validate` reads every document kind Tessera reads, by its `kind`, and accepts `$schema`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT_USER_ERROR } from "../../src/cli/main.js";
import { DOCUMENT_KINDS } from "../../src/cli/validate-command.js";
import { presetCluster } from "../../src/cluster/load-cluster.js";
import { clusterToJson } from "../../src/cluster/parse-cluster.js";
import { searchResultToJson } from "../../src/search/result/search-result-file.js";
import { sampleResult } from "../report/sample-results.js";
import { runCli } from "../support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-kinds-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, doc: unknown) => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(doc));
  return file;
};
const readJson = (file: string) => JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;

/** One valid document of every kind, built once. */
async function validDocuments(): Promise<Record<string, Record<string, unknown>>> {
  const plan = join(dir, "plan.json");
  const tensors = join(dir, "outputs.json");
  expect((await runCli(["shard", "examples/mlp.json", "--split", "fc1=0:2", "-o", plan])).code).toBe(0);
  expect((await runCli(["eval", "examples/mlp.json", "--out", tensors])).code).toBe(0);
  return {
    program: readJson("examples/mlp.json"),
    plan: readJson(plan),
    cluster: clusterToJson(presetCluster("dgx-a100")) as Record<string, unknown>,
    tensors: readJson(tensors),
    kernel: readJson("test/fixtures/kernels/conv1d.json"),
    "search-result": searchResultToJson(sampleResult("mlp")) as Record<string, unknown>,
  };
}

const docs = await validDocuments();

describe("tessera validate dispatches on kind", () => {
  it("knows every kind Tessera reads", () => {
    expect(DOCUMENT_KINDS).toEqual(["program", "plan", "cluster", "tensors", "kernel", "search-result"]);
  });

  it.each(DOCUMENT_KINDS)("a valid %s document is ok, also with a $schema key", async (kind) => {
    const plain = write(`${kind}.json`, docs[kind]);
    const withSchema = write(`${kind}.schema.json`, {
      $schema: `https://tessera.dev/schemas/${kind}.schema.json`,
      ...docs[kind],
    });
    const r = await runCli(["validate", plain, withSchema]);
    expect(r.out).not.toContain("FAIL");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      new RegExp(
        `^ok +${plain}: valid ${{ "search-result": "search result", tensors: "tensor file", kernel: "kernel declaration" }[kind] ?? kind}`,
        "m",
      ),
    );
  });

  it("a broken cluster gets cluster issues, not a pile of program schema errors", async () => {
    const file = write("bad-cluster.json", { ...docs.cluster, interHost: { bandwidth: -1, latency: 0 } });
    const r = await runCli(["validate", file]);
    expect(r.code).toBe(EXIT_USER_ERROR);
    expect(r.out).toContain(`FAIL ${file}: 1 issue`);
    expect(r.out).toContain("at /interHost/bandwidth");
    expect(r.out).not.toContain("/tensors");
  });

  it("a tensor file with a wrong value count names the tensor", async () => {
    const t = docs.tensors as { tensors: Record<string, { data: unknown[] }> };
    const [id, first] = Object.entries(t.tensors)[0]!;
    const file = write("bad-tensors.json", {
      ...t,
      tensors: { ...t.tensors, [id]: { ...first, data: first.data.slice(1) } },
    });
    const r = await runCli(["validate", file]);
    expect(r.code).toBe(EXIT_USER_ERROR);
    expect(r.out).toContain("error[invalid_tensor_file]");
    expect(r.out).toContain(`tensor '${id}'`);
  });

  it("a kernel declaration without kind is recognised by its kernel field", async () => {
    const { kind: _omit, ...decl } = { kind: undefined, ...docs.kernel };
    const bad = write("bad-kernel.json", { ...decl, index: "[$n" });
    const r = await runCli(["validate", bad]);
    expect(r.code).toBe(EXIT_USER_ERROR);
    expect(r.out).not.toContain("/tensors");
    expect(r.out).not.toContain("/kind");
  });

  it("an unknown kind is one unexpected_kind issue naming the kind found and those read", async () => {
    const file = write("odd.json", { version: 1, kind: "recipe", steps: [] });
    const r = await runCli(["validate", file]);
    expect(r.code).toBe(EXIT_USER_ERROR);
    expect(r.out).toContain(`FAIL ${file}: 1 issue`);
    expect(r.out).toContain("error[unexpected_kind] at /kind");
    expect(r.out).toContain(`the document's kind is "recipe"; tessera validate reads program, plan, cluster`);
  });
});
