/** A JSON value: what every serialized Tessera form is made of. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [k: string]: JsonValue };

/** Structured context attached to issues and errors: plain JSON, printable and comparable. */
export type Context = Readonly<Record<string, JsonValue>>;

/** Appends a segment to a JSON pointer, escaping `~` and `/` as RFC 6901 requires. */
export function pointer(base: string, segment: string | number): string {
  const escaped = String(segment).replaceAll("~", "~0").replaceAll("/", "~1");
  return `${base}/${escaped}`;
}

/** True for a non-null, non-array object: the shape of a JSON object after parsing. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * `record[key]` when `key` is an own property of `record`, else undefined: a lookup under a
 * user-chosen id (`constructor`, `toString`) never finds an `Object.prototype` member.
 */
export function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** An empty record without a prototype, for tables keyed by user-chosen ids (`__proto__` included). */
export function nullRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
