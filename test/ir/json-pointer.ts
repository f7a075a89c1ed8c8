// A tiny RFC 6901 resolver, so that tests can check an issue's path against its document.
import { isJsonObject } from "../../src/base/index.js";

/** What a JSON pointer designates in a document: the value, when every segment exists. */
export type Resolved = { readonly found: true; readonly value: unknown } | { readonly found: false };

/**
 * Resolves `pointer` in `doc`: `""` is the whole document, `~1` and `~0` unescape to `/` and `~`,
 * and an array segment must be a canonical index below the length (`/0`, never `/00` or `/-`).
 */
export function resolvePointer(doc: unknown, pointer: string): Resolved {
  if (pointer === "") return { found: true, value: doc };
  if (!pointer.startsWith("/")) return { found: false };
  let value: unknown = doc;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(value)) {
      if (!/^(0|[1-9][0-9]*)$/.test(key) || Number(key) >= value.length) return { found: false };
      value = value[Number(key)];
    } else if (isJsonObject(value) && Object.hasOwn(value, key)) {
      value = value[key];
    } else {
      return { found: false };
    }
  }
  return { found: true, value };
}
