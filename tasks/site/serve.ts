/**
 * A static file server for the built page (node:http), for local viewing
 * and for the browser test.
 *
 * @module
 */
import { createServer, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".json": "application/json",
};

/** A running server: its URL and how to stop it. */
export interface StaticServer {
  /** e.g. `http://127.0.0.1:8000/`. */
  url: string;
  /** Stops listening. */
  close(): Promise<void>;
}

/**
 * Serves `dir` on 127.0.0.1:`port` (0: any free port).
 *
 * @example Serve the built page
 * ```ts ignore
 * import { serveStatic } from "./serve.ts";
 * const s = await serveStatic("dist/site", 8000);
 * console.log(s.url);
 * ```
 */
export async function serveStatic(dir: string, port = 0): Promise<StaticServer> {
  const root = normalize(dir);
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end("forbidden");
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "cache-control": "no-store",
      }).end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${actual}/`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
