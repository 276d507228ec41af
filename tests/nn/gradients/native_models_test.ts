// Every gradient mode on ResNet18 and the ViT (reduced sizes) on the native
// tensorflow backend against the cpu backend, the exact reference: the same
// seeded model, batch and tangents on both, loss and every parameter update
// compared. Needs `deno task setup-native` (or $FG_NATIVE_DIR); ignored, with
// that reason in its name, where the native backend is not installed.
import { assert, assertEquals } from "../_assert.ts";
import { nativeDir, readInstallRecord } from "../../../src/native/install_record.ts";
import type { GradientSpec } from "../../../src/nn/gradients/mode.ts";
import { modelStep as step, relDiff, smallResnet, smallVit } from "./_models.ts";

const installed = readInstallRecord(nativeDir()) !== undefined;
const reason = installed ? "" : " (ignored: native backend not set up; deno task setup-native)";

const specs: GradientSpec[] = [
  { approach: "bp", k: 1, mode: "sim", perturbation: "node" },
];
for (const approach of ["fg", "frog"] as const) {
  for (const mode of ["sim", "fwad"] as const) {
    for (const perturbation of ["node", "weight"] as const) {
      specs.push({ approach, k: 3, mode, perturbation });
    }
  }
}

for (const [name, make, size] of [["vit", smallVit, 8], ["resnet18", smallResnet, 16]] as const) {
  for (const spec of specs) {
    const label = spec.approach === "bp"
      ? "bp"
      : `${spec.approach} k=${spec.k} ${spec.mode} ${spec.perturbation}`;
    Deno.test({
      name: `native tensorflow ≡ cpu: ${name}, ${label}${reason}`,
      ignore: !installed,
      sanitizeResources: false,
      sanitizeOps: false,
      fn: async () => {
        const native = await step("tensorflow", make, size, spec);
        const cpu = await step("cpu", make, size, spec);
        assert(
          Math.abs(native.loss - cpu.loss) <= 1e-5 * Math.abs(cpu.loss),
          `loss ${native.loss} vs ${cpu.loss}`,
        );
        assertEquals(native.grads.length, cpu.grads.length);
        let worst = 0;
        native.grads.forEach((g, i) => {
          const e = relDiff(g, cpu.grads[i]);
          worst = Math.max(worst, e);
          assert(e <= 1e-4, `parameter ${i}: native differs from cpu by ${e}`);
        });
        assert(cpu.grads.some((g) => g.some((v) => v !== 0)), "the update is not all zero");
        console.log(`worst parameter rel. difference ${worst.toExponential(1)}`);
      },
    });
  }
}
