import { TesseraError } from "../base/errors.js";
import type { Program } from "../ir/program.js";
import type { Pin } from "../search/engine/pins.js";
import { parseSplitSpecs } from "./split-spec.js";

/**
 * Parses `--pin` values: `op=SPLITS` fixes a sharding (`SPLITS` as in `--split`: `dim:parts`
 * items separated by commas, or `whole`), `op=SPLITS@DEVICES` fixes its placement too (one
 * device per shard), and `op@DEVICES` confines its shards to those devices. `DEVICES` are
 * comma-separated cluster device ids or positions among the searched devices (`0,1,2`).
 * Throws `invalid_pin` for a malformed value and the split parser's errors for bad splits.
 */
export function parsePinSpecs(specs: readonly string[], program: Program, devices: readonly string[]): Pin[] {
  return specs.map((spec) => {
    const m = /^([^=@\s]+)(?:=([^@]*))?(?:@(.*))?$/.exec(spec);
    if (m === null || (m[2] === undefined && m[3] === undefined)) {
      throw new TesseraError(
        "invalid_pin",
        `--pin ${spec}: write op=dim:parts[,dim:parts], op=whole, op=...@dev,dev or op@dev,dev`,
        { spec },
      );
    }
    const op = m[1]!;
    const splitText = m[2];
    let splits: Pin["splits"];
    if (splitText !== undefined) {
      if (splitText === "")
        throw new TesseraError("invalid_pin", `--pin ${spec}: no split after '='`, { spec });
      splits = splitText === "whole" ? [] : (parseSplitSpecs([`${op}=${splitText}`], program)[op] ?? []);
    }
    let pinnedDevices: string[] | undefined;
    if (m[3] !== undefined) {
      pinnedDevices = m[3].split(",").map((d) => {
        if (/^\d+$/.test(d)) {
          const named = devices[Number(d)];
          if (named === undefined) {
            throw new TesseraError(
              "unknown_device",
              `--pin ${spec}: device position ${d} is not below the ${devices.length} devices searched`,
              { spec, device: d },
            );
          }
          return named;
        }
        return d;
      });
      if (pinnedDevices.some((d) => d === "")) {
        throw new TesseraError("invalid_pin", `--pin ${spec}: an empty device name`, { spec });
      }
    }
    return {
      op,
      ...(splits === undefined ? {} : { splits }),
      ...(pinnedDevices === undefined ? {} : { devices: pinnedDevices }),
    };
  });
}
