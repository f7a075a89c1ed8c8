import { basename } from "node:path";
import { readDocumentFile } from "../base/document-file.js";
import { TesseraError } from "../base/errors.js";
import { isJsonObject } from "../base/json.js";
import { loadCluster } from "../cluster/load-cluster.js";
import type { Pricing } from "../cost/context.js";
import type { KernelRegistry } from "../kernels/registry.js";
import { parsePlan } from "../plan/validate-plan.js";
import { type ReportInput, writeHtmlReport } from "../report/html-report.js";
import { parseSearchResult } from "../search/result/search-result-file.js";

/** The cluster a lone plan is simulated on when `--cluster` is not given. */
export const DEFAULT_REPORT_CLUSTER = "dgx-a100";

/** Options of `tessera report`. */
export interface ReportOptions {
  readonly out: string;
  /** Cluster file or preset for a plan file (a search result carries its own). */
  readonly cluster?: string;
  /** Pricing for a plan file (a search result carries its own). */
  readonly pricing?: Pricing;
  readonly maxPictures?: number;
  /** Tasks plus transfers drawn in all plans' pictures (the chosen plan is always drawn). */
  readonly pictureBudget?: number;
}

/** The report's input from a plan file or a search result file, told apart by `kind`. */
export function reportInputFromFile(
  file: string,
  opts: ReportOptions,
  registry: KernelRegistry,
): ReportInput {
  const doc = readDocumentFile(file);
  const kind = isJsonObject(doc) ? doc.kind : undefined;
  if (kind === "search-result") return parseSearchResult(doc, registry);
  if (kind === "plan")
    return {
      plan: parsePlan(doc, registry),
      cluster: loadCluster(opts.cluster ?? DEFAULT_REPORT_CLUSTER),
      pricing: opts.pricing ?? "point-to-point",
      name: basename(file).replace(/\.(json|ya?ml)$/i, ""),
    };
  const found = typeof kind === "string" ? `a '${kind}' document` : "a document without a string `kind`";
  throw new TesseraError(
    "unexpected_kind",
    `${file} is ${found}; tessera report reads a plan (kind "plan") or a search result (kind "search-result")`,
    { file, found: typeof kind === "string" ? kind : null, expected: ["plan", "search-result"] },
  );
}

/**
 * Writes the HTML report of a plan file (simulated on `--cluster`, default `dgx-a100`) or of a
 * search result file, and prints where it went. A search result carries its own cluster and
 * pricing: `--cluster` and `--pricing` beside one are noted and ignored.
 */
export async function reportFile(
  file: string,
  opts: ReportOptions,
  registry: KernelRegistry,
  out: (s: string) => void,
): Promise<void> {
  const input = reportInputFromFile(file, opts, registry);
  const search = "front" in input;
  if (search && (opts.cluster !== undefined || opts.pricing !== undefined))
    out("note: a search result carries its own cluster and pricing; --cluster and --pricing are ignored\n");
  const path = await writeHtmlReport(input, opts.out, {
    source: file,
    ...(opts.maxPictures === undefined ? {} : { maxPictures: opts.maxPictures }),
    ...(opts.pictureBudget === undefined ? {} : { pictureBudget: opts.pictureBudget }),
  });
  const plans = search
    ? input.front.length + input.baselines.length + (input.optimum?.plan === undefined ? 0 : 1)
    : 1;
  const what = search
    ? `${input.front.length} front plan${input.front.length === 1 ? "" : "s"}, ${plans - input.front.length} other${plans - input.front.length === 1 ? "" : "s"}`
    : `one plan on ${input.cluster.name}`;
  out(`report written to ${path} (${what})\n`);
}
