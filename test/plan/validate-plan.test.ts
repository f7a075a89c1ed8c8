// The plan validator's contract. Issues are data: every problem of a document is reported at
// once, each with a stable code and a JSON pointer into the document.
//
// test/fixtures/plan/invalid/<code>.json wrap a plan: `{ description, expectedCodes, plan }`,
// one file per code the validator can produce (a program issue is relayed under /program).
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildConvNet } from "../../examples/conv-net.js";
import { buildMlp } from "../../examples/mlp.js";
import { buildTransformerBlock } from "../../examples/transformer-block.js";
import { type Issue, type IssueCode, isIssueCode, isJsonObject } from "../../src/base/index.js";
import { program } from "../../src/frontend/index.js";
import type { Program } from "../../src/ir/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import {
  deriveTaskGraph,
  deviceNames,
  makePlan,
  type Plan,
  parsePlan,
  planToJson,
  validatePlan,
} from "../../src/plan/index.js";
import { resolvePointer } from "../ir/json-pointer.js";
import { Dice, diceValues, randomProgram, runs } from "../shard/random-programs.js";
import { specifyInvalidFixture } from "../support/invalid-fixture-spec.js";
import { expectIssues } from "../zspace/expect-error.js";
import { randomOrder, randomPlan } from "./random-plans.js";

const INVALID = new URL("../fixtures/plan/invalid/", import.meta.url);
const registry = builtinRegistry();

interface Fixture {
  readonly code: string;
  readonly description: string;
  readonly expectedCodes: readonly IssueCode[];
  readonly plan: unknown;
}

const fixtureFiles = readdirSync(INVALID)
  .filter((f) => f.endsWith(".json"))
  .sort();

function readFixture(file: string): Fixture {
  const raw: unknown = JSON.parse(readFileSync(new URL(file, INVALID), "utf8"));
  const codes = isJsonObject(raw) && Array.isArray(raw.expectedCodes) ? raw.expectedCodes : [];
  if (
    !isJsonObject(raw) ||
    typeof raw.description !== "string" ||
    raw.description.length === 0 ||
    codes.length === 0 ||
    !codes.every((c) => typeof c === "string" && isIssueCode(c)) ||
    !("plan" in raw)
  ) {
    throw new Error(`${file}: expected { description, expectedCodes: [registered code, ...], plan }`);
  }
  return {
    code: file.replace(/\.json$/, ""),
    description: raw.description,
    expectedCodes: codes as IssueCode[],
    plan: raw.plan,
  };
}

/**
 * What an issue's summary must mention to name something concrete: the operation of an
 * `/operations/i` entry or of the context (`'mm'`), the offending value at the path (a device, a
 * tensor, a task, a version), or, for schema issues and issues relayed from the program, the
 * path itself or the program's own node.
 */
function concreteMentions(doc: unknown, issue: Issue): string[] {
  const mentions: string[] = [];
  if (issue.code === "schema_violation") mentions.push(issue.path);
  // An operation the plan leaves out has no entry to point at: its id is in the context.
  if (typeof issue.context.op === "string") mentions.push(`'${issue.context.op}'`);
  const [top, index] = issue.path.split("/").slice(1);
  if (top === "operations" && index !== undefined) {
    const entry = resolvePointer(doc, `/operations/${index}`);
    if (entry.found && isJsonObject(entry.value) && typeof entry.value.op === "string")
      mentions.push(`'${entry.value.op}'`);
  }
  if (top === "program" && index === "operations") {
    const [, , , i] = issue.path.split("/");
    const op = resolvePointer(doc, `/program/operations/${i}`);
    if (op.found && isJsonObject(op.value) && typeof op.value.id === "string")
      mentions.push(`'${op.value.id}'`);
  }
  const at = resolvePointer(doc, issue.path);
  if (at.found && (typeof at.value === "string" || typeof at.value === "number"))
    mentions.push(String(at.value));
  return mentions;
}

