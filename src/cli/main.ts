import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { isTesseraError } from "../base/errors.js";
import { renderError } from "../base/render.js";
import { defaultDemoOptions, runDemo } from "./demo.js";
import { evalProgramFile } from "./eval-command.js";
import { matmulGeometryDemo } from "./matmul-geometry-demo.js";
import { collectList, collectRaw, registryWith } from "./registry-option.js";
import { runPlanFile } from "./run-command.js";
import { shardProgramFile } from "./shard-command.js";
import { simulatePlanFile } from "./simulate-command.js";
import { validateFiles } from "./validate-command.js";

/** Exit code for errors the user can fix (bad input, bad usage). */
export const EXIT_USER_ERROR = 2;

/** Thrown by a command that already printed its findings and must exit 2. */
class ReportedFailure extends Error {}

/** Thrown when a verified run differs from the reference: a finding, not a usage error (exit 1). */
class VerificationFailed extends Error {}

function parseCount(value: string): number {
  if (!/^[1-9]\d*$/.test(value))
    throw new CommanderError(2, "tessera.option", `error: expected a positive integer, found '${value}'\n`);
  return Number(value);
}

function parseSeed(value: string): number {
  // Number("") and Number(" ") are 0: accept decimal digits only.
  const n = /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n))
    throw new CommanderError(2, "tessera.seed", `error: --seed must be an integer, found '${value}'\n`);
  return n;
}

function buildProgram(out: (s: string) => void): Command {
  const program = new Command("tessera")
    .description("Shard scheduler for tensor programs: plan, simulate and run sharded tensor programs")
    .version("0.1.0")
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: (s) => process.stderr.write(s) });
  program
    .command("demo")
    .description("run the end-to-end demo: validate, evaluate and shard the transformer block example")
    .action(async () => {
      const ok = await runDemo(defaultDemoOptions(fileURLToPath(new URL("../..", import.meta.url))), out);
      if (!ok) throw new VerificationFailed();
    });
  program
    .command("geometry")
    .description("show the geometry of sharding a matmul index space and projecting shards onto its tensors")
    .action(() => {
      out(`${matmulGeometryDemo()}\n`);
    });
  program
    .command("validate")
    .description("validate program files (JSON or YAML); exits 2 when any is invalid")
    .argument("<files...>", "program files")
    .option(
      "--kernels <files>",
      "kernel declaration files to register (repeatable, comma-separated)",
      collectList,
      [],
    )
    .action((files: string[], opts: { kernels: string[] }) => {
      if (!validateFiles(files, registryWith(opts.kernels), out)) throw new ReportedFailure();
    });
  program
    .command("shard")
    .description("write a plan by hand: split operations along index dimensions and deal shards over devices")
    .argument("<program>", "program file (JSON or YAML)")
    .option(
      "--split <specs>",
      "op=dim:parts[,dim:parts][,op2=...]; dim by name or number; dim@a/b cuts at a and b",
      collectRaw,
      [],
    )
    .option("--devices <n|names>", "device count or comma-separated names", "2")
    .option(
      "--home <input=device>",
      "place a program input on one device (default: pre-distributed)",
      collectList,
      [],
    )
    .option("-o, --out <file>", "where to write the plan", "plan.json")
    .option(
      "--kernels <files>",
      "kernel declaration files to register (repeatable, comma-separated)",
      collectList,
      [],
    )
    .action(
      (
        file: string,
        opts: { split: string[]; devices: string; home: string[]; out: string; kernels: string[] },
      ) => {
        shardProgramFile(file, opts, registryWith(opts.kernels), out);
      },
    );
  program
    .command("run")
    .description("run a plan on local worker threads; --verify compares with the reference evaluator")
    .argument("<plan>", "plan file (JSON or YAML), e.g. from tessera shard")
    .option("--workers <n>", "cap on worker threads (devices share threads beyond it)", parseCount)
    .option("--backend <name>", "kernel backend in the workers: reference or onnx", "reference")
    .option("--verify", "evaluate the reference too and report max abs/rel error per output", false)
    .option("--seed <n>", "seed of the random inputs", parseSeed, 0)
    .option("--inputs <file>", "input values (tensor file)")
    .option(
      "--kernels <files>",
      "kernel declaration files to register (repeatable, comma-separated)",
      collectList,
      [],
    )
    .action(
      async (
        file: string,
        opts: {
          workers?: number;
          backend: string;
          verify: boolean;
          seed: number;
          inputs?: string;
          kernels: string[];
        },
      ) => {
        if (opts.backend !== "reference" && opts.backend !== "onnx") {
          throw new CommanderError(
            2,
            "tessera.option",
            `error: --backend must be reference or onnx, found '${opts.backend}'\n`,
          );
        }
        const ok = await runPlanFile(
          file,
          {
            backend: opts.backend,
            verify: opts.verify,
            seed: opts.seed,
            kernels: opts.kernels,
            ...(opts.workers === undefined ? {} : { workers: opts.workers }),
            ...(opts.inputs === undefined ? {} : { inputs: opts.inputs }),
          },
          registryWith(opts.kernels),
          out,
        );
        if (!ok) throw new VerificationFailed();
      },
    );
  program
    .command("simulate")
    .description(
      "simulate a plan on a cluster model: cost vector, recognised collectives and a text timeline",
    )
    .argument("<plan>", "plan file (JSON or YAML)")
    .requiredOption(
      "--cluster <file|preset>",
      "cluster file or preset (dgx-a100, a100-8x8, a100-64x8, local)",
    )
    .option(
      "--pricing <mode>",
      "point-to-point or collective (ring formulas for recognised collectives)",
      "point-to-point",
    )
    .option("--json", "print the simulation (cost vector and timeline) as JSON", false)
    .option(
      "--kernels <files>",
      "kernel declaration files to register (repeatable, comma-separated)",
      collectList,
      [],
    )
    .action((file: string, opts: { cluster: string; pricing: string; json: boolean; kernels: string[] }) => {
      if (opts.pricing !== "point-to-point" && opts.pricing !== "collective") {
        throw new CommanderError(
          2,
          "tessera.option",
          `error: --pricing must be point-to-point or collective, found '${opts.pricing}'\n`,
        );
      }
      simulatePlanFile(
        file,
        { cluster: opts.cluster, pricing: opts.pricing, json: opts.json },
        registryWith(opts.kernels),
        out,
      );
    });
  program
    .command("eval")
    .description("evaluate a program with the reference executor and print output summaries")
    .argument("<program>", "program file (JSON or YAML)")
    .option("--seed <n>", "seed of the random inputs", parseSeed, 0)
    .option("--inputs <file>", "input values (tensor file, see schemas/tensors.schema.json)")
    .option("--out <file>", "write the outputs to this tensor file")
    .option(
      "--kernels <files>",
      "kernel declaration files to register (repeatable, comma-separated)",
      collectList,
      [],
    )
    .action((file: string, opts: { seed: number; inputs?: string; out?: string; kernels: string[] }) => {
      evalProgramFile(
        file,
        {
          seed: opts.seed,
          ...(opts.inputs === undefined ? {} : { inputs: opts.inputs }),
          ...(opts.out === undefined ? {} : { out: opts.out }),
        },
        registryWith(opts.kernels),
        out,
      );
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
    if (error instanceof ReportedFailure) return EXIT_USER_ERROR;
    if (error instanceof VerificationFailed) return 1;
    if (error instanceof CommanderError) {
      // Tessera's own usage errors (`tessera.*`) are not printed by commander.
      if (error.code.startsWith("tessera.")) process.stderr.write(error.message);
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
