/**
 * The one registry of issue and error codes, snake_case, grouped by the layer that raises them.
 * A code is a stable contract: tools match on it, so never rename one; add a new one instead.
 */
export const ISSUE_CODES = {
  // base: decoding plain data, reading and writing files
  invalid_json: "the text is not valid JSON or YAML",
  expected_array: "an array was expected",
  expected_object: "an object was expected",
  missing_field: "a required field is absent",
  write_failed: "an output file could not be written",
  file_not_found: "an input file does not exist",
  read_failed: "an input file exists but cannot be read (permissions, not a regular file, too large)",
  nesting_too_deep: "a document or expression nests deeper than Tessera reads",
  limit_exceeded: "a size or count is over what Tessera can allocate or handle",
  invalid_argument: "a function or command-line argument is malformed (wrong type, blank, or given twice)",
  // zspace: geometry values
  not_integer: "a coordinate or matrix entry is not a safe integer (|x| ≤ 2^53 - 1)",
  rank_mismatch: "two values that must have the same rank do not",
  ragged_matrix: "the rows of a matrix do not all have the same length",
  end_before_start: "a range ends before it starts in some dimension",
  negative_extent: "a shape or box extent is negative",
  coordinate_overflow: "an arithmetic result left the safe-integer range",
  dimension_out_of_bounds: "a dimension index is not in [0, rank)",
  invalid_split: "a split request is malformed (parts, cut points or dimensions)",
  not_a_permutation: "a list meant to be a permutation is not one",
  // kernels: expression language, declarations, signatures
  syntax_error: "an expression, shape pattern or projection does not parse",
  unbound_variable: "an expression names a variable that no pattern has bound",
  pattern_mismatch: "a concrete shape does not match a kernel's shape pattern",
  shape_mismatch: "operand shapes disagree where the kernel needs them to agree",
  dtype_mismatch: "an operand's dtype is not one the kernel accepts, or dtypes disagree",
  invalid_param: "a kernel parameter is missing, of the wrong type or out of range",
  unknown_kernel: "an operation names a kernel that is not registered",
  invalid_declaration: "a kernel declaration is malformed",
  not_affine: "a projection expression is not affine in the index variables",
  division_by_zero: "an integer shape or projection expression divides by zero",
  unknown_operand: "an operation passes an input or output its kernel does not declare",
  unshardable: "an operation cannot be sharded as asked",
  // ir: programs and their semantic validation
  schema_violation: "a document does not match its JSON Schema",
  unsupported_version: "a document's `version` is not one this Tessera reads",
  duplicate_id: "two tensors, operations or operands share an id",
  unknown_tensor: "a reference names a tensor that is not declared",
  selection_out_of_range: "a selected range does not lie inside its tensor's range",
  missing_operand: "an operation lacks an input or output its kernel requires",
  signature_mismatch: "a stored signature differs from the one the kernel derives",
  projection_mismatch: "an output projection of the whole index range is not the output selection",
  output_not_injective:
    "an output projection maps two index points (off the reduction dims) to overlapping boxes",
  write_conflict: "two operations write the same tensor elements",
  unwritten_tensor: "a tensor that is not a program input is not fully written",
  input_written: "an operation writes a program input",
  cycle: "the operation graph has a cycle",
  // autodiff: gradients and training steps
  not_differentiable:
    "a gradient was asked through a kernel that declares no vector–Jacobian product, or of a non-float tensor",
  // plan: shardings, placements, orders
  plan_mismatch: "a plan and its program disagree about which operations exist",
  unknown_device: "a plan names a device that is not in its device list",
  device_count_mismatch: "a plan places a different number of shards than the sharding makes",
  invalid_order: "a plan's execution order is not a dependency-respecting order of its tasks",
  not_recomputable:
    "a plan or training step asks to recompute a tensor that is not a recomputable activation of its forward pass",
  // cluster: devices, hosts and links
  unknown_preset: "a cluster preset name is not one Tessera knows",
  invalid_cluster: "a cluster description is inconsistent (hosts, device types, overrides)",
  // cost: simulating plans on clusters
  too_many_devices: "a plan lists more devices than the cluster it is simulated on has",
  unmapped_device: "a plan's device names mix cluster device ids with other names, so they cannot be mapped",
  unsupported_dtype: "a task computes in a dtype for which its device type has no peak FLOP/s",
  // search: baselines, bounds and the optimizer
  invalid_device_count: "a device count is not an integer from 1 to the cluster's device count",
  invalid_pin: "a search pin is malformed, empty or given twice for one operation",
  invalid_budget: "a search budget is not a positive number of seconds or evaluations",
  invalid_search_result:
    "a search result is inconsistent (chosen index, front order, plan devices vs cluster, cost vector vs plan)",
  solver_unavailable: "the ILP solver (the 'highs' package) cannot be loaded",
  // exec: evaluating and executing programs
  missing_input: "a program input was not given a value",
  input_mismatch: "a given input value has the wrong dtype or range",
  invalid_tensor_file: "a tensor file is malformed",
  invalid_option: "an executor option is malformed or out of range",
  task_failed: "a task (shard or combine) of a plan failed while executing",
  worker_crashed: "an executor worker thread died or failed outside any task",
  executor_closed: "a local executor was asked to run after it was closed",
  backend_unavailable: "a kernel backend cannot be loaded on this machine",
  // exec/distributed: runs on worker processes through Redis and BullMQ
  invalid_redis_url: "a Redis URL is malformed (not redis:// or rediss://, bad host, port or database)",
  insecure_redis: "a non-loopback Redis URL has neither a password nor TLS, and --insecure was not given",
  redis_unavailable:
    "the Redis server cannot be reached, or it lost the run's state (restarted without persistence)",
  worker_name_taken: "a distributed worker's name is already registered by a live worker",
  no_workers: "no distributed worker was registered (or every one was lost) within the grace period",
  run_timeout: "a distributed run did not finish within its run timeout",
  kernel_timeout: "a task of a distributed run did not finish within the kernel timeout",
  invalid_job: "a job taken from a run's queue is malformed or does not belong to the run",
  coordinator_unreachable:
    "a distributed worker cannot read its run's inputs from, or deliver its outputs to, the run's coordinator",
  search_failed: "an epoch of a distributed search failed on a worker process (named with the cause)",
  // export: plans as programs for other runtimes
  not_exportable: "an operation's kernel has no lowering for the export target (named with the operation)",
  // report: pictures of programs, plans and shard maps
  render_failed: "Graphviz could not lay out a graph (invalid DOT, or the renderer failed to load)",
  invalid_slice: "a shard-map slice does not fix each leading dimension at a coordinate inside the tensor",
  unexpected_kind: "a document's `kind` is not one of those the command reads",
  // import: reading ONNX models into programs
  invalid_onnx: "a file is not a well-formed ONNX model (bytes, graph, tensor data or node wiring)",
  unsupported_operator: "an ONNX node's operator (op type and domain) has no Tessera translation",
  unsupported_onnx_feature:
    "an ONNX model uses something Tessera does not translate (an attribute value, element type, external data)",
  unresolved_dimension: "an ONNX input dimension is symbolic or unknown and no --dim gives its size",
} as const;

/** A stable machine-readable code naming what went wrong. */
export type IssueCode = keyof typeof ISSUE_CODES;

/** True when `code` is a registered issue code. */
export function isIssueCode(code: string): code is IssueCode {
  return Object.hasOwn(ISSUE_CODES, code);
}
