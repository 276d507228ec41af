// ResNet18 and the ViT (reduced sizes) on webgpu against the cpu backend, the
// exact reference: one step of bp and of fg/frog k=3 in the simulated and the
// true forward node modes (the modes that read asynchronously; the weight
// modes still read synchronously and run on webgpu only through wasm
// overrides), the same seeded model, batch and tangents on both, loss and
// every parameter update compared. Ignored only when this machine has no
// WebGPU adapter (Debian's mesa-vulkan-drivers gives a software one).
import { initBackend } from "../../src/backend.ts";
import type { GradientSpec } from "../../src/nn/gradients/mode.ts";
import { assertStepsAgree, modelStep, smallResnet, smallVit } from "../nn/gradients/_models.ts";

const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown | null> } }).gpu;
const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
const IGNORE = adapter === null;
if (IGNORE) console.log("webgpu model tests ignored: no WebGPU adapter on this machine");

/** float32 on both; webgpu's kernels sum in other orders (measured worst 1.0e-5, 3 Dec 2026). */
const TOL = 1e-4;

const specs: GradientSpec[] = [{ approach: "bp", k: 1, mode: "sim", perturbation: "node" }];
for (const approach of ["fg", "frog"] as const) {
  for (const mode of ["sim", "fwad"] as const) {
    specs.push({ approach, k: 3, mode, perturbation: "node" });
  }
}

for (const [name, make, size] of [["vit", smallVit, 8], ["resnet18", smallResnet, 16]] as const) {
  for (const spec of specs) {
    const label = spec.approach === "bp" ? "bp" : `${spec.approach} k=${spec.k} ${spec.mode} node`;
    Deno.test({
      name: `webgpu ≡ cpu: ${name}, ${label}, to ${TOL} relative`,
      ignore: IGNORE,
      // tfjs-backend-webgpu keeps a device and its pipelines for the process.
      sanitizeResources: false,
      sanitizeOps: false,
      fn: async () => {
        const got = await modelStep("webgpu", make, size, spec);
        const want = await modelStep("cpu", make, size, spec);
        await initBackend("wasm");
        assertStepsAgree("webgpu", got, want, TOL);
      },
    });
  }
}
