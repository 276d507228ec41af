import assert, { deepEqual as assertEquals, rejects as assertRejects } from "node:assert/strict";
import { createHash } from "node:crypto";
import { DownloadError, downloadVerified, type FetchFn } from "../../src/data/download.ts";
import { DatasetError } from "../../src/data/errors.ts";

const payload = new TextEncoder().encode("the quick brown fox");
const md5 = createHash("md5").update(payload).digest("hex");
const sha256 = createHash("sha256").update(payload).digest("hex");

function serve(
  routes: Record<string, () => Response | Promise<Response>>,
): FetchFn & { calls: string[] } {
  const calls: string[] = [];
  const f = (url: string) => {
    calls.push(url);
    const r = routes[url];
    if (!r) return Promise.reject(new TypeError("error sending request: dns error: no such host"));
    return Promise.resolve(r());
  };
  return Object.assign(f, { calls });
}

Deno.test("downloadVerified() returns a download whose checksums match, trying mirrors in order", async () => {
  const fetch = serve({ "https://b/x": () => new Response(payload) });
  const got = await downloadVerified(
    { file: "x", urls: ["https://a/x", "https://b/x"], md5, sha256 },
    { fetch },
  );
  assertEquals(fetch.calls, ["https://a/x", "https://b/x"]);
  assertEquals(got.url, "https://b/x");
  assertEquals(got.md5, md5);
  assertEquals(got.sha256, sha256);
  assertEquals(Array.from(got.bytes), Array.from(payload));
});

Deno.test("downloadVerified() rejects a download that does not match its published checksum", async () => {
  const fetch = serve({ "https://a/x": () => new Response("something else") });
  await assertRejects(
    () => downloadVerified({ file: "x", urls: ["https://a/x"], md5 }, { fetch }),
    (e: unknown) =>
      e instanceof DatasetError &&
      e.message.startsWith(`Checksum mismatch for https://a/x: md5 `) &&
      e.message.includes(`expected ${md5}`),
  );
  await assertRejects(
    () => downloadVerified({ file: "x", urls: ["https://a/x"], sha256 }, { fetch }),
    /Checksum mismatch for https:\/\/a\/x: sha256 .*expected/,
  );
});

Deno.test("downloadVerified() reports HTTP errors and unreachable mirrors as DownloadError", async () => {
  const fetch = serve({
    "https://a/x": () => new Response("no", { status: 404, statusText: "Not Found" }),
  });
  await assertRejects(
    () => downloadVerified({ file: "x", urls: ["https://a/x", "https://b/x"], md5 }, { fetch }),
    (e: unknown) => {
      assert(e instanceof DownloadError);
      assert.match(
        e.message,
        /^Cannot download x: https:\/\/a\/x: HTTP 404 Not Found; https:\/\/b\/x: .*dns error/,
      );
      return true;
    },
  );
});

Deno.test("downloadVerified() gives up when no data arrives within the idle timeout", async () => {
  let cancelled = false;
  const fetch: FetchFn = (_url, init) =>
    Promise.resolve(
      new Response(
        new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(payload.subarray(0, 3));
            init?.signal?.addEventListener("abort", () => {
              cancelled = true;
              c.error(new DOMException("aborted", "AbortError"));
            });
          },
        }),
      ),
    );
  await assertRejects(
    () =>
      downloadVerified({ file: "x", urls: ["https://slow/x"], md5 }, { fetch, idleTimeoutMs: 50 }),
    /Cannot download x: https:\/\/slow\/x: no data for 0\.05 s/,
  );
  assert(cancelled);
});
