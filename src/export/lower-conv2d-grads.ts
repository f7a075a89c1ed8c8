import { groupedChannels } from "../kernels/library/conv2d-shard-shape.js";
import type { Conv2dInputGradParams, Conv2dWeightGradParams } from "../kernels/library/index.js";
import { pyList, pyTuple } from "./py-code.js";
import { refuse, required, type TorchLowering, type TorchShard } from "./torch-lowering.js";

/** The shard's extent along index dimension `d`, and where it starts. */
function span(s: TorchShard, d: number): { readonly start: number; readonly size: number } {
  const start = s.index.start.coords[d]!;
  return { start, size: s.index.end.coords[d]! - start };
}

/**
 * conv2d_input_grad → conv_transpose2d (`dy` as input, `w` as weight, `groups` = the shard's
 * groups) over the shard's needed box of dy, then sliced to the shard's rows and columns, as the
 * ONNX lowering does. Index box `[n, g, icg, h, w, ocg]`. Without padding, the transposed
 * convolution's row `r` is input row `r + a·sh − ph` for `a` the needed box's first dy row (its
 * rows before 0 are the zeros the export fills in), so the shard's rows `[h0, h1)` start at
 * `field − 1` at stride 1 (the box is the window of dy rows) and at `h0 + ph` otherwise (the box
 * is the whole extent), zero-extended when they run past the result's end. A shard over part of
 * the output channels of several groups (its reduction) picks them with index_select. Its input
 * channels are whole groups or part of one (`gridSharding` refuses a cut of `icg` inside several
 * groups: the output block would be strided), so the result is the output block as it is.
 */
export const conv2dInputGradLowering: TorchLowering = (s) => {
  const p = s.params as Conv2dInputGradParams;
  const wp = s.signature.inputs.w?.projection;
  if (wp === undefined) throw refuse(s, "conv2d_input_grad without w");
  const ocg = wp.map.matrix[0]![1]!;
  const taps = wp.shape.coords.slice(2);
  const [groups, oc] = [1, 5].map((d) => span(s, d).size) as [number, number];
  const rows = [span(s, 3), span(s, 4)];
  const { code } = s;
  let dy = required(s, "dy");
  let w = required(s, "w");
  if (groups > 1 && oc < ocg) {
    const pick = pyList(groupedChannels(groups, ocg, oc));
    dy = code.let(`${dy}.index_select(1, torch.tensor(${pick}, device=${dy}.device))`);
    w = code.let(`${w}.index_select(0, torch.tensor(${pick}, device=${w}.device))`);
  }
  let x = code.let(
    `torch.nn.functional.conv_transpose2d(${dy}, ${w}, stride=${pyTuple(p.stride)}, dilation=${pyTuple(p.dilation)}, groups=${groups})`,
  );
  const dyRows = s.needed("dy").shape.coords;
  const window = [0, 1].map((i) => {
    const field = p.dilation[i]! * (taps[i]! - 1) + 1;
    const extent = (dyRows[2 + i]! - 1) * p.stride[i]! + field;
    const from = p.stride[i] === 1 ? field - 1 : rows[i]!.start + p.padding[i]!;
    return { from, to: from + rows[i]!.size, extra: Math.max(0, from + rows[i]!.size - extent) };
  });
  const [wh, ww] = window as [(typeof window)[0], (typeof window)[0]];
  if (wh.extra > 0 || ww.extra > 0)
    x = code.let(`torch.nn.functional.pad(${x}, (0, ${ww.extra}, 0, ${wh.extra}))`);
  x = code.let(`${x}[:, :, ${wh.from}:${wh.to}, ${ww.from}:${ww.to}]`);
  return x;
};

/**
 * conv2d_weight_grad → conv2d with batch and channels swapped, one per group of the shard, as the
 * ONNX lowering does: x's needed box `[N', C, H', W']` transposed to `[C, N', H', W']` is the
 * input and dy's `[N', OC, OH', OW']` transposed to `[OC, N', OH', OW']` the filters, with stride
 * = the forward's dilation and dilation = its stride, so output `(c, o, r, q)` sums
 * `x[n, c, i·sh + r·dh, …] · dy[n, o, i, …]` over the shard's `n`, `oh`, `ow`: its partial sum.
 * Transposed back to `[OC', C', KH', KW']` and cut to the shard's taps; groups are stacked
 * (a shard of several groups holds all their output channels: `gridSharding` refuses a cut of
 * `ocg` inside several groups, whose output block would be strided).
 */
export const conv2dWeightGradLowering: TorchLowering = (s) => {
  const p = s.params as Conv2dWeightGradParams;
  const xp = s.signature.inputs.x?.projection;
  const dyp = s.signature.inputs.dy?.projection;
  if (xp === undefined || dyp === undefined) throw refuse(s, "conv2d_weight_grad without x or dy");
  const cg = xp.map.matrix[1]![0]!;
  const ocg = dyp.map.matrix[1]![0]!;
  const [groups, oc, c, kh, kw] = [0, 1, 2, 3, 4].map((d) => span(s, d).size) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const { code } = s;
  const xt = code.let(`${required(s, "x")}.transpose(0, 1)`);
  const yt = code.let(`${required(s, "dy")}.transpose(0, 1)`);
  const parts: string[] = [];
  for (let k = 0; k < groups; k++) {
    const conv = code.let(
      `torch.nn.functional.conv2d(${xt}[${k * cg}:${k * cg + c!}], ${yt}[${k * ocg}:${k * ocg + oc}], stride=${pyTuple(p.dilation)}, dilation=${pyTuple(p.stride)})`,
    );
    // The result may be longer than the shard's taps when the box was cut short: keep [0, kh) × [0, kw).
    parts.push(code.let(`${conv}.transpose(0, 1)[:, :, :${kh}, :${kw}]`));
  }
  return parts.length === 1 ? parts[0]! : code.let(`torch.cat([${parts.join(", ")}], 0)`);
};
