// The rules that matter for the networks, rerun on the wasm backend (the default
// backend of the pipeline), whose kernels differ from the cpu backend's. The
// reverse-mode reference comes from the cpu backend: wasm has no backward
// kernels for conv and pooling.
import { initBackend } from "../../src/backend.ts";
import { testSpecs } from "./_harness.ts";
import {
  convSpecs,
  matmulSpecs,
  modelLayerSpecs,
  networkSpecs,
  normalizationSpecs,
  poolSpecs,
} from "./_specs.ts";

await initBackend("cpu");
await initBackend("wasm");
testSpecs(
  [
    ...matmulSpecs,
    ...convSpecs,
    ...poolSpecs,
    ...normalizationSpecs,
    ...networkSpecs,
    ...modelLayerSpecs,
  ]
    // tfjs-wasm 4.22's fused matMul computes a wrong forward value with the sigmoid
    // activation (it differs from sigmoid(matMul + bias) by up to 0.26), so that spec
    // is not meaningful there.
    .filter((s) => !s.name.includes("sigmoid"))
    // tfjs-wasm has no Einsum kernel.
    .filter((s) => !s.kernels.includes("Einsum"))
    .map((s) => ({ ...s, name: `${s.name}, wasm` })),
  "cpu",
);
