import { throwIfIssues } from "../base/errors.js";
import { type Issue, IssueCollector } from "../base/issue.js";
import type { JsonValue } from "../base/json.js";
import { checkSchema } from "../base/schema-check.js";
import type {
  Cluster,
  Device,
  DeviceType,
  ExecutorOverheads,
  Host,
  KernelTable,
  Link,
  LinkOverride,
} from "./cluster.js";

/** The JSON form of a cluster (see `schemas/cluster.schema.json`): hosts may repeat with `count`. */
export interface ClusterJson {
  readonly version: 1;
  readonly kind: "cluster";
  readonly name: string;
  readonly description?: string;
  readonly sources?: readonly string[];
  readonly deviceTypes: Readonly<Record<string, DeviceType>>;
  readonly hosts: readonly {
    readonly id: string;
    readonly deviceType: string;
    readonly devices: number;
    readonly count?: number;
  }[];
  readonly intraHost: Link;
  readonly interHost: Link;
  readonly overrides?: readonly { readonly hosts: readonly string[]; readonly link: Link }[];
  readonly executor?: ExecutorOverheads;
}

/** The outcome of validating a cluster document. */
export interface ClusterValidation {
  readonly cluster: Cluster | undefined;
  readonly issues: readonly Issue[];
}

/** The most devices a cluster may have (2^20): each becomes an object in every plan and simulation. */
export const MAX_CLUSTER_DEVICES = 1 << 20;

/**
 * Validates a cluster document and expands it: a host entry with `count: n` becomes hosts
 * `id0`..`id{n-1}`; devices are `host.d0`..; device types and override hosts must exist.
 */
export function validateCluster(json: unknown): ClusterValidation {
  const schemaIssues = checkSchema("cluster", json);
  if (schemaIssues.length > 0) return { cluster: undefined, issues: schemaIssues };
  const doc = json as ClusterJson;
  const issues = new IssueCollector();
  // Counted before anything is expanded: `devices: 1e9` must not allocate a billion ids first.
  const total = doc.hosts.reduce((n, h) => n + h.devices * (h.count ?? 1), 0);
  if (total > MAX_CLUSTER_DEVICES) {
    issues.add(
      "limit_exceeded",
      "/hosts",
      `the cluster has ${total} devices; Tessera models at most ${MAX_CLUSTER_DEVICES}`,
      { devices: total, limit: MAX_CLUSTER_DEVICES },
    );
    return { cluster: undefined, issues: issues.issues };
  }
  const hosts: Host[] = [];
  const hostIds = new Set<string>();
  const devices: Device[] = [];
  doc.hosts.forEach((h, i) => {
    if (!Object.hasOwn(doc.deviceTypes, h.deviceType)) {
      issues.add(
        "invalid_cluster",
        `/hosts/${i}/deviceType`,
        `host '${h.id}' uses device type '${h.deviceType}', which deviceTypes does not define`,
        {
          host: h.id,
          deviceType: h.deviceType,
          known: Object.keys(doc.deviceTypes),
        },
      );
      return;
    }
    const ids = h.count === undefined ? [h.id] : Array.from({ length: h.count }, (_, k) => `${h.id}${k}`);
    for (const id of ids) {
      if (hostIds.has(id)) {
        issues.add("duplicate_id", `/hosts/${i}/id`, `host id '${id}' is used more than once`, { host: id });
        continue;
      }
      const ds = Array.from({ length: h.devices }, (_, k) => `${id}.d${k}`);
      hosts.push({ id, devices: ds });
      hostIds.add(id);
      for (const d of ds) devices.push({ id: d, host: id, type: h.deviceType });
    }
  });
  for (const [name, type] of Object.entries(doc.deviceTypes)) {
    (type.kernels ?? []).forEach((table, i) => {
      checkShapes(table, `/deviceTypes/${name}/kernels/${i}`, { deviceType: name, table: i }, issues);
      const at = table.points.findIndex((p, k) => k > 0 && p[0] <= table.points[k - 1]![0]);
      if (at < 0) return;
      issues.add(
        "invalid_cluster",
        `/deviceTypes/${name}/kernels/${i}/points/${at}`,
        `kernel table ${i} of '${name}' must list sizes in increasing order, but size ${table.points[at]![0]} follows ${table.points[at - 1]![0]}`,
        { deviceType: name, table: i, point: at },
      );
    });
  }
  const overrides: LinkOverride[] = [];
  const overridden = new Set<string>();
  (doc.overrides ?? []).forEach((o, i) => {
    if (o.hosts.length === 2 && o.hosts[0] === o.hosts[1]) {
      issues.add(
        "invalid_cluster",
        `/overrides/${i}/hosts`,
        `override names host '${o.hosts[0]}' twice; a one-host override sets the link inside it`,
        {
          host: o.hosts[0]!,
        },
      );
    }
    const key = [...o.hosts].sort().join("|");
    if (overridden.has(key)) {
      issues.add(
        "invalid_cluster",
        `/overrides/${i}/hosts`,
        `hosts [${o.hosts.join(", ")}] are overridden more than once`,
        {
          hosts: [...o.hosts],
        },
      );
    }
    overridden.add(key);
    for (const [k, h] of o.hosts.entries()) {
      if (!hostIds.has(h)) {
        issues.add(
          "invalid_cluster",
          `/overrides/${i}/hosts/${k}`,
          `override names host '${h}', which the cluster does not have`,
          { host: h },
        );
      }
    }
    overrides.push({
      hosts: o.hosts.length === 1 ? [o.hosts[0]!] : [o.hosts[0]!, o.hosts[1]!],
      link: o.link,
    });
  });
  if (!issues.ok) return { cluster: undefined, issues: issues.issues };
  return {
    cluster: {
      name: doc.name,
      ...(doc.description === undefined ? {} : { description: doc.description }),
      sources: doc.sources ?? [],
      deviceTypes: doc.deviceTypes,
      hosts,
      devices,
      intraHost: doc.intraHost,
      interHost: doc.interHost,
      overrides,
      ...(doc.executor === undefined ? {} : { executor: doc.executor }),
    },
    issues: [],
  };
}

