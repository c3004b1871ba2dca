// Browser benchmarks for `cargo xtask bench` (not a test: it asserts nothing and prints Markdown).
// Real headless Chromium through the DevTools protocol, the real relay on 127.0.0.1 serving the
// release site, spaces seeded by `linli-seed-space`:
//   1. First visits on a village phone: slow 4G (a shaping proxy, ./slow_link.mjs, that the page
//      and its engine worker both go through) and 4× CPU throttling, a fresh profile each run:
//      the home screen taking input, and a pledge opened from its poster's QR code showing its
//      text; bytes transferred before each; first contentful paint.
//   2. Load with 4× CPU throttling: cold (empty cache, nothing stored) and warm (service worker,
//      the space stored in IndexedDB): first content painted, and the first interaction handled.
//   3. A space of 10,000 items: open from the local copy, render and scroll the board, one remote
//      change (main-thread work until it shows), memory per item (the page and its worker).
// Environment: LINLI_RELAY_BIN, LINLI_SITE_DIR, LINLI_SEED_BIN (and CHROMIUM). With
// `--first-visits`, only part 1 runs.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { launchBrowser } from "../support/browser.mjs";
import { startRelay } from "../support/relay.mjs";
import { SLOW_4G, startSlowLink } from "./slow_link.mjs";

const RUNS = 3;
/** The figures `cargo xtask bench` checks against the goals. */
const numbers = {};
const SMALL = 200;
const LARGE = 10_000;

/** Seeds a space of `items` items on the relay; returns its ID and a function that makes one remote edit. */
async function seed(wsUrl, items) {
  const child = spawn(process.env.LINLI_SEED_BIN, ["--url", wsUrl, "--items", String(items)], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  lines.on("line", line => waiting.shift()?.(line));
  const next = () => new Promise(resolve => waiting.push(resolve));
  const first = await next();
  const [, id, pledge, part] = first.match(/^space=(\S+) pledge=(\S+) part=(\S+)$/) ?? [];
  if (!id) throw new Error(`linli-seed-space said: ${first}`);
  return {
    id,
    pledge,
    part,
    /** Gives notice number `n` a new title; resolves once the relay has it. */
    async edit(n) {
      const answer = next();
      child.stdin.write(`edit ${n}\n`);
      return answer;
    },
    close: () => child.stdin.end(),
  };
}

// Marks, in page time (ms since navigation start): first contentful paint, the space's heading,
// and the first click on the Notices tab (made as soon as the tab exists) until the app has
// handled it (the route changed and the screen with it).
const MARKS = () => {
  const marks = (window.__marks = {});
  const mark = key => { if (!(key in marks)) marks[key] = performance.now(); };
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) if (entry.name === "first-contentful-paint") marks.fcp = entry.startTime;
  }).observe({ type: "paint", buffered: true });
  addEventListener("linli-started", event => (window.__wasm = event.detail.wasm));
  let clicked = false;
  new MutationObserver(() => {
    if (document.querySelector("main h1, h1")?.textContent.trim()) mark("content");
    // The home screen takes input: its field for a new space's name is there.
    if (document.querySelector("#space-name")) mark("home");
    // A pledge's sheet shows its title and text.
    if (document.querySelector("#pledge-title")?.textContent.trim() && document.querySelector(".pledge-sheet .rich-text, .pledge-sheet .pledge-text")) mark("pledge");
    if (clicked && location.pathname.endsWith("/notices")) mark("handled");
    const tab = document.querySelector('nav.tabs a[href*="/notices"]');
    if (window.__clickTab && tab && !clicked) {
      clicked = true;
      mark("clicked");
      tab.click();
    }
  }).observe(document, { subtree: true, childList: true, characterData: true });
};

const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = value => (value === undefined ? "—" : `${Math.round(value)} ms`);

async function throttled(context, page, rate) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate });
  return cdp;
}

/** One load of `url` in `page`; returns its marks once the tab click was handled. */
async function load(page, url) {
  await page.goto(url, { waitUntil: "commit" });
  try {
    await page.waitForFunction(() => window.__marks?.handled !== undefined && window.__marks?.content !== undefined, null, { timeout: 60_000 });
  } catch (error) {
    const state = await page.evaluate(() => ({ marks: window.__marks, url: location.href, html: document.body.innerHTML.slice(0, 3000) }));
    throw new Error(`the page did not load: ${JSON.stringify(state)}`);
  }
  // The paint entry, once painted (the observer above misses it on some loads).
  await page.waitForFunction(() => performance.getEntriesByName("first-contentful-paint").length > 0, null, { timeout: 10_000 }).catch(() => {});
  return page.evaluate(() => ({ ...window.__marks, fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? window.__marks.fcp }));
}

