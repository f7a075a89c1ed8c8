import { CommanderError, Option } from "commander";
import type { Pricing } from "../cost/index.js";

/** The `--pricing` value as a `Pricing`, or a usage error (exit code 2) naming the accepted modes. */
function parsePricing(value: string): Pricing {
  if (value === "point-to-point" || value === "collective") return value;
  throw new CommanderError(
    2,
    "tessera.option",
    `error: --pricing must be point-to-point or collective, found '${value}'\n`,
  );
}

/**
 * The `--pricing <mode>` option of a command, parsed into a `Pricing` as commander reads it (so
 * every command that takes it declares and checks it the same way); `fallback` is its default.
 */
export function pricingOption(description: string, fallback?: Pricing): Option {
  const option = new Option("--pricing <mode>", description).argParser(parsePricing);
  return fallback === undefined ? option : option.default(fallback);
}
