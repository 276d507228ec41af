// Every gradient mode on ResNet18 and the ViT (reduced sizes) on the native
// tensorflow backend against the cpu backend, the exact reference: the same
// seeded model, batch and tangents on both, loss and every parameter update
// compared. Needs `deno task setup-native` (or $FG_NATIVE_DIR); ignored, with
// that reason in its name, where the native backend is not installed.
import { nativeDir, readInstallRecord } from "../../../src/native/install_record.ts";
import type { GradientSpec } from "../../../src/nn/gradients/mode.ts";
import { assertStepsAgree, modelStep as step, smallResnet, smallVit } from "./_models.ts";

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
        assertStepsAgree("native", native, cpu, 1e-4, 1e-5);
      },
    });
  }
}
