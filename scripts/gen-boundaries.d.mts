/** Biome overrides forbidding each layer from importing any later layer. */
export function boundaryOverrides(layers: string[]): unknown[];
