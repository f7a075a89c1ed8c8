import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { isTesseraError } from "../base/errors.js";
import { renderError } from "../base/render.js";
import type { Pricing } from "../cost/index.js";
import { calibrateToFile, DEFAULT_CALIBRATION_FILE } from "./calibrate-command.js";
import { endQuietlyOnClosedPipe } from "./closed-stdout.js";
import { defaultDemoOptions, runDemo } from "./demo.js";
import { evalProgramFile } from "./eval-command.js";
import { exportPlanFile } from "./export-command.js";
import { gradProgramFile, trainStepProgramFile } from "./grad-command.js";
import { collectDim, importModelFile } from "./import-command.js";
import { matmulGeometryDemo } from "./matmul-geometry-demo.js";
import { parseBudget, planProgramFile } from "./plan-command.js";
import { pricingOption } from "./pricing-option.js";
import { collectList, collectRaw, kernelsOption, registryWith } from "./registry-option.js";
import { DEFAULT_REPORT_CLUSTER, reportFile } from "./report-command.js";
import { runPlanFile } from "./run-command.js";
import { shardProgramFile } from "./shard-command.js";
import { simulatePlanFile } from "./simulate-command.js";
import { validateFiles } from "./validate-command.js";
import { runWorkerCommand } from "./worker-command.js";

/** What `--recompute` of `grad` and `train-step` takes. */
const RECOMPUTE_HELP =
  "activations to recompute in the backward instead of keeping them: tensor ids (comma-separated), or cheap";

/** Exit code for errors the user can fix (bad input, bad usage). */
export const EXIT_USER_ERROR = 2;

/** Thrown by a command that already printed its findings and must exit 2. */
class ReportedFailure extends Error {}

/** Thrown when a verified run differs from the reference: a finding, not a usage error (exit 1). */
class VerificationFailed extends Error {}

/** What `--pricing` says of itself where it has a default. */
const PRICING_MODES = "point-to-point or collective (ring formulas for recognised collectives)";

/** The largest count an option takes: beyond it a count is a typo, and would exhaust memory. */
const MAX_COUNT = 1 << 20;

/** A positive integer up to `max` (commander passes the previous value second, so `max` is not a default). */
function countUpTo(value: string, max: number): number {
  if (!/^[1-9]\d*$/.test(value) || Number(value) > max)
    throw new CommanderError(
      2,
      "tessera.option",
      `error: expected a positive integer up to ${max}, found '${value}'\n`,
    );
  return Number(value);
}

/** `--max-chain`: the distributed executor takes 1 to 100,000 tasks per job. */
function parseMaxChain(value: string): number {
  return countUpTo(value, 100_000);
}

/** Worker threads: each costs a thread and its memory, so a few hundred is already generous. */
const MAX_WORKERS = 1024;

function parseWorkers(value: string): number {
  return countUpTo(value, MAX_WORKERS);
}

function parseCount(value: string): number {
  return countUpTo(value, MAX_COUNT);
}

