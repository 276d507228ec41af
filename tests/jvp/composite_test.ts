import { initBackend } from "../../src/backend.ts";
import { testSpecs } from "./_harness.ts";
import { compositeSpecs, modelLayerSpecs, networkSpecs } from "./_specs.ts";

await initBackend("cpu");
testSpecs([...compositeSpecs, ...networkSpecs, ...modelLayerSpecs]);
