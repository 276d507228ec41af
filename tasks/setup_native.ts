/**
 * `deno task setup-native [--gpu] [--offline] [--force] [--tf-version X.Y.Z]`:
 * installs the native `tensorflow` tfjs backend into `.native/` (see
 * src/native/setup.ts). On failure it prints the failed step and exits 1; the
 * default wasm backend is never affected.
 *
 * @module
 */
import { parseFlags, runMain, UsageError } from "../src/cli/args.ts";
import { nativeDir } from "../src/native/install_record.ts";
import { SetupError, setupNative, TF_WHEEL_VERSION } from "../src/native/setup.ts";

const HELP = `Usage: deno task setup-native [--gpu] [--offline] [--force] [--tf-version X.Y.Z]

Installs the native TensorFlow backend (@tensorflow/tfjs-node) into .native/
(or $FG_NATIVE_DIR) so that --backend auto|tensorflow runs on libtensorflow.

  --gpu                 install @tensorflow/tfjs-node-gpu instead (its stock download is
                        libtensorflow 2.9.1: needs CUDA 11.2 and cuDNN 8.1)
  --offline             skip the npm install script's download; build from the
                        TensorFlow wheel (pip download) and local Node headers
  --force               reinstall even when a working install is found
  --tf-version X.Y.Z    TensorFlow wheel for the offline route (default ${TF_WHEEL_VERSION})
  --help                print this help`;

await runMain(async () => {
  const { values } = parseFlags(Deno.args, {
    gpu: { type: "boolean" },
    offline: { type: "boolean" },
    force: { type: "boolean" },
    "tf-version": { type: "string" },
    help: { type: "boolean" },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const tfVersion = values["tf-version"] ?? TF_WHEEL_VERSION;
  if (!/^\d+\.\d+\.\d+$/.test(tfVersion)) {
    throw new UsageError(
      `--tf-version must be a version like ${TF_WHEEL_VERSION}, got "${tfVersion}"`,
    );
  }
  const dir = nativeDir();
  const t0 = performance.now();
  try {
    const { record, reused } = await setupNative({
      dir,
      gpu: values.gpu ?? false,
      offline: values.offline ?? false,
      force: values.force ?? false,
      tfVersion,
    });
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    if (!reused) {
      console.log(
        `setup-native: done in ${secs} s: ${record.package}@${record.packageVersion} with ` +
          `libtensorflow ${record.libtensorflow.version} (${record.route} route), ` +
          `matMul agrees with cpu to ${record.verified.maxAbsDiff.toExponential(1)}; ` +
          `recorded in ${dir}/install.json. Use --backend auto or --backend tensorflow.`,
      );
    }
  } catch (e) {
    if (!(e instanceof SetupError)) throw e;
    console.error(`setup-native: FAILED at ${e.step}: ${e.message}`);
    console.error(`setup-native: full output in ${dir}/setup.log`);
    console.error(
      "setup-native: nothing was recorded; --backend auto keeps using wasm (the default path is unaffected)",
    );
    Deno.exit(1);
  }
});
