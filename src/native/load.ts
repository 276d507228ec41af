/**
 * Side-effect module imported by `src/backend.ts`: registers the loader of the
 * native `tensorflow` backend installed by `deno task setup-native`.
 *
 * @module
 */
import { registerNativeLoader } from "../backend.ts";
import { loadNativeBackend } from "./loader.ts";

registerNativeLoader(() => loadNativeBackend());
