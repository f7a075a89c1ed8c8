/** Layer folder names of src/, in pipeline (import) order. */
export function readLayers(): string[];