/**
 * The checks of a kernel table's shape points the schema cannot state: only a FLOP-keyed table
 * has them (a shape factor scales FLOP-keyed seconds), and no product is listed twice (the
 * interpolation would have two factors at one point). `invalid_cluster` at the offending field.
 */
function checkShapes(
  table: KernelTable,
  path: string,
  context: { readonly deviceType: string; readonly table: number },
  issues: IssueCollector,
): void {
  const shapes = table.shapes;
  if (shapes === undefined) return;
  if (table.by !== "flops") {
    issues.add(
      "invalid_cluster",
      `${path}/shapes`,
      `kernel table ${context.table} of '${context.deviceType}' is keyed by ${table.by}, but only a table keyed by flops can have shape points`,
      { ...context, by: table.by },
    );
    return;
  }
  const seen = new Map<string, number>();
  shapes.forEach(([m, k, n], j) => {
    const key = `${m}x${k}x${n}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, j);
      return;
    }
    issues.add(
      "invalid_cluster",
      `${path}/shapes/${j}`,
      `kernel table ${context.table} of '${context.deviceType}' lists the product ${m}×${k}×${n} twice (shape points ${first} and ${j})`,
      { ...context, point: j, first, shape: [m, k, n] },
    );
  });
}

/** Validates and expands a cluster document, or throws `ValidationError` with every issue. */
export function parseCluster(json: unknown): Cluster {
  const { cluster, issues } = validateCluster(json);
  throwIfIssues(issues, "cluster");
  return cluster!;
}

/** The JSON form of an expanded cluster (one host entry per host). */
export function clusterToJson(cluster: Cluster): JsonValue {
  const typeOf = new Map(cluster.devices.map((d) => [d.host, d.type]));
  return JSON.parse(
    JSON.stringify({
      version: 1,
      kind: "cluster",
      name: cluster.name,
      ...(cluster.description === undefined ? {} : { description: cluster.description }),
      sources: cluster.sources,
      deviceTypes: cluster.deviceTypes,
      hosts: cluster.hosts.map((h) => ({
        id: h.id,
        deviceType: typeOf.get(h.id)!,
        devices: h.devices.length,
      })),
      intraHost: cluster.intraHost,
      interHost: cluster.interHost,
      ...(cluster.overrides.length === 0 ? {} : { overrides: cluster.overrides }),
      ...(cluster.executor === undefined ? {} : { executor: cluster.executor }),
    }),
  ) as JsonValue;
}
