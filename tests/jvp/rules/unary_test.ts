import { initBackend } from "../../../src/backend.ts";
import { testSpecs } from "../_harness.ts";
import { unarySpecs } from "../_specs.ts";

await initBackend("cpu");
testSpecs(unarySpecs);