/** Bytes the page received up to `until` (page time): the document and every resource it finished. */
const BYTES_UNTIL = until => {
  const entries = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")];
  return entries.filter(e => e.responseEnd <= until).reduce((sum, e) => sum + (e.transferSize || 0), 0);
};

/**
 * One cold first visit of `path` over a slow link of its own (a link still busy with an earlier
 * visit's downloads would slow this one): the time of `mark` and the bytes before it.
 */
async function firstVisit(browser, relay, path, mark) {
  const link = await startSlowLink(relay.httpUrl.replace(/^http:\/\//, ""));
  const url = `${link.httpUrl}${path}`;
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  await context.addInitScript(MARKS);
  const page = await context.newPage();
  await throttled(context, page, 4);
  await page.goto(url, { waitUntil: "commit" });
  await page.waitForFunction(key => window.__marks?.[key] !== undefined, mark, { timeout: 120_000 });
  await page.waitForFunction(() => performance.getEntriesByName("first-contentful-paint").length > 0, null, { timeout: 30_000 }).catch(() => {});
  const result = await page.evaluate(
    ([key, bytesUntil]) => {
      const at = window.__marks[key];
      return { at, fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime, bytes: new Function(`return (${bytesUntil})`)()(at) };
    },
    [mark, BYTES_UNTIL.toString()],
  );
  await context.close();
  await link.stop();
  return result;
}

async function firstVisits(browser, relay, space) {
  const home = [];
  const pledge = [];
  for (let run = 0; run < RUNS; run++) {
    home.push(await firstVisit(browser, relay, "/", "home"));
    pledge.push(await firstVisit(browser, relay, `/s/${space.id}/pledges/${space.pledge}#part=${space.part}`, "pledge"));
  }
  numbers.first_home = median(home.map(r => r.at));
  numbers.first_pledge = median(pledge.map(r => r.at));
  numbers.first_home_bytes = median(home.map(r => r.bytes));
  numbers.first_fcp = median(home.map(r => r.fcp));
  const kb = bytes => `${Math.round(bytes / 1000).toLocaleString("en")} KB`;
  const row = (name, runs) => `| ${name} | ${ms(median(runs.map(r => r.fcp)))} | ${ms(median(runs.map(r => r.at)))} | ${kb(median(runs.map(r => r.bytes)))} |`;
  return [
    `| first visit, slow 4G (${SLOW_4G.downBytesPerSecond * 8 / 1e6} Mbps, ${SLOW_4G.roundTripMs} ms) + 4× CPU, phone, median of ${RUNS} | first contentful paint | screen shown | bytes before it |`,
    "|---|---:|---:|---:|",
    row("home screen takes input", home),
    row("a pledge opened from its poster's QR code shows its text", pledge),
  ].join("\n");
}

async function loads(browser, relay, spaceId) {
  const url = `${relay.httpUrl}/s/${spaceId}`;
  const cold = [];
  const warm = [];
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext();
    await context.addInitScript(() => localStorage.setItem("linli.name", "Bench"));
    await context.addInitScript(() => (window.__clickTab = true));
    await context.addInitScript(MARKS);
    const page = await context.newPage();
    await throttled(context, page, 4);
    cold.push(await load(page, url));
    // Stored locally and the service worker in control before the warm load.
    await page.locator('.sync-badge .saved[data-saved="true"]').waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 60_000 });
    await page.goto("about:blank");
    warm.push(await load(page, url));
    await context.close();
  }
  numbers.warm_content = median(warm.map(m => m.content));
  numbers.cold_handled = median(cold.map(m => m.handled));
  const row = (name, runs) =>
    `| ${name} | ${ms(median(runs.map(m => m.fcp)))} | ${ms(median(runs.map(m => m.content)))} | ${ms(median(runs.map(m => m.handled)))} |`;
  return [
    "| load (4× CPU throttling) | first contentful paint | space shown | first interaction handled |",
    "|---|---:|---:|---:|",
    row("cold: empty cache, nothing stored (space from the relay)", cold),
    row("warm: service worker, space stored in IndexedDB", warm),
  ].join("\n");
}

/** Main-thread busy time of the page so far (ms), from the DevTools protocol. */
async function busy(cdp) {
  const { metrics } = await cdp.send("Performance.getMetrics");
  return 1000 * metrics.find(m => m.name === "TaskDuration").value;
}

