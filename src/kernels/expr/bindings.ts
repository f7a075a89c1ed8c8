/** Param values as expressions see them: ints, floats, bools and int lists, by name. */
export type ParamValues = Readonly<Record<string, number | boolean | readonly number[]>>;

interface Bound<T> {
  readonly value: T;
  /** Who bound it, for messages: `input a`. */
  readonly by: string;
}

/**
 * The values shape patterns have bound so far: sizes (`$k`) and groups (`$batch...`), each
 * with who bound it so that a mismatch can say "expected $k = 64 (bound by input a)".
 * Immutable: `withSize` and `withGroup` return new bindings.
 */
export class Bindings {
  private constructor(
    private readonly sizes: ReadonlyMap<string, Bound<number>>,
    private readonly groups: ReadonlyMap<string, Bound<readonly number[]>>,
  ) {}

  /** No bindings. */
  static empty(): Bindings {
    return new Bindings(new Map(), new Map());
  }

  /** The value of size `$name`, if bound. */
  size(name: string): number | undefined {
    return this.sizes.get(name)?.value;
  }

  /** The sizes of group `$name...`, if bound. */
  group(name: string): readonly number[] | undefined {
    return this.groups.get(name)?.value;
  }

  /** Who bound size `$name` (or, with `group`, group `$name...`). */
  boundBy(name: string, group = false): string | undefined {
    return (group ? this.groups.get(name) : this.sizes.get(name))?.by;
  }

  /** These bindings plus `$name = value`. */
  withSize(name: string, value: number, by: string): Bindings {
    return new Bindings(new Map(this.sizes).set(name, { value, by }), this.groups);
  }

  /** These bindings plus `$name... = values`. */
  withGroup(name: string, values: readonly number[], by: string): Bindings {
    return new Bindings(this.sizes, new Map(this.groups).set(name, { value: values.slice(), by }));
  }

  /** Plain data for messages and tests: `{ n: 4, "batch...": [2, 3] }`. */
  toJSON(): Record<string, number | number[]> {
    const out: Record<string, number | number[]> = {};
    for (const [k, v] of this.sizes) out[k] = v.value;
    for (const [k, v] of this.groups) out[`${k}...`] = v.value.slice();
    return out;
  }
}
