// `deno task site` from the command line: bad flags are one-line usage
// errors (exit 2, nothing written); `--serve` builds and serves the page.
import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

for (
  const [args, names] of [
    [["--port", "abc"], /--port/],
    [["--port", "70000"], /--port/],
    [["--screenshot", "page.jpg"], /--screenshot/],
    [["--bogus"], /--bogus/],
  ] as const
) {
  Deno.test(`site task: ${args.join(" ")} is a usage error naming the flag`, async () => {
    const dir = await mkdtemp(join(tmpdir(), "fg-site-task-"));
    const out = join(dir, "out");
    try {
      const r = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "tasks/site.ts", "--out", out, ...args],
        cwd: ROOT,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const err = decode(r.stderr).trim();
      assert.equal(r.code, 2, err);
      assert.equal(err.split("\n").length, 1, err);
      assert.match(err, names);
      await assert.rejects(stat(out), "nothing written");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

Deno.test("site task: --serve builds and serves the page, its bundle and the wasm binaries", async () => {
  const dir = await mkdtemp(join(tmpdir(), "fg-site-serve-"));
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tasks/site.ts", "--serve", "--port", "0", "--out", dir],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    let url: string | undefined;
    while (!url) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the task ended early:\n${text}\n${await stderr}`);
      text += value;
      url = /serving .* at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text)?.[1];
    }
    reader.releaseLock();
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    assert.match(await page.text(), /<script type="module" src="main.js">/);
    const wasm = await fetch(`${url}tfjs-backend-wasm-simd.wasm`);
    assert.equal(wasm.headers.get("content-type"), "application/wasm");
    assert.deepEqual([...new Uint8Array(await wasm.arrayBuffer()).slice(0, 4)], [
      0,
      0x61,
      0x73,
      0x6d,
    ]);
    const js = await fetch(`${url}main.js`);
    assert.match(js.headers.get("content-type") ?? "", /javascript/);
    await js.body?.cancel();
    const missing = await fetch(`${url}nope.txt`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await child.stdout.cancel().catch(() => {});
    await stderr;
    await rm(dir, { recursive: true, force: true });
  }
});