/**
 * Sends a DevTools command to the page's engine worker (attached through the page's session, as
 * DevTools itself does) and resolves with its result.
 */
async function inWorker(cdp, method, params = {}) {
  if (!cdp.workerSession) {
    cdp.pending = new Map();
    cdp.on("Target.receivedMessageFromTarget", ({ message }) => {
      const reply = JSON.parse(message);
      cdp.pending.get(reply.id)?.(reply);
    });
    const attached = new Promise(resolve => cdp.on("Target.attachedToTarget", ({ sessionId, targetInfo }) => targetInfo.type === "worker" && resolve(sessionId)));
    await cdp.send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
    cdp.workerSession = await attached;
    cdp.nextId = 1;
  }
  const id = cdp.nextId++;
  const reply = new Promise(resolve => cdp.pending.set(id, resolve));
  await cdp.send("Target.sendMessageToTarget", { sessionId: cdp.workerSession, message: JSON.stringify({ id, method, params }) });
  const { result, error } = await reply;
  if (error) throw new Error(`${method} in the worker: ${error.message}`);
  return result;
}

/** wasm linear memory + JS heap in use (bytes), of the page and of its engine worker. */
async function memory(page, cdp) {
  await cdp.send("HeapProfiler.collectGarbage");
  const { usedSize } = await cdp.send("Runtime.getHeapUsage");
  const wasm = await page.evaluate(() => window.__wasm?.memory.buffer.byteLength ?? 0);
  await inWorker(cdp, "HeapProfiler.collectGarbage");
  const { usedSize: workerJs } = await inWorker(cdp, "Runtime.getHeapUsage");
  const { result } = await inWorker(cdp, "Runtime.evaluate", { expression: "linliEngineMemory()", returnByValue: true });
  return { js: usedSize, wasm, workerJs, workerWasm: result.value };
}

