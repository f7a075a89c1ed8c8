// A convolution pipeline over 4-D volumes [batch, channels, height, width]: two 3×3 convolutions
// with ReLUs and a 1×1 projection, each adding a bias. At bench size (32768² pixels, 32 channels)
// one activation is 550 GB: no single device holds it, so only spatial cuts (with their halos)
// or channel cuts make a feasible plan.
import { program } from "../src/frontend/index.js";
import type { Program } from "../src/ir/index.js";

/** Builds the volume pipeline: `batch` volumes of `channels` × `size` × `size` (default small). */
export function buildVolumeConv(batch = 2, channels = 4, size = 16): Program {
  const p = program("volume-conv");
  const x = p.input("x", [batch, channels, size, size]);
  let h = x;
  for (const [i, k] of [3, 3, 1].entries()) {
    const w = p.input(`w${i + 1}`, [channels, channels, k, k]);
    const b = p.input(`b${i + 1}`, [channels, 1, 1]);
    const pad = (k - 1) / 2;
    const conv = p.conv2d(h, w, { padding: [pad, pad] }, { id: `conv${i + 1}` });
    h = p.add(conv, b, { id: `bias${i + 1}` });
    if (i < 2) h = p.relu(h, { id: `relu${i + 1}` });
  }
  p.output("y", h);
  return p.build();
}