describe.each(fixtureFiles)("invalid/%s", (file) => {
  const fixture = readFixture(file);
  specifyInvalidFixture({
    code: fixture.code,
    expectedCodes: fixture.expectedCodes,
    document: fixture.plan,
    validate: () => {
      const { plan, issues } = validatePlan(fixture.plan, registry);
      return { issues, produced: plan !== undefined };
    },
    parse: () => parsePlan(fixture.plan, registry),
    mentions: concreteMentions,
  });
});

/** The codes listed under `// <section>:` in src/base/codes.ts, up to the next section. */
function codesOfSection(section: string): string[] {
  const lines = readFileSync(new URL("../../src/base/codes.ts", import.meta.url), "utf8").split("\n");
  const start = lines.findIndex((l) => l.trim().startsWith(`// ${section}:`));
  const codes: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim().startsWith("//") || line.trim().startsWith("}")) break;
    const key = /^ {2}([a-z_]+):/.exec(line)?.[1];
    if (key !== undefined) codes.push(key);
  }
  return codes;
}

describe("the invalid plan fixtures cover the codes", () => {
  const covered = new Set(fixtureFiles.map((f) => f.replace(/\.json$/, "")));

  it("of every code in the 'plan' section of src/base/codes.ts, so a new code needs a fixture", () => {
    const plan = codesOfSection("plan");
    expect(plan).toContain("invalid_order");
    expect(plan.filter((c) => !covered.has(c))).toEqual([]);
  });

  it("of the codes plan validation raises through the schema, ids and sharding", () => {
    const borrowed = [
      "schema_violation",
      "unsupported_version",
      "duplicate_id",
      "unknown_tensor",
      "unshardable",
      "invalid_split",
      "dimension_out_of_bounds",
    ];
    expect(borrowed.filter((c) => !covered.has(c))).toEqual([]);
  });

  it("including a program issue, relayed with its path under /program", () => {
    const relayed = fixtureFiles.flatMap((f) =>
      validatePlan(readFixture(f).plan, registry).issues.filter((i) => i.path.startsWith("/program/")),
    );
    expect(relayed.length).toBeGreaterThan(0);
  });
});

describe("valid plans", () => {
  it.each<[string, Program, Record<string, { dim: number; parts: number }[]>]>([
    ["the MLP", buildMlp(8, 16, 32, 8), { fc1: [{ dim: 1, parts: 2 }], fc2: [{ dim: 2, parts: 2 }] }],
    ["the conv net", buildConvNet(2, 8, 4), { conv1: [{ dim: 3, parts: 2 }], conv2: [{ dim: 5, parts: 2 }] }],
    ["the transformer block", buildTransformerBlock(8, 16, 2, 32), { q: [{ dim: 0, parts: 2 }] }],
  ])("%s: planToJson reads back through validatePlan to an equal plan", (_, prog, splits) => {
    const plan = makePlan(prog, { devices: deviceNames(2), splits });
    const json = planToJson(plan);
    const { plan: parsed, issues } = validatePlan(json, registry);
    expect(issues).toEqual([]);
    expect(parsed).toEqual(plan);
    expect(parsePlan(json, registry)).toEqual(plan);
  });

  it("makePlan lists every program input; those not placed start pre-distributed, after the placed ones", () => {
    const prog = buildMlp(4, 4, 4, 4);
    const plan = makePlan(prog, { devices: ["d0"], inputs: [{ tensor: "w2", device: "d0" }] });
    expect(plan.inputs).toEqual([
      { tensor: "w2", device: "d0" },
      { tensor: "x" },
      { tensor: "w1" },
      { tensor: "b1" },
      { tensor: "b2" },
    ]);
    expect(validatePlan(planToJson(plan), registry).plan).toEqual(plan);
  });

  it("a plan without `inputs` starts every input pre-distributed", () => {
    const json = planToJson(makePlan(buildMlp(4, 4, 4, 4), { devices: ["d0"] })) as Record<string, unknown>;
    const { inputs: _, ...bare } = json;
    expect(validatePlan(bare, registry).plan?.inputs).toEqual(
      ["x", "w1", "b1", "w2", "b2"].map((tensor) => ({ tensor })),
    );
  });
});

