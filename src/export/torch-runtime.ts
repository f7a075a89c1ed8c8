/**
 * The part of every exported script that does not depend on the plan: reading and writing
 * tensor files (Tessera's JSON tensor file, `.npy`, `.safetensors` — with numpy only, no extra
 * package), the per-rank region store, point-to-point moves that count their bytes, the
 * collectives, and `main`. The plan-specific part (one function per device) comes after it.
 */
export const TORCH_RUNTIME = String.raw`
DTYPES = {"float32": torch.float32, "float64": torch.float64, "int32": torch.int32}
NUMPY = {"float32": "<f4", "float64": "<f8", "int32": "<i4"}
SAFETENSORS = {"F32": "<f4", "F64": "<f8", "I32": "<i4", "I64": "<i8"}
SAFETENSORS_CODES = {"float32": "F32", "float64": "F64", "int32": "I32"}
FOLD = {"sum": torch.add, "max": torch.maximum, "min": torch.minimum, "prod": torch.mul}
REDUCE_OPS = {"sum": dist.ReduceOp.SUM, "max": dist.ReduceOp.MAX, "min": dist.ReduceOp.MIN, "prod": dist.ReduceOp.PRODUCT}


def box_shape(start, end):
    return [e - s for s, e in zip(start, end)]


def box_slices(start, end, origin):
    return tuple(slice(s - o, e - o) for s, e, o in zip(start, end, origin))


# ---- tensor files ----------------------------------------------------------------------------

def decode_json_value(v):
    return float(v) if isinstance(v, str) else v


def read_tensor_file(spec):
    """The tensors of one --inputs spec as {id: (origin or None, numpy array)}."""
    name, path = None, spec
    if "=" in spec and spec.lower().endswith(".npy"):
        name, path = spec.split("=", 1)
    lower = path.lower()
    if lower.endswith(".npy"):
        if name is None:
            name = os.path.basename(path)[: -len(".npy")]
        return {name: (None, np.load(path, mmap_mode="r", allow_pickle=False))}
    if lower.endswith(".safetensors"):
        with open(path, "rb") as f:
            (n,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(n))
        meta = header.pop("__metadata__", {}) or {}
        out = {}
        for tid, e in header.items():
            begin, end = e["data_offsets"]
            count = int(np.prod(e["shape"], dtype=np.int64))
            a = np.memmap(path, dtype=SAFETENSORS[e["dtype"]], mode="r", offset=8 + n + begin, shape=(count,)) if count else np.zeros(0, SAFETENSORS[e["dtype"]])
            start = meta.get("tessera.start." + tid)
            out[tid] = (tuple(json.loads(start)) if start else None, a.reshape(e["shape"]))
        return out
    with open(path) as f:
        doc = json.load(f)
    out = {}
    for tid, t in doc["tensors"].items():
        shape = box_shape(t["range"]["start"], t["range"]["end"])
        data = np.array([decode_json_value(v) for v in t["data"]], dtype=NUMPY[t["dtype"]])
        out[tid] = (tuple(t["range"]["start"]), data.reshape(shape))
    return out


def write_tensor_file(path, values):
    """Writes {id: (start, tensor)} as .safetensors, .npy (one tensor) or Tessera's JSON tensor file."""
    lower = path.lower()
    arrays = {tid: (start, t.detach().cpu().contiguous().numpy()) for tid, (start, t) in values.items()}
    if lower.endswith(".npy"):
        if len(arrays) != 1:
            raise SystemExit(f"{path}: an .npy file holds one tensor, there are {len(arrays)}; write .safetensors")
        np.save(path, next(iter(arrays.values()))[1])
        return
    if lower.endswith(".safetensors"):
        header, meta, blobs, offset = {}, {}, [], 0
        for tid, (start, a) in arrays.items():
            blob = a.astype(a.dtype.newbyteorder("<")).tobytes()
            header[tid] = {"dtype": SAFETENSORS_CODES[str(a.dtype)], "shape": list(a.shape), "data_offsets": [offset, offset + len(blob)]}
            if any(start):
                meta["tessera.start." + tid] = json.dumps(list(start))
            blobs.append(blob)
            offset += len(blob)
        if meta:
            header = {"__metadata__": meta, **header}
        text = json.dumps(header).encode()
        text += b" " * (-len(text) % 8)
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
        return
    def encode(v):
        return v if np.isfinite(v) else ("NaN" if np.isnan(v) else ("Infinity" if v > 0 else "-Infinity"))
    doc = {"version": 1, "kind": "tensors", "tensors": {}}
    for tid, (start, a) in arrays.items():
        data = [int(v) for v in a.reshape(-1)] if a.dtype == np.int32 else [encode(float(v)) for v in a.reshape(-1)]
        end = [s + n for s, n in zip(start, a.shape)]
        doc["tensors"][tid] = {"dtype": str(a.dtype), "range": {"start": list(start), "end": end}, "data": data}
    with open(path, "w") as f:
        json.dump(doc, f)
        f.write("\n")


class Inputs:
    """The program's input values: from --inputs files, the rest seeded (the same on every rank)."""

    def __init__(self, specs, seed):
        self.values = {}
        for spec in specs:
            for tid, value in read_tensor_file(spec).items():
                if tid in self.values:
                    raise SystemExit(f"tensor '{tid}' is given twice (again by {spec})")
                self.values[tid] = value
        self.seed = seed

    def region(self, tensor, start, end, device):
        dtype, t_start, t_end = PROGRAM_INPUTS[tensor]
        if tensor not in self.values:
            g = torch.Generator().manual_seed(self.seed * 1000003 + sorted(PROGRAM_INPUTS).index(tensor))
            shape = box_shape(t_start, t_end)
            if dtype == "int32":
                whole = torch.randint(-4, 5, shape, generator=g, dtype=torch.int32)
            else:
                whole = torch.rand(shape, generator=g, dtype=DTYPES[dtype]) * 2 - 1
            self.values[tensor] = (tuple(t_start), whole.numpy())
        origin, array = self.values[tensor]
        if origin is None:
            origin = tuple(t_start)
        if list(array.shape) != box_shape(t_start, t_end):
            raise SystemExit(f"input '{tensor}' has shape {list(array.shape)}, the program declares {box_shape(t_start, t_end)}")
        if str(np.dtype(array.dtype).newbyteorder("=")) not in (dtype, "int64"):
            raise SystemExit(f"input '{tensor}' is {array.dtype}, the program declares {dtype}")
        part = np.ascontiguousarray(array[box_slices(start, end, origin)]).astype(NUMPY[dtype])
        return torch.from_numpy(part).to(device)


# ---- one rank's store and moves --------------------------------------------------------------

class Rank:
    """What one rank holds (regions keyed by source) and what it moved."""

    def __init__(self, rank, device, inputs, dev, groups):
        self.rank, self.device, self.inputs, self.dev, self.groups = rank, device, inputs, dev, groups
        self.held = {}
        self.pending = []
        self.sent = 0
        self.received = 0
        self.p2p_sent = 0
        self.p2p_received = 0
        self.messages = 0
        self.collectives = []

    def put(self, key, start, tensor):
        self.held.setdefault(key, []).append((tuple(start), tensor))

    def get(self, key, start, end):
        for origin, t in self.held.get(key, ()):
            if all(o <= s and e <= o + n for o, s, e, n in zip(origin, start, end, t.shape)):
                return t[box_slices(start, end, origin)]
        raise RuntimeError(f"region {start}..{end} of {key} is not held on {self.device}")

    def load(self, tensor, start, end):
        """A program input's region, read where the plan says it starts (no transfer)."""
        self.put("i:" + tensor, start, self.inputs.region(tensor, start, end, self.dev))

    def assemble(self, dtype, start, end, pieces):
        """An operand over its needed box: zeros, with every piece the plan derived written in."""
        if len(pieces) == 1 and tuple(pieces[0][1]) == tuple(start) and tuple(pieces[0][2]) == tuple(end):
            return self.get(*pieces[0])
        out = torch.zeros(box_shape(start, end), dtype=DTYPES[dtype], device=self.dev)
        for key, p_start, p_end in pieces:
            out[box_slices(p_start, p_end, start)] = self.get(key, p_start, p_end)
        return out

    def output(self, key, start, end, dtype, value):
        if list(value.shape) != box_shape(start, end) or value.dtype != DTYPES[dtype]:
            raise RuntimeError(f"{key} computed {list(value.shape)} {value.dtype}, expected {box_shape(start, end)} {dtype}")
        self.put(key, start, value)

    def send(self, tag, key, start, end, to):
        """Posts a derived transfer to rank 'to' without waiting (its receiver waits)."""
        t = self.get(key, start, end).contiguous()
        if t.numel() == 0:
            return
        self.pending.append((dist.isend(t, to, tag=tag), t))
        self.sent += t.numel() * t.element_size()
        self.p2p_sent += t.numel() * t.element_size()
        self.messages += 1

    def recv(self, tag, key, start, end, dtype, source):
        t = torch.empty(box_shape(start, end), dtype=DTYPES[dtype], device=self.dev)
        if t.numel() > 0:
            dist.recv(t, source, tag=tag)
        self.received += t.numel() * t.element_size()
        self.p2p_received += t.numel() * t.element_size()
        self.put(key, start, t)

    def fold(self, monoid, parts):
        """The partials of a split reduction folded in the order of the parts, as the reference folds them."""
        out = parts[0].clone()
        for p in parts[1:]:
            out = FOLD[monoid](out, p)
        return out

    def count(self, kind, members, nbytes, sent, received):
        """Counts a collective's traffic as its algorithm moves it (the library's own bytes are not observable)."""
        self.sent += sent
        self.received += received
        self.collectives.append({"kind": kind, "members": members, "bytes": nbytes, "sent": sent, "received": received})

    def all_reduce(self, monoid, members, tensor):
        """Every member ends with the fold of all members' tensors (in place)."""
        t = tensor.contiguous()
        dist.all_reduce(t, op=REDUCE_OPS[monoid], group=self.groups[tuple(members)])
        nbytes = t.numel() * t.element_size()
        share = 2 * (len(members) - 1) * nbytes / len(members)  # a ring: reduce-scatter, then all-gather
        self.count("all-reduce", members, nbytes, share, share)
        return t

    def reduce(self, monoid, members, root, tensor):
        """The fold of all members' tensors, on rank 'root' (None elsewhere)."""
        t = tensor.contiguous()
        dist.reduce(t, root, op=REDUCE_OPS[monoid], group=self.groups[tuple(members)])
        nbytes = t.numel() * t.element_size()
        # A chain ending at the root: each other member sends one block, the root receives n - 1.
        self.count("reduce", members, nbytes, 0 if self.rank == root else nbytes, (len(members) - 1) * nbytes if self.rank == root else 0)
        return t if self.rank == root else None

    def all_gather(self, members, tensor):
        """Every member ends with every member's (equally shaped) block, in member order."""
        t = tensor.contiguous()
        out = [torch.empty_like(t) for _ in members]
        dist.all_gather(out, t, group=self.groups[tuple(members)])
        nbytes = t.numel() * t.element_size()
        # A ring: each member sends (and receives) n - 1 blocks.
        self.count("all-gather", members, nbytes * len(members), (len(members) - 1) * nbytes, (len(members) - 1) * nbytes)
        return out

    def wait(self):
        for handle, _ in self.pending:
            handle.wait()
        self.pending = []


def collect_outputs(rt, world, first_tag):
    """Rank 0 receives every output region other ranks computed (moves not counted as plan traffic)."""
    values = {}
    tag = first_tag
    for tensor, (dtype, t_start, t_end, writers) in PROGRAM_OUTPUTS.items():
        if rt.rank == 0:
            values[tensor] = (tuple(t_start), torch.zeros(box_shape(t_start, t_end), dtype=DTYPES[dtype]))
        for key, start, end, owner in writers:
            if owner == 0 and rt.rank == 0:
                region = rt.get(key, start, end).cpu()
            elif rt.rank == owner:
                if rt.get(key, start, end).numel() > 0:
                    dist.send(rt.get(key, start, end).contiguous(), 0, tag=tag)
            elif rt.rank == 0:
                region = torch.empty(box_shape(start, end), dtype=DTYPES[dtype], device=rt.dev)
                if region.numel() > 0:
                    dist.recv(region, owner, tag=tag)
                region = region.cpu()
            if rt.rank == 0:
                values[tensor][1][box_slices(start, end, t_start)] = region
            tag += 1
    return values


def launch_local(argv):
    """Starts one process per rank on this machine (loopback, a free port), as torchrun would."""
    import socket
    import subprocess
    import sys
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rest = [a for a in argv if a != "--local"]
    children = []
    for rank in range(len(DEVICES)):
        env = dict(os.environ, RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(len(DEVICES)), MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
        children.append(subprocess.Popen([sys.executable, os.path.abspath(__file__), *rest], env=env))
    codes = [c.wait() for c in children]
    raise SystemExit(max(codes, key=abs))


def main(argv=None):
    """Runs the plan on this rank. Inside a process group already started (a launcher running
    several exported plans in one job), it uses that group and leaves it running."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", action="append", default=[], help="input values: .safetensors, [name=]file.npy or a Tessera tensor file (repeatable)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the inputs no file gives")
    parser.add_argument("--out", help="where rank 0 writes the outputs: .safetensors, .npy or a tensor file (.json)")
    parser.add_argument("--stats", help="where rank 0 writes what each rank moved (JSON)")
    parser.add_argument("--backend", choices=["nccl", "gloo"], help="default: nccl with CUDA, else gloo")
    parser.add_argument("--local", action="store_true", help="start all ranks on this machine (instead of torchrun)")
    args = parser.parse_args(argv)
    if args.local:
        import sys
        launch_local(sys.argv[1:] if argv is None else argv)
    backend = args.backend or ("nccl" if torch.cuda.is_available() else "gloo")
    owned = not dist.is_initialized()
    if owned:
        dist.init_process_group(backend)
    backend = dist.get_backend()
    rank, world = dist.get_rank(), dist.get_world_size()
    if world != len(DEVICES):
        raise SystemExit(f"this plan runs on {len(DEVICES)} ranks ({', '.join(DEVICES)}), not {world}")
    dev = torch.device("cuda", int(os.environ.get("LOCAL_RANK", rank))) if backend == "nccl" else torch.device("cpu")
    # Every rank creates every group, in the same order, as torch.distributed requires.
    groups = {tuple(m): dist.new_group(list(m)) for m in GROUPS}
    rt = Rank(rank, DEVICES[rank], Inputs(args.inputs, args.seed), dev, groups)
    PROGRAMS[rank](rt)
    rt.wait()
    values = collect_outputs(rt, world, TRANSFER_COUNT)
    stats = [None] * world
    dist.all_gather_object(stats, {"rank": rank, "device": rt.device, "sent": rt.sent, "received": rt.received, "p2p_sent": rt.p2p_sent, "p2p_received": rt.p2p_received, "messages": rt.messages, "collectives": rt.collectives})
    if rank == 0:
        if args.out:
            write_tensor_file(args.out, values)
        if args.stats:
            with open(args.stats, "w") as f:
                json.dump({"backend": backend, "world": world, "ranks": stats}, f)
    dist.barrier()
    if owned:
        dist.destroy_process_group()
`;
