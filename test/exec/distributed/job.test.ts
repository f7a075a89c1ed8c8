import { describe, expect, it } from "vitest";
import { checkJobData } from "../../../src/exec/distributed/job.js";

const step = {
  order: {
    kind: "combine",
    id: "fc2#0+",
    op: "fc2",
    device: "d0",
    pieces: [],
    outputs: [],
    monoid: "sum",
  },
  gets: [],
  puts: [],
};
const job = { version: 2, kind: "tessera-tasks", run: "abc", steps: [step], fault: null };

function issueOf(data: unknown): { code?: string; message: string } {
  try {
    checkJobData(data, "abc", "0-0");
  } catch (e) {
    return e as { code?: string; message: string };
  }
  throw new Error("expected invalid_job");
}

describe("a distributed job's data", () => {
  it("is a chain of one or more steps of the run whose queue it is in", () => {
    expect(checkJobData(job, "abc", "0-0").steps).toHaveLength(1);
    expect(checkJobData({ ...job, steps: [step, step] }, "abc", "0-0").steps).toHaveLength(2);
  });

  it.each([
    ["an empty chain", { ...job, steps: [] }],
    ["a job of the single-task format (version 1)", { ...job, version: 1 }],
    ["a step without its order", { ...job, steps: [{ gets: [], puts: [] }] }],
  ])("is refused with invalid_job: %s", (_, data) => {
    expect(issueOf(data).code).toBe("invalid_job");
  });

  it("is refused with invalid_job when it belongs to another run, naming that run", () => {
    const issue = issueOf({ ...job, run: "xyz" });
    expect(issue.code).toBe("invalid_job");
    expect(issue.message).toContain("belongs to run 'xyz'");
  });

  it("names the version it reads when given another", () => {
    expect(issueOf({ ...job, version: 1 }).message).toContain("reads version 2 documents, found version 1");
  });
});
