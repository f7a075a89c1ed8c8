// The compute-bound MLP the executor benchmarks run: `x [batch, width]` through two linear
// layers of `width → width` with a relu between (operations `fc1`, `act`, `fc2`).
import { program } from "../dist/index.js";

/** The benchmark MLP at `batch` rows and `width` features. */
export function benchMlp(batch, width) {
  const p = program("bench-mlp");
  const x = p.input("x", [batch, width]);
  const h = p.relu(p.linear(x, p.input("w1", [width, width]), p.input("b1", [width]), { id: "fc1" }), {
    id: "act",
  });
  p.output("y", p.linear(h, p.input("w2", [width, width]), p.input("b2", [width]), { id: "fc2" }));
  return p.build();
}
