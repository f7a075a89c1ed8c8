/**
 * Every Redis key and BullMQ queue name of the distributed executor, in one place.
 *
 * ```
 * <prefix>:worker:<name>                 registered worker (JSON), expires unless its heartbeat renews it
 * <prefix>:runs                          set of run ids in progress (workers poll it to join runs)
 * <prefix>:announce                      pub/sub channel: runs or searches changed (workers look at once)
 * <prefix>:executor:<id>                 a coordinator whose workers keep inputs (`keepInputs`): its keep generation, expiring unless renewed
 * <prefix>:run:<id>:meta                 the run: program (JSON) and the workers taking part
 * <prefix>:run:<id>:in:<n>[:<chunk>]     program-input region n (raw little-endian bytes)
 * <prefix>:run:<id>:t:<n>[:<chunk>]      transfer n of the task graph, written by its producer
 * <prefix>:run:<id>:out:<n>[:<chunk>]    final writer n of a program output
 * <prefix>:run.<id>.<worker>[.<n>]:*     BullMQ queue of the run's jobs for one worker (incarnation n > 0)
 * ```
 *
 * Everything of a run is under `run:<id>` or `run.<id>.`, so a run is deleted by pattern when
 * it ends, and expires on its own if its coordinator dies first.
 */
export class RunKeys {
  readonly prefix: string;
  readonly run: string;

  /** The keys of run `run` under `prefix`. */
  constructor(prefix: string, run: string) {
    this.prefix = prefix;
    this.run = run;
  }

  /** The hash describing the run. */
  get meta(): string {
    return `${this.prefix}:run:${this.run}:meta`;
  }

  /** Program-input region `n`. */
  input(n: number): string {
    return `${this.prefix}:run:${this.run}:in:${n}`;
  }

  /** Transfer `n`'s bytes. */
  transfer(n: number): string {
    return `${this.prefix}:run:${this.run}:t:${n}`;
  }

  /** Final writer `n` of a program output. */
  output(n: number): string {
    return `${this.prefix}:run:${this.run}:out:${n}`;
  }

  /**
   * The BullMQ queue (name, without prefix) of this run's jobs for `worker` in its incarnation
   * `n` (0 when it first joined; each re-admission after being dropped gets a new, empty queue).
   */
  queue(worker: string, n = 0): string {
    return n === 0 ? `run.${this.run}.${worker}` : `run.${this.run}.${worker}.${n}`;
  }

  /** Patterns matching every key of the run (data keys and BullMQ queues). */
  get patterns(): readonly string[] {
    return [`${this.prefix}:run:${this.run}:*`, `${this.prefix}:run.${this.run}.*`];
  }
}

/** The set of runs in progress under `prefix`. */
export function runsKey(prefix: string): string {
  return `${prefix}:runs`;
}

/**
 * The pub/sub channel on which coordinators announce that runs or searches changed (one began,
 * ended, or took in workers): workers look for runs at once instead of at their next poll.
 */
export function announceChannel(prefix: string): string {
  return `${prefix}:announce`;
}

/** The registration key of worker `name` under `prefix`. */
export function workerKey(prefix: string, name: string): string {
  return `${prefix}:worker:${name}`;
}

/**
 * The key that says executor `id` is alive and wants its kept inputs kept (its value: the keep
 * generation they must have). Workers drop what they keep for it once it is gone or changed.
 */
export function executorKey(prefix: string, id: string): string {
  return `${prefix}:executor:${id}`;
}

/** The run id of a queue name made by `RunKeys.queue`, or undefined. */
export function runOfQueue(queue: string): string | undefined {
  return /^run\.([^.]+)\./.exec(queue)?.[1];
}

/** The set of distributed searches in progress under `prefix` (workers poll it to take their epochs). */
export function searchesKey(prefix: string): string {
  return `${prefix}:searches`;
}

/**
 * The keys and queues of one distributed search (`tessera plan --redis`):
 *
 * ```
 * <prefix>:searches                       set of searches in progress
 * <prefix>:search:<id>:meta               hash: the search workers' setups (JSON array), lock duration
 * <prefix>:search.<id>.<worker>:*         BullMQ queue of the search's epochs for one worker process
 * ```
 */
export class SearchKeys {
  /** The keys of search `search` under `prefix`. */
  constructor(
    readonly prefix: string,
    readonly search: string,
  ) {}

  /** The hash describing the search: `setups` (JSON array, one per search worker) and `lockDurationMs`. */
  get meta(): string {
    return `${this.prefix}:search:${this.search}:meta`;
  }

  /** The BullMQ queue (name, without prefix) of this search's epochs for worker process `worker`. */
  queue(worker: string): string {
    return `search.${this.search}.${worker}`;
  }

  /** Patterns matching every key of the search. */
  get patterns(): readonly string[] {
    return [`${this.prefix}:search:${this.search}:*`, `${this.prefix}:search.${this.search}.*`];
  }
}