/** `--input-cache-mb`: mebibytes from 0 (nothing) up to `MAX_COUNT` (1 TiB): more is a typo. */
function parseInputCacheMb(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > MAX_COUNT)
    throw new CommanderError(
      2,
      "tessera.option",
      `error: --input-cache-mb must be a whole number of MiB from 0 to ${MAX_COUNT}, found '${value}'\n`,
    );
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
    .description(
      "validate documents of any kind (program, plan, cluster, tensors, kernel, search-result); exits 2 when any is invalid",
    )
    .argument("<files...>", "document files (JSON or YAML)")
    .addOption(kernelsOption())
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
    .addOption(kernelsOption())
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
    .description(
      "run a plan on local worker threads (or --executor distributed: tessera worker processes); --verify compares with the reference evaluator",
    )
    .argument("<plan>", "plan file (JSON or YAML), e.g. from tessera shard")
    .option("--workers <n>", "cap on worker threads (devices share threads beyond it)", parseWorkers)
    .option("--backend <name>", "kernel backend in the workers: reference or onnx", "reference")
    .option("--verify", "evaluate the reference too and report max abs/rel error per output", false)
    .option("--seed <n>", "seed of the random inputs", parseSeed, 0)
    .option("--executor <name>", "local (worker threads) or distributed (tessera worker processes)", "local")
    .option(
      "--redis <url>",
      "Redis of the distributed executor (redis:// or rediss://)",
      "redis://127.0.0.1:6379",
    )
    .option("--insecure", "allow a non-loopback Redis without password or TLS", false)
    .option(
      "--data-host <host>",
      "address workers reach this process at for inputs and outputs (default 127.0.0.1 with a loopback Redis, else the host name)",
    )
    .option(
      "--data-plane <plane>",
      "how inputs and outputs reach the workers: direct (HTTP to this process; default on redis://) or redis (default on rediss://)",
    )
    .option(
      "--max-chain <n>",
      "most consecutive tasks of one device a distributed job runs (default 64; 1 = a job per task)",
      parseMaxChain,
    )
    .option(
      "--no-shared-memory",
      "send inputs to workers on this machine over HTTP too, not through files in /dev/shm",
    )
    .option(
      "--inputs <file>",
      "input values: tensor file, .safetensors or [name=]file.npy (repeatable)",
      collectRaw,
      [],
    )
    .option("--out <file>", "write the sharded outputs (.safetensors, .npy or tensor file)")
    .addOption(kernelsOption())
    .action(
      async (
        file: string,
        opts: {
          workers?: number;
          backend: string;
          verify: boolean;
          seed: number;
          inputs: string[];
          out?: string;
          kernels: string[];
          executor: string;
          redis: string;
          insecure: boolean;
          dataHost?: string;
          dataPlane?: string;
          maxChain?: number;
          sharedMemory: boolean;
        },
      ) => {
        if (opts.executor !== "local" && opts.executor !== "distributed") {
          throw new CommanderError(
            2,
            "tessera.option",
            `error: --executor must be local or distributed, found '${opts.executor}'\n`,
          );
        }
        if (opts.dataPlane !== undefined && opts.dataPlane !== "direct" && opts.dataPlane !== "redis") {
          throw new CommanderError(
            2,
            "tessera.option",
            `error: --data-plane must be direct or redis, found '${opts.dataPlane}'\n`,
          );
        }
        const distributedOnly = [
          ...(opts.dataPlane === undefined ? [] : ["--data-plane"]),
          ...(opts.maxChain === undefined ? [] : ["--max-chain"]),
          ...(opts.dataHost === undefined ? [] : ["--data-host"]),
          ...(opts.sharedMemory ? [] : ["--no-shared-memory"]),
        ];
        if (opts.executor === "local" && distributedOnly.length > 0) {
          throw new CommanderError(
            2,
            "tessera.option",
            `error: ${distributedOnly.join(", ")} only apply to --executor distributed\n`,
          );
        }
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
            executor: opts.executor,
            redis: opts.redis,
            insecure: opts.insecure,
            ...(opts.dataHost === undefined ? {} : { dataHost: opts.dataHost }),
            ...(opts.dataPlane === undefined ? {} : { dataPlane: opts.dataPlane as "direct" | "redis" }),
            ...(opts.maxChain === undefined ? {} : { maxChain: opts.maxChain }),
            ...(opts.sharedMemory ? {} : { sharedMemory: false }),
            ...(opts.workers === undefined ? {} : { workers: opts.workers }),
            inputs: opts.inputs,
            ...(opts.out === undefined ? {} : { out: opts.out }),
          },
          registryWith(opts.kernels),
          out,
        );
        if (!ok) throw new VerificationFailed();
      },
    );
  program
    .command("worker")
    .description("serve the distributed executor: take shard jobs from Redis until SIGINT/SIGTERM")
    .option("--redis <url>", "Redis to take jobs from (redis:// or rediss://)", "redis://127.0.0.1:6379")
    .option("--insecure", "allow a non-loopback Redis without password or TLS", false)
    .option("--threads <n>", "weight in the device assignment, and ONNX intra-op threads", parseWorkers, 1)
    .option("--name <name>", "unique worker name (A-Z a-z 0-9 _ -), default <host>-<pid>")
    .option("--backend <name>", "kernel backend: reference or onnx", "reference")
    .option(
      "--heartbeat-ms <ms>",
      "how often the registration is renewed (lost after 3 missed)",
      parseCount,
      1000,
    )
    .option(
      "--input-cache-mb <MiB>",
      "most program inputs kept between runs for coordinators that ask (keepInputs); 0: none",
      parseInputCacheMb,
      1024,
    )
    .addOption(kernelsOption())
    .action(
      async (opts: {
        heartbeatMs: number;
        inputCacheMb: number;
        redis: string;
        insecure: boolean;
        threads: number;
        name?: string;
        backend: string;
        kernels: string[];
      }) => {
        if (opts.backend !== "reference" && opts.backend !== "onnx") {
          throw new CommanderError(
            2,
            "tessera.option",
            `error: --backend must be reference or onnx, found '${opts.backend}'\n`,
          );
        }
        await runWorkerCommand({ ...opts, backend: opts.backend }, out);
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
    .addOption(pricingOption(PRICING_MODES, "point-to-point"))
    .option("--json", "print the simulation (cost vector and timeline) as JSON", false)
    .addOption(kernelsOption())
    .action((file: string, opts: { cluster: string; pricing: Pricing; json: boolean; kernels: string[] }) => {
      simulatePlanFile(
        file,
        { cluster: opts.cluster, pricing: opts.pricing, json: opts.json },
        registryWith(opts.kernels),
        out,
      );
    });
  program
    .command("plan")
    .description(
      "search the Pareto front of plans of a program on a cluster; print it beside the baselines, write plans and a report",
    )
    .argument("<program>", "program file (JSON or YAML)")
    .requiredOption(
      "--cluster <file|preset>",
      "cluster file or preset (dgx-a100, a100-8x8, a100-64x8, local)",
    )
    .option("--devices <n>", "plan for the cluster's first n devices (default all)", parseCount)
    .option("--budget <budget>", "30s, 500ms, 20000 (plan evaluations) or 30s,20000", "10s")
    .option(
      "--seed <n>",
      "random seed: the same seed, evaluation budget and workers give the same front",
      parseSeed,
      0,
    )
    .option("--workers <n>", "worker threads searching in parallel", parseWorkers, 1)
    .option(
      "--redis <url>",
      "run the --workers searching in parallel on the tessera worker processes at this Redis, not on threads",
    )
    .option("--insecure", "allow a non-loopback Redis without password or TLS", false)
    .option(
      "--pin <spec>",
      "op=dim:parts[,dim:parts] | op=whole, optionally @dev,dev (placement); or op@dev,dev (confine) — repeatable",
      collectRaw,
      [],
    )
    .addOption(pricingOption(PRICING_MODES, "point-to-point"))
    .option("--ilp", "also solve the layout ILP and show its optimum beside the front", false)
    .option(
      "--no-tile-stack",
      "do not plan two layers of a stack of repeated layers first and tile them (see docs/search.md)",
    )
    .option(
      "-o, --out <dir>",
      "folder for the search result, plan files and report (default out/plan-<program>)",
    )
    .option("--no-report", "do not write the HTML report")
    .addOption(kernelsOption())
    .action(
      async (
        file: string,
        opts: {
          cluster: string;
          devices?: number;
          budget: string;
          seed: number;
          workers: number;
          pin: string[];
          pricing: Pricing;
          ilp: boolean;
          tileStack: boolean;
          out?: string;
          report: boolean;
          kernels: string[];
          redis?: string;
          insecure: boolean;
        },
      ) => {
        const name = basename(file).replace(/\.(json|ya?ml)$/i, "");
        await planProgramFile(
          file,
          {
            cluster: opts.cluster,
            ...(opts.devices === undefined ? {} : { devices: opts.devices }),
            budget: parseBudget(opts.budget),
            seed: opts.seed,
            workers: opts.workers,
            pins: opts.pin,
            pricing: opts.pricing,
            ilp: opts.ilp,
            ...(opts.tileStack ? {} : { tileStack: false }),
            out: opts.out ?? join("out", `plan-${name}`),
            report: opts.report,
            ...(opts.redis === undefined ? {} : { redis: opts.redis, insecure: opts.insecure }),
          },
          registryWith(opts.kernels),
          out,
        );
      },
    );
  program
    .command("report")
    .description(
      "write a self-contained HTML report of a plan or a search result: front, plan pictures, explanation",
    )
    .argument("<plan-or-search-result>", "plan file or search result file (JSON or YAML)")
    .option("-o, --out <file>", "where to write the report", "report.html")
    .option(
      "--cluster <file|preset>",
      `cluster to simulate a plan file on (default ${DEFAULT_REPORT_CLUSTER}; a search result has its own)`,
    )
    .addOption(pricingOption("point-to-point or collective, for a plan file (default point-to-point)"))
    .option("--max-pictures <n>", "draw pictures for at most this many plans (default 24)", parseCount)
    .option(
      "--picture-budget <n>",
      "tasks plus transfers drawn in all pictures together; the chosen plan is always drawn (default 40000)",
      parseCount,
    )
    .addOption(kernelsOption())
    .action(
      async (
        file: string,
        opts: {
          out: string;
          cluster?: string;
          pricing?: Pricing;
          maxPictures?: number;
          pictureBudget?: number;
          kernels: string[];
        },
      ) => {
        await reportFile(
          file,
          {
            out: opts.out,
            ...(opts.cluster === undefined ? {} : { cluster: opts.cluster }),
            ...(opts.pricing === undefined ? {} : { pricing: opts.pricing }),
            ...(opts.maxPictures === undefined ? {} : { maxPictures: opts.maxPictures }),
            ...(opts.pictureBudget === undefined ? {} : { pictureBudget: opts.pictureBudget }),
          },
          registryWith(opts.kernels),
          out,
        );
      },
    );
  program
    .command("calibrate")
    .description(
      "measure this machine (kernel throughput, worker-to-worker transfers) and write a cluster file",
    )
    .option("-o, --out <file>", "where to write the cluster file", DEFAULT_CALIBRATION_FILE)
    .option(
      "--workers <n>",
      "worker threads, i.e. devices of the cluster (default: the cores, at least 2)",
      parseWorkers,
    )
    .option("--backend <name>", "kernel backend the figures are for: onnx or reference", "onnx")
    .option("--quick", "fewer, smaller repeats: a few seconds, noisier figures", false)
    .action(async (opts: { out: string; workers?: number; backend: string; quick: boolean }) => {
      await calibrateToFile(
        {
          out: opts.out,
          backend: opts.backend,
          quick: opts.quick,
          ...(opts.workers === undefined ? {} : { workers: opts.workers }),
        },
        out,
      );
    });
  program
    .command("import")
    .description("import an ONNX model as a program, its constants as a tensor file beside it")
    .argument("<model>", "ONNX model file (.onnx)")
    .requiredOption("-o, --out <file>", "where to write the program (JSON)")
    .option("--weights <file>", "where to write the constants (default: <out>.weights.json)")
    .option("--dim <name=size>", "size of a symbolic input dimension (repeatable)", collectDim, {})
    .option(
      "--data <file>",
      "values of the model's data inputs: also write <out>.inputs.json, constants and data",
    )
    .action(
      (
        model: string,
        opts: { out: string; weights?: string; data?: string; dim: Record<string, number> },
      ) => {
        importModelFile(
          model,
          {
            out: opts.out,
            dims: opts.dim,
            ...(opts.weights === undefined ? {} : { weights: opts.weights }),
            ...(opts.data === undefined ? {} : { data: opts.data }),
          },
          out,
        );
      },
    );
  program
    .command("eval")
    .description("evaluate a program unsharded and print output summaries")
    .argument("<program>", "program file (JSON or YAML)")
    .option("--seed <n>", "seed of the random inputs", parseSeed, 0)
    .option(
      "--inputs <file>",
      "input values: tensor file (schemas/tensors.schema.json), .safetensors or [name=]file.npy (repeatable)",
      collectRaw,
      [],
    )
    .option("--out <file>", "write the outputs (.safetensors, .npy or tensor file, by extension)")
    .option(
      "--backend <name>",
      "kernels: reference (the slow ground truth) or onnx (ONNX Runtime, much faster)",
      "reference",
    )
    .addOption(kernelsOption())
    .action(
      async (
        file: string,
        opts: { seed: number; inputs: string[]; out?: string; backend: string; kernels: string[] },
      ) => {
        if (opts.backend !== "reference" && opts.backend !== "onnx") {
          throw new CommanderError(
            2,
            "tessera.option",
            `error: --backend must be reference or onnx, found '${opts.backend}'\n`,
          );
        }
        await evalProgramFile(
          file,
          {
            seed: opts.seed,
            backend: opts.backend,
            inputs: opts.inputs,
            ...(opts.out === undefined ? {} : { out: opts.out }),
          },
          registryWith(opts.kernels),
          out,
        );
      },
    );
  program
    .command("grad")
    .description(
      "append the backward pass to a program: gradients of --loss with respect to each --wrt tensor",
    )
    .argument("<program>", "program file (JSON or YAML)")
    .requiredOption("--loss <tensor>", "the tensor to differentiate (its elements are summed)")
    .requiredOption(
      "--wrt <tensors>",
      "tensors to differentiate with respect to (comma-separated)",
      collectList,
    )
    .option("--recompute <tensors>", RECOMPUTE_HELP, collectList)
    .option("-o, --out <file>", "write the program here (default: print it)")
    .addOption(kernelsOption())
    .action(
      (
        file: string,
        opts: { loss: string; wrt: string[]; recompute?: string[]; out?: string; kernels: string[] },
      ) => {
        gradProgramFile(
          file,
          {
            loss: opts.loss,
            wrt: opts.wrt,
            ...(opts.recompute === undefined ? {} : { recompute: opts.recompute }),
            ...(opts.out === undefined ? {} : { out: opts.out }),
          },
          registryWith(opts.kernels),
          out,
        );
      },
    );
  program
    .command("train-step")
    .description("one training step as a program: forward, backward and an sgd, momentum or adam update")
    .argument("<program>", "program file (JSON or YAML)")
    .requiredOption("--loss <tensor>", "the tensor to minimize (its elements are summed)")
    .requiredOption("--params <tensors>", "weights (program inputs) to update, comma-separated", collectList)
    .option("--optimizer <kind>", "sgd, momentum or adam", "adam")
    .option("--lr <rate>", "learning rate", Number, 1e-3)
    .option("--recompute <tensors>", RECOMPUTE_HELP, collectList)
    .option("-o, --out <file>", "write the program here (default: print it)")
    .addOption(kernelsOption())
    .action(
      (
        file: string,
        opts: {
          loss: string;
          params: string[];
          optimizer: string;
          lr: number;
          recompute?: string[];
          out?: string;
          kernels: string[];
        },
      ) => {
        trainStepProgramFile(
          file,
          {
            loss: opts.loss,
            params: opts.params,
            optimizer: opts.optimizer,
            lr: opts.lr,
            ...(opts.recompute === undefined ? {} : { recompute: opts.recompute }),
            ...(opts.out === undefined ? {} : { out: opts.out }),
          },
          registryWith(opts.kernels),
          out,
        );
      },
    );
  program
    .command("export")
    .description("export a plan as a torch.distributed program (one rank per plan device) into a folder")
    .argument("<plan>", "plan file (JSON or YAML)")
    .option("--target <name>", "what to export to: torch", "torch")
    .requiredOption("-o, --out <dir>", "folder for plan.py, traffic.json (and inputs.safetensors)")
    .option(
      "--inputs <file>",
      "input values to ship as inputs.safetensors: tensor file, .safetensors or [name=]file.npy (repeatable)",
      collectRaw,
      [],
    )
    .option("--point-to-point", "send every derived transfer point to point, never as a collective", false)
    .addOption(kernelsOption())
    .action(
      (
        file: string,
        opts: { target: string; out: string; inputs: string[]; pointToPoint: boolean; kernels: string[] },
      ) => {
        exportPlanFile(
          file,
          { target: opts.target, out: opts.out, inputs: opts.inputs, pointToPoint: opts.pointToPoint },
          registryWith(opts.kernels),
          out,
        );
      },
    );
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
  endQuietlyOnClosedPipe(process.stdout);
  endQuietlyOnClosedPipe(process.stderr);
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
