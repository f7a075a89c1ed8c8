import { Command, CommanderError } from "commander";
import { isTesseraError } from "../base/errors.js";
import { renderError } from "../base/render.js";
import { matmulGeometryDemo } from "./matmul-geometry-demo.js";

/** Exit code for errors the user can fix (bad input, bad usage). */
export const EXIT_USER_ERROR = 2;

function buildProgram(out: (s: string) => void): Command {
  const program = new Command("tessera")
    .description("Shard scheduler for tensor programs: plan, simulate and run sharded tensor programs")
    .version("0.1.0")
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: (s) => process.stderr.write(s) });
  program
    .command("demo")
    .description("show the end-to-end demo (today: the geometry of sharding a matmul)")
    .action(() => {
      out(`${matmulGeometryDemo()}\n`);
    });
  return program;
}

/**
 * Runs the CLI on `argv` (without `node` and the script) and returns the exit code:
 * 0 on success, 2 for user errors (rendered readably, never a stack trace), 1 for bugs.
 */
export async function main(
  argv: readonly string[],
  out: (s: string) => void = (s) => process.stdout.write(s),
): Promise<number> {
  const program = buildProgram(out);
  try {
    await program.parseAsync(argv.slice(), { from: "user" });
    return 0;
  } catch (error: unknown) {
    if (error instanceof CommanderError) {
      // Help and version are successful exits; everything else is a usage error already printed.
      return error.exitCode === 0 ? 0 : EXIT_USER_ERROR;
    }
    if (isTesseraError(error)) {
      process.stderr.write(`${renderError(error)}\n`);
      return EXIT_USER_ERROR;
    }
    process.stderr.write(
      `tessera: internal error (a bug; please report it)\n${error instanceof Error ? error.stack : String(error)}\n`,
    );
    return 1;
  }
}