describe("issues as data", () => {
  const tiny = (() => {
    const p = program("tiny");
    p.output("y", p.matmul(p.input("x", [4, 6]), p.input("w", [6, 2]), { id: "mm" }));
    return p.build();
  })();
  const base = () =>
    JSON.parse(
      JSON.stringify(
        planToJson(makePlan(tiny, { devices: deviceNames(2), splits: { mm: [{ dim: 0, parts: 2 }] } })),
      ),
    );

  it("reports every problem of a document at once, without throwing", () => {
    const doc = base();
    doc.devices.push("d0");
    doc.inputs = [{ tensor: "mm" }, { tensor: "x", device: "gpu9" }, { tensor: "x" }];
    doc.operations[0].devices = ["d0", "d5", "d1"];
    expect(validatePlan(doc, registry).issues.map((i) => [i.code, i.path])).toEqual([
      ["duplicate_id", "/devices/2"],
      ["unknown_tensor", "/inputs/0/tensor"],
      ["unknown_device", "/inputs/1/device"],
      ["duplicate_id", "/inputs/2/tensor"],
      ["device_count_mismatch", "/operations/0/devices"],
      ["unknown_device", "/operations/0/devices/1"],
    ]);
  });

  it("checks combine devices: one known device per output block", () => {
    const doc = base();
    doc.operations[0].splits = [{ dim: 2, parts: 3 }];
    doc.operations[0].devices = ["d0", "d1", "d0"];
    doc.operations[0].combineDevices = ["d1", "d3"];
    expect(validatePlan(doc, registry).issues.map((i) => [i.code, i.path, i.context])).toEqual([
      ["device_count_mismatch", "/operations/0/combineDevices", { op: "mm", expected: 1, found: 2 }],
      ["unknown_device", "/operations/0/combineDevices/1", { device: "d3" }],
    ]);
    doc.operations[0].combineDevices = ["d1"];
    const { plan } = validatePlan(doc, registry);
    expect(deriveTaskGraph(plan!).tasks.find((t) => t.kind === "combine")?.device).toBe("d1");
  });

  it("reads a combine mode; a reduce-scatter takes one combine device per chunk, and no other mode", () => {
    const doc = base();
    doc.operations[0].splits = [{ dim: 2, parts: 2 }];
    doc.operations[0].devices = ["d0", "d1"];
    doc.operations[0].combine = "reduce-scatter";
    const { plan } = validatePlan(doc, registry);
    expect(plan!.operations[0]!.combine).toBe("reduce-scatter");
    expect(planToJson(plan!)).toEqual(doc);
    const combines = deriveTaskGraph(plan!).tasks.filter((t) => t.kind === "combine");
    expect(combines.map((t) => [t.id, t.device])).toEqual([
      ["mm#combine#0.0", "d0"],
      ["mm#combine#0.1", "d1"],
    ]);
    doc.operations[0].combineDevices = ["d1"];
    expect(validatePlan(doc, registry).issues.map((i) => [i.code, i.path, i.context])).toEqual([
      ["device_count_mismatch", "/operations/0/combineDevices", { op: "mm", expected: 2, found: 1 }],
    ]);
    doc.operations[0].combineDevices = ["d1", "d0"];
    const moved = deriveTaskGraph(validatePlan(doc, registry).plan!);
    expect(moved.tasks.filter((t) => t.kind === "combine").map((t) => t.device)).toEqual(["d1", "d0"]);
    doc.operations[0].combine = "all-to-all";
    expect(validatePlan(doc, registry).issues.map((i) => [i.code, i.path])).toEqual([
      ["schema_violation", "/operations/0/combine"],
    ]);
  });

  it("refuses a strided cut of a grouped convolution as `invalid_split` at its splits", () => {
    const p = program("grouped");
    p.output(
      "y",
      p.conv2d(p.input("x", [1, 4, 5, 5]), p.input("w", [4, 2, 3, 3]), { groups: 2 }, { id: "conv" }),
    );
    const doc = JSON.parse(JSON.stringify(planToJson(makePlan(p.build(), { devices: ["d0"] }))));
    doc.operations[0].splits = [{ dim: 2, parts: 2 }];
    doc.operations[0].devices = ["d0", "d0"];
    const [issue] = expectIssues(
      () => parsePlan(doc, registry),
      [{ code: "invalid_split", path: "/operations/0/splits" }],
    );
    expect(issue!.summary).toContain("operation 'conv' (conv2d), index dimension ocg");
  });

  it("treats a document that is not an object as a schema violation at the root", () => {
    expect(validatePlan([], registry).issues.map((i) => [i.code, i.path])).toEqual([
      ["schema_violation", ""],
    ]);
  });
});

