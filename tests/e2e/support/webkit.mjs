// A second browser engine for the end-to-end tests: WebKit, as in Safari and in WeChat on an
// iPhone. Debian's WebKitWebDriver drives WebKitGTK's MiniBrowser under a virtual display
// (xvfb-run), spoken to over plain W3C WebDriver (HTTP and JSON, no client library).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";

export const MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

/** Whether this machine has WebKit's driver and browser (the test command installs them). */
export function webkitAvailable() {
  return existsSync("/usr/bin/WebKitWebDriver") && existsSync(MINIBROWSER) && existsSync("/usr/bin/xvfb-run");
}

async function freePort() {
  const server = net.createServer();
  await new Promise(resolve => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise(resolve => server.close(resolve));
  return port;
}

/** Starts WebKitWebDriver and one MiniBrowser session; returns the session's commands. */
export async function startWebKit() {
  const port = await freePort();
  const driver = spawn("xvfb-run", ["-a", "WebKitWebDriver", `--port=${port}`], { stdio: ["ignore", "pipe", "pipe"], detached: true });
  let log = "";
  driver.stdout.on("data", c => (log += c));
  driver.stderr.on("data", c => (log += c));
  const base = `http://127.0.0.1:${port}`;
  const call = async (method, path, body) => {
    const response = await fetch(`${base}${path}`, { method, headers: { "Content-Type": "application/json" }, body: body && JSON.stringify(body) });
    const { value } = await response.json();
    if (!response.ok) throw new Error(`WebDriver ${method} ${path}: ${value?.error}: ${value?.message}`);
    return value;
  };
  for (let tries = 0; ; tries++) {
    try {
      if ((await call("GET", "/status")).ready) break;
    } catch (error) {
      if (tries > 100) throw new Error(`WebKitWebDriver did not start: ${error.message}\n${log}`);
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  const { sessionId } = await call("POST", "/session", {
    capabilities: { alwaysMatch: { "webkitgtk:browserOptions": { binary: MINIBROWSER, args: ["--automation"] } } },
  });
  const s = `/session/${sessionId}`;
  const find = async css => (await call("POST", `${s}/element`, { using: "css selector", value: css }))[ELEMENT];
  const browser = {
    goto: url => call("POST", `${s}/url`, { url }),
    url: () => call("GET", `${s}/url`),
    refresh: () => call("POST", `${s}/refresh`, {}),
    /** Runs `script` (a function body) in the page with `args`; its return value. */
    run: (script, ...args) => call("POST", `${s}/execute/sync`, { script, args }),
    /** Waits until `script` returns something truthy; returns it. */
    async until(what, script, ...args) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const value = await browser.run(script, ...args).catch(() => undefined);
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`WebKit: timed out waiting for ${what}`);
        await new Promise(resolve => setTimeout(resolve, 100));
      }
    },
    /** Waits until some element matching `css` shows `text` (anywhere in it). */
    untilText: (css, text) =>
      browser.until(`“${text}” in ${css}`, "return [...document.querySelectorAll(arguments[0])].some(e => e.innerText.includes(arguments[1]))", css, text),
    /** Waits until an element matching `css` is shown (not hidden by a class or an ancestor). */
    shown: css => browser.until(`${css} to be shown`, "const e = document.querySelector(arguments[0]); return !!e && e.getClientRects().length > 0", css),
    async click(css) {
      await browser.shown(css);
      await call("POST", `${s}/element/${await find(css)}/click`, {});
    },
    async type(css, text) {
      await browser.shown(css);
      await call("POST", `${s}/element/${await find(css)}/value`, { text });
    },
    async quit() {
      await call("DELETE", s).catch(() => {});
      try {
        process.kill(-driver.pid, "SIGTERM");
      } catch {}
    },
  };
  return browser;
}
