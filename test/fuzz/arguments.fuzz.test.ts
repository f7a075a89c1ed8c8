/**
 * The fuzz suite over command arguments: random argument lists for the commands that finish
 * quickly on small inputs (validate, shard, simulate, eval, report, run), with values that broke
 * Tessera before (2^32 devices, repeated names, blanks, Object.prototype names, huge counts).
 * Each run must end with exit 0 or 2 (never 1, which only a failed `--verify` gives) and
 * without an internal error or a stack trace. `TESSERA_DEEP=1` runs many more.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";

const deep = process.env.TESSERA_DEEP === "1";
const here = fileURLToPath(new URL(".", import.meta.url));
const seeds = readdirSync(join(here, "seeds")).map((f) => join(here, "seeds", f));
const dir = mkdtempSync(join(tmpdir(), "tessera-fuzz-args-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PLAN = join(here, "seeds", "plan.json");
const PROGRAM = join(here, "seeds", "program.json");
const CLUSTER = join(here, "seeds", "cluster.yaml");

const VALUES = [
  "0",
  "-1",
  "1",
  "2",
  "3",
  "1e20",
  "4294967296",
  "100000000",
  "a,a",
  "d0,d1",
  "",
  " ",
  "constructor",
  "__proto__",
  "abc",
  "NaN",
  "fc1=batch0:2",
  "x=d0",
  "local",
  "dgx-a100",
  "collective",
] as const;

/** The options each command takes, and the files it reads. */
const COMMANDS: Readonly<Record<string, { files: readonly string[]; options: readonly string[] }>> = {
  validate: { files: seeds, options: ["--kernels"] },
  shard: { files: [PROGRAM, ...seeds], options: ["--split", "--devices", "--home", "-o"] },
  simulate: { files: [PLAN, ...seeds], options: ["--cluster", "--pricing", "--json"] },
  eval: { files: [PROGRAM, ...seeds], options: ["--seed", "--inputs", "--out", "--backend"] },
  report: { files: [PLAN, ...seeds], options: ["--cluster", "--pricing", "--max-pictures", "-o"] },
  run: { files: [PLAN], options: ["--workers", "--seed", "--inputs", "--backend"] },
};

/** An option's value: outputs go to the test's folder, inputs are seed files or odd strings. */
const valueFor = (option: string) =>
  option === "-o" || option === "--out"
    ? fc.constantFrom(join(dir, "out"), join(dir, "missing", "out"), "")
    : option === "--inputs" || option === "--kernels"
      ? fc.constantFrom(...seeds, join(dir, "nope.json"), "")
      : option === "--cluster"
        ? fc.constantFrom(CLUSTER, "local", "dgx-a100", "nope", "toString", "")
        : fc.constantFrom(...VALUES);

const argv = fc
  .constantFrom(...Object.keys(COMMANDS))
  .chain((command) => {
    const { files, options } = COMMANDS[command]!;
    const option = fc
      .constantFrom(...options)
      .chain(
        (o): fc.Arbitrary<string[]> => (o === "--json" ? fc.constant([o]) : valueFor(o).map((v) => [o, v])),
      );
    return fc.tuple(
      fc.constant(command),
      fc.constantFrom(...files, join(dir, "absent.json"), ""),
      fc.array(option, { maxLength: 4 }),
    );
  })
  // shard and report write to the working folder without -o: keep them in the test's folder.
  .map(([command, file, options]) => {
    const flat = options.flat();
    const keep = (command === "shard" || command === "report") && !flat.includes("-o");
    return [command, file, ...flat, ...(keep ? ["-o", join(dir, "default")] : [])];
  });

describe("fuzzed command arguments", () => {
  it(
    "end with exit 0 or 2, with no internal error or stack trace",
    async () => {
      await fc.assert(
        fc.asyncProperty(argv, async (args) => {
          // `--cluster` is required by simulate and report; without it they exit 2 too.
          const r = await runCli(args);
          expect([0, 2], `${args.join(" ")}\n${r.err}`).toContain(r.code);
          expect(r.err).not.toMatch(/internal error|\n\s+at /);
        }),
        { numRuns: deep ? 5000 : 400 },
      );
    },
    deep ? 3_600_000 : 120_000,
  );
});