describe("round trips and robustness over random plans", () => {
  it("planToJson → validatePlan gives back an equal plan, with or without an order", () => {
    fc.assert(
      fc.property(randomProgram(), diceValues(), fc.boolean(), (prog, dice, ordered) => {
        let plan: Plan = randomPlan(prog, dice);
        if (ordered) plan = { ...plan, order: randomOrder(deriveTaskGraph(plan), new Dice(dice)) };
        const json = planToJson(plan);
        expect(JSON.parse(JSON.stringify(json))).toEqual(json);
        const { plan: parsed, issues } = validatePlan(json, registry);
        expect(issues).toEqual([]);
        expect(parsed).toEqual(plan);
        expect(planToJson(parsed!)).toEqual(json);
      }),
      { numRuns: runs(100) },
    );
  });

  it("never throws on a mangled plan: it returns issues, each pointing into the document", () => {
    fc.assert(
      fc.property(randomProgram(3), diceValues(), diceValues(20), (prog, planDice, mangleDice) => {
        const doc = JSON.parse(JSON.stringify(planToJson(randomPlan(prog, planDice)))) as PlanDoc;
        mangle(doc, new Dice(mangleDice));
        const { plan, issues } = validatePlan(doc, registry);
        expect(plan === undefined).toBe(issues.length > 0);
        for (const issue of issues) expect(resolvePointer(doc, issue.path).found).toBe(true);
      }),
      { numRuns: runs(150) },
    );
  });
});

/** The parts of a plan document that `mangle` damages. */
interface PlanDoc {
  devices: string[];
  inputs?: { tensor: string; device?: string }[];
  operations: { op: string; splits: unknown[]; devices: string[]; combineDevices?: string[] }[];
  order?: string[];
}

/** One random damage to a plan document: a wrong split, device, placement, entry or order. */
function mangle(doc: PlanDoc, dice: Dice): void {
  const ops = doc.operations;
  const entry = ops[dice.int(ops.length)]!;
  const someDevice = () => dice.pick(["d0", "d1", "d3", "d9", "", "mm"]);
  switch (dice.int(9)) {
    case 0:
      entry.splits = [{ dim: dice.between(-1, 7), parts: dice.between(0, 9) }];
      break;
    case 1:
      entry.splits = [{ dim: dice.between(0, 5), cuts: [dice.between(-2, 9), dice.between(-2, 9)] }];
      break;
    case 2:
      entry.devices = entry.devices.map(() => someDevice());
      break;
    case 3:
      entry.combineDevices = [someDevice()];
      break;
    case 4:
      ops.splice(dice.int(ops.length), 1);
      break;
    case 5:
      ops.push({ ...entry });
      break;
    case 6:
      doc.inputs = [
        ...(doc.inputs ?? []),
        { tensor: dice.pick(["x", "in0", "in1", "y", "nope"]), device: someDevice() },
      ];
      break;
    case 7:
      doc.order = ops.flatMap((o) => o.devices.map((_, k) => `${o.op}#${k}`)).reverse();
      break;
    default:
      doc.devices = [...doc.devices, dice.pick(doc.devices)];
  }
}
