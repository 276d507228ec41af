/// <reference lib="dom" />
/**
 * Starting tfjs in the page: webgl when the browser offers it, else the
 * library's wasm backend (binaries served next to the page, no CDN), else
 * cpu.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { setWasmPaths } from "npm:@tensorflow/tfjs-backend-wasm@4.22.0";
import { initBackend } from "../../mod.ts";

/** Tries the requested backend (`auto`: webgl → wasm → cpu); returns the one running. */
export async function startBackend(choice: string): Promise<string> {
  setWasmPaths(new URL("./", location.href).href);
  const order = choice === "auto" ? ["webgl", "wasm", "cpu"] : [choice, "wasm", "cpu"];
  const failures: string[] = [];
  for (const name of order) {
    try {
      if (name === "webgl") {
        if (await tf.setBackend("webgl")) {
          await tf.ready();
          tf.tidy(() => tf.add(tf.scalar(1), 1).dataSync());
          return "webgl";
        }
        failures.push("webgl: not available");
        continue;
      }
      return (await initBackend(name as "wasm" | "cpu")).name;
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new Error(`Cannot start a tfjs backend (${failures.join("; ")})`);
}
