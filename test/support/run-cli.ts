import { vi } from "vitest";
import { main } from "../../src/cli/main.js";

/** What one CLI invocation did: its exit code and what it wrote to stdout and stderr. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs the CLI in-process on `argv`, capturing stdout (through `main`'s writer) and stderr. */
export async function runCli(argv: readonly string[]): Promise<CliRun> {
  let out = "";
  let err = "";
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  try {
    const code = await main(argv, (s) => {
      out += s;
    });
    return { code, out, err };
  } finally {
    spy.mockRestore();
  }
}
