/**
 * The float param `key` of a declared kernel's decoded params, or `fallback` when absent, for
 * lowerings to other runtimes, which receive params untyped. Decoding fills in declared
 * defaults, so `fallback` matters only for params a declaration leaves without one.
 */
export function declaredFloat(params: unknown, key: string, fallback: number): number {
  const v =
    typeof params === "object" && params !== null ? (params as Record<string, unknown>)[key] : undefined;
  return typeof v === "number" ? v : fallback;
}