async function largeSpace(browser, relay, small) {
  const large = await seed(relay.wsUrl, LARGE);
  const context = await browser.newContext();
  await context.addInitScript(() => localStorage.setItem("linli.name", "Bench"));
  await context.addInitScript(MARKS);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable");
  const url = `${relay.httpUrl}/s/${large.id}`;
  await page.goto(url);
  await page.locator('.sync-badge .saved[data-saved="true"]').waitFor({ timeout: 120_000 });
  const opens = [];
  for (let run = 0; run < RUNS; run++) {
    await page.goto("about:blank");
    await page.goto(url, { waitUntil: "commit" });
    await page.waitForFunction(() => window.__marks?.content !== undefined, null, { timeout: 60_000 });
    opens.push(await page.evaluate(() => window.__marks.content));
  }
  // The engine has the space (not only the picture kept of the last visit) before its memory counts.
  await page.locator(".space-body:not([data-early])").waitFor({ timeout: 120_000 });
  const largeMemory = await memory(page, cdp);

  // The board (5,000 cards in 4 columns): shown, then scrolled to the bottom in steps, one frame each.
  await page.locator('nav.tabs a[href*="/boards"]').click();
  const boardStart = Date.now();
  await page.locator("a[href*='/boards/']").first().click();
  await page.locator(".kanban .column").nth(3).locator(".task-card").first().waitFor({ timeout: 60_000 });
  const boardShown = Date.now() - boardStart;
  const cardsOnScreen = await page.locator(".task-card").count();
  const frames = await page.evaluate(async () => {
    const frame = () => new Promise(resolve => requestAnimationFrame(() => resolve(performance.now())));
    const times = [];
    let last = await frame();
    const step = Math.max(200, document.documentElement.scrollHeight / 40);
    while (window.scrollY + window.innerHeight < document.documentElement.scrollHeight - 2) {
      window.scrollBy(0, step);
      const now = await frame();
      times.push(now - last);
      last = now;
    }
    return times;
  });

  // One remote change to the notice at the top of the list of 4,000 notices, on screen.
  await page.locator('nav.tabs a[href*="/notices"]').click();
  const top = await page.locator(".notice-link").first().innerText({ timeout: 60_000 });
  const number = top.match(/^Notice (\d+)$/)?.[1];
  if (!number) throw new Error(`the list starts with ${top}`);
  const settle = () => page.evaluate(() => new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 50))));
  const remote = [];
  const idle = [];
  for (let run = 1; run <= RUNS; run++) {
    await settle();
    let before = await busy(cdp);
    const started = Date.now();
    await large.edit(number);
    await page.getByText(`Notice ${number}, changed by a neighbour (${run})`).waitFor({ timeout: 30_000 });
    await settle();
    remote.push((await busy(cdp)) - before);
    // The same wall time with nothing happening: what the page does anyway.
    const span = Date.now() - started;
    before = await busy(cdp);
    await page.waitForTimeout(span);
    idle.push((await busy(cdp)) - before);
  }
  large.close();
  await context.close();

  // Memory of a small space in a fresh profile, for the difference per item.
  const smallContext = await browser.newContext();
  await smallContext.addInitScript(() => localStorage.setItem("linli.name", "Bench"));
  await smallContext.addInitScript(MARKS);
  const smallPage = await smallContext.newPage();
  const smallCdp = await smallContext.newCDPSession(smallPage);
  await smallPage.goto(`${relay.httpUrl}/s/${small}`);
  await smallPage.locator('.sync-badge .saved[data-saved="true"]').waitFor({ timeout: 60_000 });
  await smallPage.goto("about:blank");
  await smallPage.goto(`${relay.httpUrl}/s/${small}`);
  await smallPage.waitForFunction(() => window.__marks?.content !== undefined);
  await smallPage.locator(".space-body:not([data-early])").waitFor({ timeout: 60_000 });
  const smallMemory = await memory(smallPage, smallCdp);
  await smallContext.close();

  numbers.large_open = median(opens);
  numbers.large_remote = median(remote);
  const perItem = (key) => (largeMemory[key] - smallMemory[key]) / (LARGE - SMALL);
  const total = m => m.js + m.wasm + m.workerJs + m.workerWasm;
  const perItemTotal = (total(largeMemory) - total(smallMemory)) / (LARGE - SMALL);
  numbers.memory_per_item = perItemTotal;
  const kib = bytes => `${(bytes / 1024).toFixed(0)} KiB`;
  return [
    `| ${LARGE.toLocaleString("en")}-item space (no throttling) | median of ${RUNS} |`,
    "|---|---:|",
    `| open: from the local copy to the space shown | ${ms(median(opens))} |`,
    `| the board of 5,000 cards shown (${cardsOnScreen} on screen, "Show more" for the rest), from the click | ${ms(boardShown)} |`,
    `| scrolling the board: median frame / longest frame (${frames.length} steps) | ${ms(median(frames))} / ${ms(Math.max(...frames))} |`,
    `| one remote change shown: main-thread work (the list of 4,000 notices open) | ${ms(median(remote))} |`,
    `| the same wall time idle: main-thread work | ${ms(median(idle))} |`,
    "",
    "| memory | space of " + SMALL + " items | space of " + LARGE.toLocaleString("en") + " items | per item |",
    "|---|---:|---:|---:|",
    `| page: wasm linear memory | ${kib(smallMemory.wasm)} | ${kib(largeMemory.wasm)} | ${perItem("wasm").toFixed(0)} B |`,
    `| page: JavaScript heap in use | ${kib(smallMemory.js)} | ${kib(largeMemory.js)} | ${perItem("js").toFixed(0)} B |`,
    `| engine worker: wasm linear memory | ${kib(smallMemory.workerWasm)} | ${kib(largeMemory.workerWasm)} | ${perItem("workerWasm").toFixed(0)} B |`,
    `| engine worker: JavaScript heap in use | ${kib(smallMemory.workerJs)} | ${kib(largeMemory.workerJs)} | ${perItem("workerJs").toFixed(0)} B |`,
    `| **page and worker together** | ${kib(total(smallMemory))} | ${kib(total(largeMemory))} | **${perItemTotal.toFixed(0)} B** |`,
  ].join("\n");
}

const relay = await startRelay();
const browser = await launchBrowser();
try {
  const small = await seed(relay.wsUrl, SMALL);
  const firstTable = await firstVisits(browser, relay, small);
  if (process.argv.includes("--first-visits")) {
    // Only the first visits (a quicker check while working on what the first screen downloads).
    console.log(`${firstTable}\n${JSON.stringify(numbers)}`);
    process.exit(0);
  }
  const loadTable = await loads(browser, relay, small.id);
  const largeTable = await largeSpace(browser, relay, small.id);
  small.close();
  console.log(`<!-- first -->\n${firstTable}\n<!-- load -->\n${loadTable}\n<!-- large -->\n${largeTable}\n<!-- numbers ${JSON.stringify(numbers)} -->`);
} finally {
  await browser.close();
  await relay.stop();
}
