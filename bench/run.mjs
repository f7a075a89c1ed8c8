// `npm run bench`: runs every benchmark suite, prints a table per suite, and records the results
// in BENCHMARKS.md, replacing each suite's own section and keeping the others.
//
//   node bench/run.mjs [suite-id ...] [--quick]
//
// A suite is a module exporting `id`, `title`, `description` and either `cases()` →
// [{ name, fn(i) }] (micro-benchmarks timed here) or `run({ quick })` → { headings, rows, notes }
// (end-to-end measurements that time themselves).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  describeMachine,
  machineInfo,
  markdownTable,
  measure,
  RESULT_HEADINGS,
  resultRows,
  textTable,
} from "./harness.mjs";

/** The suites, in report order; add a module here to add a suite. */
const SUITES = [
  "./zspace.mjs",
  "./executor.mjs",
  "./simulator.mjs",
  "./planner.mjs",
  "./fidelity.mjs",
  "./distributed.mjs",
];

const COMMAND = "npm run bench";
const REPORT = fileURLToPath(new URL("../BENCHMARKS.md", import.meta.url));

const HEADER = `# Benchmarks

Throughput of Tessera's hot paths, written by \`${COMMAND}\` (\`bench/run.mjs\`). Each suite has its
own section, replaced when that suite is re-run; sections of other suites are kept. A figure is
the median ops/s of several timed runs after warm-up; the spread is the slowest and fastest run.
Numbers depend on the machine recorded with them: compare runs on the same machine only.
This file is generated: text outside the suite sections is rewritten on every run.
`;

const begin = (id) => `<!-- bench:${id}:begin -->`;
const end = (id) => `<!-- bench:${id}:end -->`;

/** The markdown section of one suite's results, fenced by markers so a re-run can replace it. */
function section(suite, table, machine, date) {
  return [
    begin(suite.id),
    `## ${suite.title} (\`${suite.id}\`)`,
    "",
    suite.description,
    "",
    `- command: \`${COMMAND}\``,
    `- machine: ${describeMachine(machine)}`,
    `- date: ${date}`,
    "",
    markdownTable(table.headings, table.rows),
    ...(table.notes === undefined || table.notes.length === 0
      ? []
      : ["", ...table.notes.map((n) => `- ${n}`)]),
    end(suite.id),
  ].join("\n");
}

/** Existing sections of the report, by suite id, in file order. */
function readSections(text) {
  const found = new Map();
  for (const m of text.matchAll(/<!-- bench:([\w-]+):begin -->[\s\S]*?<!-- bench:\1:end -->/g))
    found.set(m[1], m[0]);
  return found;
}

/** The report text with `fresh` sections replacing (or appended after) those already in `previous`. */
export function updateReport(previous, fresh) {
  const sections = readSections(previous);
  for (const [id, text] of fresh) sections.set(id, text);
  return `${HEADER}\n${[...sections.values()].join("\n\n")}\n`;
}

async function main() {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const only = args.filter((a) => !a.startsWith("--"));
  const options = quick ? { runs: 3, minTimeMs: 50 } : { runs: 9, minTimeMs: 200 };
  const machine = machineInfo();
  console.log(`${COMMAND}: ${describeMachine(machine)}${quick ? " (quick)" : ""}\n`);

  const fresh = new Map();
  for (const specifier of SUITES) {
    const suite = await import(specifier);
    if (only.length > 0 && !only.includes(suite.id)) continue;
    const date = new Date().toISOString();
    const table =
      typeof suite.run === "function"
        ? await suite.run({ quick })
        : {
            headings: RESULT_HEADINGS,
            rows: resultRows(suite.cases().map((c) => measure(c.name, c.fn, options))),
          };
    const notes = table.notes === undefined ? "" : `\n${table.notes.map((n) => `  ${n}`).join("\n")}`;
    console.log(`${suite.title} (${suite.id})\n${textTable(table.headings, table.rows)}${notes}\n`);
    fresh.set(suite.id, section(suite, table, machine, date));
  }
  if (fresh.size === 0) {
    console.error(`no suite matches ${only.join(", ")}`);
    process.exitCode = 2;
    return;
  }
  if (quick) {
    console.log("quick run: BENCHMARKS.md not updated");
    return;
  }
  const previous = existsSync(REPORT) ? readFileSync(REPORT, "utf8") : "";
  writeFileSync(REPORT, updateReport(previous, fresh));
  console.log(`wrote ${REPORT}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
