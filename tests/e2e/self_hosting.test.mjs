// Self-hosting: the relay binary with the site inside serves the app with no flags at all (on
// 127.0.0.1:8080, data in ./data), with the same headers as from a --site folder; and a page
// opened over plain http from another machine's address tells residents it cannot work offline.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { launchBrowser, newProfile } from "./support/browser.mjs";
import { spawnRelay, startRelay } from "./support/relay.mjs";

/** Whether nothing listens on 127.0.0.1:port. */
function portIsFree(port) {
  return new Promise(resolve => {
    const probe = createServer().once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

/** Runs the relay binary as a village volunteer would: in a folder of its own, given `args`. */
async function runBare(args) {
  const cwd = mkdtempSync(join(tmpdir(), "linli-e2e-bare-"));
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("LINLI_")));
  const { child, httpUrl } = await spawnRelay(args, { cwd, env: { ...env, LINLI_LOG: "warn" } });
  const exited = new Promise(resolve => child.once("exit", resolve));
  return {
    httpUrl,
    cwd,
    async stop() {
      child.kill("SIGTERM");
      await exited;
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

const HEADERS_THAT_MATTER = ["content-type", "content-encoding", "cache-control", "vary", "content-security-policy", "x-content-type-options", "referrer-policy"];

async function headersOf(url) {
  const response = await fetch(url, { headers: { "accept-encoding": "br" } });
  assert.equal(response.status, 200, url);
  return Object.fromEntries(HEADERS_THAT_MATTER.map(name => [name, response.headers.get(name)]));
}

test("the relay with the site inside serves the app with no flags, with the same headers as from a folder", async () => {
  // No flags at all when 8080 is free (the default address); else only --listen.
  const noFlags = await portIsFree(8080);
  const bare = await runBare(noFlags ? [] : ["--listen", "127.0.0.1:0"]);
  const fromFolder = await startRelay();
  const browser = await launchBrowser();
  try {
    if (noFlags) assert.equal(bare.httpUrl, "http://127.0.0.1:8080");
    const page = await (await newProfile(browser)).page;
    await page.goto(bare.httpUrl);
    await page.getByRole("button", { name: "Create space" }).waitFor();
    assert.ok(existsSync(join(bare.cwd, "data")), "the data folder is ./data beside where it was started");

    const html = await (await fetch(bare.httpUrl)).text();
    const wasm = html.match(/href="\/([^"]+_bg\.wasm)"/)?.[1];
    assert.ok(wasm, "the page names its wasm");
    for (const path of ["/", "/sw.js", "/manifest.webmanifest", `/${wasm}`, "/s/some-space"]) {
      assert.deepEqual(await headersOf(bare.httpUrl + path), await headersOf(fromFolder.httpUrl + path), path);
    }
    const immutable = await headersOf(`${bare.httpUrl}/${wasm}`);
    assert.match(immutable["cache-control"], /immutable/, "content-hashed files are kept for a year");
    assert.equal(immutable["content-encoding"], "br", "the precompressed copy is sent");
  } finally {
    await browser.close();
    await fromFolder.stop();
    await bare.stop();
  }
});

test("a page opened over plain http from another machine's address says Linli cannot work offline there", async () => {
  const relay = await startRelay();
  const port = new URL(relay.httpUrl).port;
  // `linli.lan` is resolved to this machine inside the browser only, so no traffic leaves it;
  // to the browser it is another machine's plain-http address, as a village LAN would give.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--host-resolver-rules=MAP linli.lan 127.0.0.1"],
  });
  try {
    const lan = await (await browser.newContext()).newPage();
    await lan.goto(`http://linli.lan:${port}/`);
    const notice = lan.getByRole("status").filter({ hasText: "This address is not secure" });
    await notice.waitFor();
    assert.match(await notice.innerText(), /cannot work offline here/);
    assert.equal(await lan.evaluate(() => window.isSecureContext), false);
    // The app still works online there.
    await lan.getByRole("button", { name: "Create space" }).waitFor();
    await notice.getByRole("button", { name: "OK" }).click();
    await lan.reload();
    await lan.getByRole("button", { name: "Create space" }).waitFor();
    assert.equal(await notice.count(), 0, "once understood, it is not shown again on this device");

    const chinese = await (await browser.newContext({ locale: "zh-CN" })).newPage();
    await chinese.goto(`http://linli.lan:${port}/`);
    await chinese.getByRole("status").filter({ hasText: "此网址不安全" }).waitFor();

    const local = await (await browser.newContext()).newPage();
    await local.goto(relay.httpUrl);
    await local.getByRole("button", { name: "Create space" }).waitFor();
    assert.equal(await local.getByText("This address is not secure").count(), 0, "on this machine's own address the page is a secure context");
  } finally {
    await browser.close();
    await relay.stop();
  }
});
