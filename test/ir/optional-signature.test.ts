// An operation's index and signature are a cache of what its kernel derives: optional on input.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { programToJson, validateProgram } from "../../src/ir/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";

const registry = builtinRegistry();
type Doc = { operations: Record<string, unknown>[] };
const example = () => JSON.parse(readFileSync("examples/mlp.json", "utf8")) as Doc;

describe("operation signatures are optional on input", () => {
  it("a program without index and signature validates to the same program as with them", () => {
    const full = validateProgram(example(), registry).program!;
    const bare = example();
    for (const op of bare.operations) {
      delete op.index;
      delete op.signature;
    }
    const { program, issues } = validateProgram(bare, registry);
    expect(issues).toEqual([]);
    expect(programToJson(program!)).toEqual(programToJson(full));
  });

  it("a signature that is given is still checked", () => {
    const doc = example();
    const sig = doc.operations[0]!.signature as { indexNames: string[] };
    sig.indexNames = sig.indexNames.map((n) => `${n}x`);
    const { issues } = validateProgram(doc, registry);
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ["signature_mismatch", "/operations/0/signature/indexNames"],
    ]);
  });

  it.each(["toString", "constructor", "__proto__", "valueOf", "hasOwnProperty"])(
    "a stored projection for an extra operand named %s is a signature_mismatch",
    (name) => {
      const doc = example();
      const sig = doc.operations[0]!.signature as { inputs: Record<string, unknown> };
      const first = Object.values(sig.inputs)[0];
      Object.defineProperty(sig.inputs, name, {
        value: first,
        enumerable: true,
        configurable: true,
        writable: true,
      });
      const { issues } = validateProgram(doc, registry);
      expect(issues.map((i) => i.code)).toEqual(["signature_mismatch"]);
      expect(issues[0]!.summary).toContain(`'${name}' projection is present`);
    },
  );
});
