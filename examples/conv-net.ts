// A small conv net: three convolutions (padding, stride, then grouped and dilated), ReLUs,
// global average pooling and a linear classifier with softmax.
import { program } from "../src/frontend/index.js";
import type { Program } from "../src/ir/index.js";

/** Builds the conv net example: batch 4 of 3×32×32 images, 10 classes. */
export function buildConvNet(batch = 4, size = 32, classes = 10): Program {
  const p = program("conv-net");
  const x = p.input("x", [batch, 3, size, size]);
  const w1 = p.input("w1", [16, 3, 3, 3]);
  const b1 = p.input("b1", [16, 1, 1]);
  const w2 = p.input("w2", [32, 16, 3, 3]);
  const w3 = p.input("w3", [32, 8, 3, 3]);
  const wfc = p.input("wfc", [32, classes]);
  const bfc = p.input("bfc", [classes]);

  const c1 = p.relu(p.add(p.conv2d(x, w1, { padding: [1, 1] }, { id: "conv1" }), b1, { id: "bias1" }), {
    id: "relu1",
  });
  const c2 = p.relu(p.conv2d(c1, w2, { stride: [2, 2], padding: [1, 1] }, { id: "conv2" }), { id: "relu2" });
  const c3 = p.relu(p.conv2d(c2, w3, { padding: [2, 2], dilation: [2, 2], groups: 4 }, { id: "conv3" }), {
    id: "relu3",
  });
  const pooled = p.mean(c3, { dims: [2, 3] }, { id: "pool" }); // [batch, 32]
  p.output("y", p.softmax(p.linear(pooled, wfc, bfc, { id: "fc" }), { dim: -1 }, { id: "probs" }));
  return p.build();
}
