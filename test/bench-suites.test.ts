import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// `npm run bench` imports every suite module before running the ones asked for, so one suite
// importing a name the package no longer exports breaks them all (the bench reads dist/).
const runner = readFileSync(new URL("../bench/run.mjs", import.meta.url), "utf8");
const suites = [...(runner.match(/const SUITES = \[([^\]]*)\]/)?.[1] ?? "").matchAll(/"([^"]+)"/g)].map(
  (m) => m[1]!,
);

describe("the bench suites", () => {
  it("are listed in bench/run.mjs", () => {
    expect(suites.length).toBeGreaterThanOrEqual(6);
  });

  it.each(suites)(
    "%s loads and declares its id, title, description and a way to run",
    async (path) => {
      const url = new URL(`../bench/${path.replace(/^\.\//, "")}`, import.meta.url).href;
      const suite = (await import(url)) as Record<string, unknown>;
      expect(typeof suite.id).toBe("string");
      expect(typeof suite.title).toBe("string");
      expect(typeof suite.description).toBe("string");
      expect(typeof suite.run === "function" || typeof suite.cases === "function").toBe(true);
    },
    120_000,
  );
});
