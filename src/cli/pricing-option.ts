import { CommanderError } from "commander";
import type { Pricing } from "../cost/index.js";

/** The `--pricing` value as a `Pricing`, or a usage error (exit code 2) naming the accepted modes. */
export function parsePricing(value: string): Pricing {
  if (value === "point-to-point" || value === "collective") return value;
  throw new CommanderError(
    2,
    "tessera.option",
    `error: --pricing must be point-to-point or collective, found '${value}'\n`,
  );
}
