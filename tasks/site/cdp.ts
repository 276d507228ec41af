/**
 * Driving headless Chromium over the Chrome DevTools Protocol: launch the
 * Debian `chromium` with a fresh profile, open one page, evaluate script in
 * it, dispatch real mouse and key events, take screenshots. A few dozen
 * lines on Deno's WebSocket instead of a browser-automation package (which
 * would want to download its own browser).
 *
 * @module
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The Chromium executable the tests and the screenshot use. */
export const CHROMIUM_PATH = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";

/** Flags for a quiet, isolated headless browser. */
export const CHROMIUM_FLAGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--hide-scrollbars",
  "--remote-debugging-port=0",
];

/** Whether the Chromium executable exists. */
export function hasChromium(path = CHROMIUM_PATH): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** One browser with one page. */
export class Browser {
  #ws: WebSocket;
  #child: Deno.ChildProcess;
  #profile: string;
  #next = 1;
  #waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #session = "";
  /** The page's console messages and uncaught exceptions, in order. */
  readonly logs: string[] = [];

  private constructor(ws: WebSocket, child: Deno.ChildProcess, profile: string) {
    this.#ws = ws;
    this.#child = child;
    this.#profile = profile;
    ws.onmessage = (m) => {
      const msg = JSON.parse(m.data as string);
      if (msg.method === "Runtime.consoleAPICalled") {
        const args = msg.params.args.map((a: { value?: unknown; description?: string }) =>
          a.value ?? a.description ?? ""
        );
        this.logs.push(`console.${msg.params.type}: ${args.join(" ")}`);
      } else if (msg.method === "Runtime.exceptionThrown") {
        const d = msg.params.exceptionDetails;
        this.logs.push(`exception: ${d.exception?.description ?? d.text}`);
      }
      const w = msg.id !== undefined ? this.#waiting.get(msg.id) : undefined;
      if (!w) return;
      this.#waiting.delete(msg.id);
      if (msg.error) w.reject(new Error(`CDP: ${msg.error.message}`));
      else w.resolve(msg.result);
    };
  }

  /** Launches Chromium with a window of `width`×`height` and opens a blank page. */
  static async launch(
    width = 1280,
    height = 1400,
    extraFlags: readonly string[] = [],
    exe: string = CHROMIUM_PATH,
  ): Promise<Browser> {
    const profile = await mkdtemp(join(tmpdir(), "fg-chromium-"));
    const child = new Deno.Command(exe, {
      args: [
        ...CHROMIUM_FLAGS,
        ...extraFlags,
        `--user-data-dir=${profile}`,
        `--window-size=${width},${height}`,
        "about:blank",
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    let url: string | undefined;
    const deadline = Date.now() + 30_000;
    while (!url && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
      url = /DevTools listening on (ws:\/\/\S+)/.exec(text)?.[1];
    }
    // Keep draining stderr so that Chromium never blocks on a full pipe.
    (async () => {
      try {
        while (!(await reader.read()).done);
      } catch { /* closed */ }
    })();
    if (!url) {
      child.kill();
      throw new Error(
        `Cannot start ${exe}: no DevTools address in its output:\n${text.slice(-800)}`,
      );
    }
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error(`Cannot connect to ${url}`));
    });
    const browser = new Browser(ws, child, profile);
    const { targetId } = await browser.send("Target.createTarget", { url: "about:blank" }) as {
      targetId: string;
    };
    const { sessionId } = await browser.send("Target.attachToTarget", {
      targetId,
      flatten: true,
    }) as {
      sessionId: string;
    };
    browser.#session = sessionId;
    await browser.page("Page.enable");
    await browser.page("Runtime.enable");
    await browser.page("Emulation.setDeviceMetricsOverride", {
      width,
      height,
      deviceScaleFactor: 1,
      mobile: false,
    });
    return browser;
  }

  /** Sends a browser-level command. */
  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<unknown> {
    const id = this.#next++;
    this.#ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return new Promise((resolve, reject) => this.#waiting.set(id, { resolve, reject }));
  }

  /** Sends a command to the page. */
  page(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    return this.send(method, params, this.#session);
  }

  /** Evaluates an expression in the page (awaiting promises) and returns its JSON value. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.page("Runtime.evaluate", {
      expression,
      awaitPromise: true,
      returnByValue: true,
    }) as {
      result: { value: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    };
    if (r.exceptionDetails) {
      throw new Error(
        `In the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`,
      );
    }
    return r.result.value;
  }

  /** Navigates and waits for the load event. */
  async goto(url: string): Promise<void> {
    await this.page("Page.navigate", { url });
    await this.waitFor("document.readyState === 'complete'");
  }

  /** Polls an expression until it is truthy (or throws after `timeoutMs`). */
  async waitFor(expression: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await this.evaluate<boolean>(`Boolean(${expression})`)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`Timed out after ${timeoutMs} ms waiting for ${expression}`);
  }

  /** A real left click at viewport pixel (x, y). */
  async click(x: number, y: number): Promise<void> {
    for (const type of ["mouseMoved", "mousePressed", "mouseReleased"]) {
      await this.page("Input.dispatchMouseEvent", { type, x, y, button: "left", clickCount: 1 });
    }
  }

  /** Presses a key (e.g. `ArrowUp`, `Enter`) in the focused element. */
  async press(key: string): Promise<void> {
    const codes: Record<string, number> = {
      ArrowUp: 38,
      ArrowDown: 40,
      ArrowLeft: 37,
      ArrowRight: 39,
      Enter: 13,
      Tab: 9,
    };
    const base = { key, code: key, windowsVirtualKeyCode: codes[key] ?? 0 };
    await this.page("Input.dispatchKeyEvent", { type: "rawKeyDown", ...base });
    if (key === "Enter") {
      await this.page("Input.dispatchKeyEvent", { type: "char", text: "\r", ...base });
    }
    await this.page("Input.dispatchKeyEvent", { type: "keyUp", ...base });
  }

  /** A PNG screenshot of the whole page. */
  async screenshot(): Promise<Uint8Array> {
    const { data } = await this.page("Page.captureScreenshot", {
      format: "png",
      captureBeyondViewport: true,
    }) as {
      data: string;
    };
    return Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  }

  /** Closes the browser and removes its profile. */
  async close(): Promise<void> {
    try {
      await this.send("Browser.close");
    } catch { /* already gone */ }
    this.#ws.close();
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), 5000);
    await this.#child.status;
    clearTimeout(timer);
    await rm(this.#profile, { recursive: true, force: true });
  }
}
