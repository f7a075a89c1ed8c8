import { readDocumentFile } from "../base/document-file.js";
import { TesseraError } from "../base/errors.js";
import { ownValue } from "../base/json.js";
import type { Cluster } from "./cluster.js";
import { parseCluster } from "./parse-cluster.js";
import { CLUSTER_PRESETS, presetNames } from "./presets.js";

/** The cluster of a built-in preset; throws `unknown_preset` listing the known ones. */
export function presetCluster(name: string): Cluster {
  const doc = ownValue(CLUSTER_PRESETS, name);
  if (doc === undefined) {
    throw new TesseraError(
      "unknown_preset",
      `no cluster preset '${name}' (presets: ${presetNames().join(", ")})`,
      {
        preset: name,
        known: presetNames(),
      },
    );
  }
  return parseCluster(doc);
}

/**
 * A cluster from `--cluster`: a file path when it names an existing file or looks like one
 * (ends in .json/.yaml/.yml or contains a slash), else a preset name.
 */
export function loadCluster(fileOrPreset: string): Cluster {
  const looksLikeFile = /\.(json|ya?ml)$/i.test(fileOrPreset) || fileOrPreset.includes("/");
  return looksLikeFile ? parseCluster(readDocumentFile(fileOrPreset)) : presetCluster(fileOrPreset);
}
