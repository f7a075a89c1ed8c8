import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** How to start a worker thread: a module to run, or (from sources) a bootstrap to evaluate. */
export interface WorkerLaunch {
  readonly script: URL | string;
  readonly eval: boolean;
}

/** The URL of tsx's ESM register API, resolved through tsx's own `exports` map from this module. */
function tsxRegisterApi(): string {
  const manifest = createRequire(import.meta.url).resolve("tsx/package.json");
  const pkg = JSON.parse(readFileSync(manifest, "utf8")) as {
    exports: Record<string, { import: { default: string } }>;
  };
  return pathToFileURL(join(dirname(manifest), pkg.exports["./esm/api"]!.import.default)).href;
}

/**
 * How to start the worker module `name` (e.g. `worker`) that sits beside the module at
 * `callerUrl` (its `import.meta.url`), `distPath` being that module's path under `dist/`
 * (e.g. `exec/local/worker.js`).
 *
 * Built (`dist/`): the sibling `.js`. From sources (tests under vitest, scripts under tsx): a
 * bootstrap that registers tsx in the worker and then imports the `.ts`. Passing
 * `execArgv: ["--import", "tsx"]` does not work here: on Node 20 hooks registered by a worker's
 * `--import` do not apply to the worker's own entry module (`ERR_UNKNOWN_FILE_EXTENSION`),
 * while `register()` called inside the worker does.
 */
export function workerLaunch(callerUrl: string, name: string, distPath: string): WorkerLaunch {
  const built = new URL(`./${name}.js`, callerUrl);
  if (existsSync(fileURLToPath(built))) return { script: built, eval: false };
  // The test suite builds dist/ first (test/support/global-setup.ts) and asks for the compiled
  // worker: it starts in ~50 ms where registering tsx in every worker costs ~700 ms, and it is
  // the code that ships.
  const compiled = new URL(`../../dist/${distPath}`, import.meta.url);
  if (process.env.TESSERA_WORKERS_FROM_DIST === "1" && existsSync(fileURLToPath(compiled))) {
    return { script: compiled, eval: false };
  }
  const source = new URL(`./${name}.ts`, callerUrl).href;
  const api = tsxRegisterApi();
  return {
    script: `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`,
    eval: true,
  };
}
