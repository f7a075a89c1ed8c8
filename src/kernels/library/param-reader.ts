import type { IssueCollector } from "../../base/issue.js";
import { type Context, isJsonObject, pointer } from "../../base/json.js";
import { describe } from "../../zspace/integers.js";
import type { ParamsDecoder } from "../kernel.js";

/** The params of a kernel that takes none. */
export type NoParams = { readonly [key: string]: never };

/**
 * Reads one kernel's raw JSON params field by field, recording an `invalid_param` issue (path
 * under the params' own path) for every problem and substituting the fallback so that decoding
 * goes on and reports everything at once. `done` returns the decoded value only when this reader
 * recorded nothing.
 *
 * ```ts
 * const r = ParamReader.open(raw, "softmax", ["dim"], issues, path);
 * return r?.done({ dim: r.int("dim", -1) });
 * ```
 */
export class ParamReader {
  private failures = 0;

  private constructor(
    private readonly obj: Readonly<Record<string, unknown>>,
    private readonly issues: IssueCollector,
    private readonly path: string,
  ) {}

  /**
   * A reader over `raw` (absent or `null` means no params), or undefined when `raw` is not an
   * object. Unknown keys are recorded: a misspelt param must not be silently ignored.
   */
  static open(
    raw: unknown,
    kernelId: string,
    known: readonly string[],
    issues: IssueCollector,
    path: string,
  ): ParamReader | undefined {
    if (raw === undefined || raw === null) return new ParamReader({}, issues, path);
    if (!isJsonObject(raw)) {
      issues.add("invalid_param", path, `params of ${kernelId} must be an object, found ${describe(raw)}`, {
        kernel: kernelId,
        found: describe(raw),
      });
      return undefined;
    }
    const reader = new ParamReader(raw, issues, path);
    for (const key of Object.keys(raw)) {
      if (!known.includes(key)) {
        const takes = known.length === 0 ? "takes no parameters" : `takes ${known.join(", ")}`;
        reader.fail(key, `${kernelId} has no parameter \`${key}\` (it ${takes})`, {
          kernel: kernelId,
          param: key,
        });
      }
    }
    return reader;
  }

  /** An integer ≥ `min`; `fallback` when absent (required when `fallback` is undefined). */
  int(key: string, fallback: number | undefined, min = Number.MIN_SAFE_INTEGER): number {
    const v = this.obj[key];
    if (v === undefined) return fallback ?? this.missing(key, "an integer", 0);
    if (isIntAtLeast(v, min)) return v;
    this.fail(key, `\`${key}\` must be ${intWord(min)}, found ${describe(v)}`, {
      param: key,
      found: describe(v),
    });
    return fallback ?? 0;
  }

  /** An array of integers ≥ `min`; `fallback` when absent (required when undefined). */
  intList(key: string, fallback: readonly number[] | undefined, min = Number.MIN_SAFE_INTEGER): number[] {
    const v = this.obj[key];
    if (v === undefined) return fallback?.slice() ?? this.missing(key, "an array of integers", []);
    if (!Array.isArray(v)) {
      this.fail(key, `\`${key}\` must be an array of integers, found ${describe(v)}`, {
        param: key,
        found: describe(v),
      });
      return fallback?.slice() ?? [];
    }
    const out: number[] = [];
    v.forEach((x: unknown, i) => {
      if (isIntAtLeast(x, min)) out.push(x);
      else {
        this.fail(
          key,
          `\`${key}[${i}]\` must be ${intWord(min)}, found ${describe(x)}`,
          { param: key, entry: i, found: describe(x) },
          i,
        );
        out.push(Math.max(min, 0));
      }
    });
    return out;
  }

  /** A pair `[h, w]` of integers ≥ `min`, also accepted as one integer meaning `[n, n]`. */
  pair(key: string, fallback: readonly [number, number], min: number): [number, number] {
    const v = this.obj[key];
    if (v === undefined) return [fallback[0], fallback[1]];
    if (isIntAtLeast(v, min)) return [v, v];
    if (Array.isArray(v) && v.length === 2 && isIntAtLeast(v[0], min) && isIntAtLeast(v[1], min))
      return [v[0], v[1]];
    this.fail(key, `\`${key}\` must be ${intWord(min)} or a pair [h, w] of them, found ${describe(v)}`, {
      param: key,
      found: describe(v),
    });
    return [fallback[0], fallback[1]];
  }

  /** A boolean; `fallback` when absent. */
  bool(key: string, fallback: boolean): boolean {
    const v = this.obj[key];
    if (v === undefined) return fallback;
    if (typeof v === "boolean") return v;
    this.fail(key, `\`${key}\` must be true or false, found ${describe(v)}`, {
      param: key,
      found: describe(v),
    });
    return fallback;
  }

  /** A finite number ≥ `min`; `fallback` when absent. */
  number(key: string, fallback: number, min: number): number {
    const v = this.obj[key];
    if (v === undefined) return fallback;
    if (typeof v === "number" && Number.isFinite(v) && v >= min) return v;
    this.fail(key, `\`${key}\` must be a finite number ≥ ${min}, found ${describe(v)}`, {
      param: key,
      found: describe(v),
    });
    return fallback;
  }

  /** True when the raw params have `key`. */
  has(key: string): boolean {
    return this.obj[key] !== undefined;
  }

  /** Records a problem found by the caller (e.g. between two fields) at `key`, or its entry `entry`. */
  fail(key: string, summary: string, context: Context = { param: key }, entry?: number): void {
    this.failures++;
    const at = pointer(this.path, key);
    this.issues.add("invalid_param", entry === undefined ? at : pointer(at, entry), summary, context);
  }

  /** `value` when nothing was recorded by this reader, else undefined. */
  done<P>(value: P): P | undefined {
    return this.failures === 0 ? value : undefined;
  }

  private missing<T>(key: string, what: string, placeholder: T): T {
    this.fail(key, `missing required parameter \`${key}\` (${what})`, { param: key });
    return placeholder;
  }
}

/** The decoder of a kernel without params: accepts absent, `null` or `{}`. */
export function decodeNoParams(kernelId: string): ParamsDecoder<NoParams> {
  return (raw, issues, path) => ParamReader.open(raw, kernelId, [], issues, path)?.done({});
}

function isIntAtLeast(v: unknown, min: number): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= min;
}

function intWord(min: number): string {
  return min === Number.MIN_SAFE_INTEGER ? "an integer" : `an integer ≥ ${min}`;
}
