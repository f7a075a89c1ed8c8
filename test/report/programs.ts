// Programs and plans the report tests draw.
import { buildConvNet } from "../../examples/conv-net.js";
import { buildMlp } from "../../examples/mlp.js";
import { program } from "../../src/frontend/index.js";
import type { Program } from "../../src/ir/index.js";
import { makePlan, type Plan } from "../../src/plan/index.js";

/** `layers` residual layers `fc → act → res` of width 16, optionally between an embedding and a head. */
export function layerStack(layers: number, opts: { ends?: boolean; oddLayer?: number } = {}): Program {
  const p = program("stack");
  let x = p.input("x", [8, 16]);
  if (opts.ends === true) x = p.tanh(x, { id: "embed" });
  for (let l = 0; l < layers; l++) {
    // An odd layer uses sigmoid instead of relu: structurally different.
    const pre = p.linear(x, p.input(`w${l}`, [16, 16]), p.input(`b${l}`, [16]), { id: `fc${l}` });
    const h = l === opts.oddLayer ? p.sigmoid(pre, { id: `act${l}` }) : p.relu(pre, { id: `act${l}` });
    x = p.add(x, h, { id: `res${l}` });
  }
  p.output("y", opts.ends === true ? p.softmax(x, { dim: -1 }, { id: "head" }) : x);
  return p.build();
}

/** The MLP example split Megatron-style over d0/d1, `x` at home on d0. */
export function megatronMlp(): Plan {
  return makePlan(buildMlp(), {
    devices: ["d0", "d1"],
    splits: { fc1: [{ dim: 1, parts: 2 }], act1: [{ dim: 1, parts: 2 }], fc2: [{ dim: 2, parts: 2 }] },
    inputs: [{ tensor: "x", device: "d0" }],
  });
}

/** The MLP with `fc1` data-parallel over 4 devices (batch cut in 4): every device reads all of `w1`. */
export function dataParallelMlp(parts = 4): Plan {
  return makePlan(buildMlp(), {
    devices: ["d0", "d1", "d2", "d3"],
    splits: { fc1: [{ dim: 0, parts }], act1: [{ dim: 0, parts }] },
  });
}

/** The conv net with its first two convolutions cut spatially (rows) over three devices, `x` on d0. */
export function spatialConvNet(): Plan {
  const rows = (dim: number) => [{ dim, parts: 3 }];
  return makePlan(buildConvNet(), {
    devices: ["d0", "d1", "d2"],
    splits: { conv1: rows(3), bias1: rows(2), relu1: rows(2), conv2: rows(3), relu2: rows(2) },
    inputs: [{ tensor: "x", device: "d0" }],
  });
}

/** A relu over `x [6, 10]` with its columns cut 10 in 3 (4/3/3) over three devices. */
export function unevenRelu(): Plan {
  const p = program("uneven");
  p.output("y", p.relu(p.input("x", [6, 10]), { id: "r" }));
  return makePlan(p.build(), { devices: ["d0", "d1", "d2"], splits: { r: [{ dim: 1, parts: 3 }] } });
}
