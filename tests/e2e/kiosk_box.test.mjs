// The kiosk box (deploy/kiosk-setup.sh): Chromium started with the script's own flags on the kiosk
// link as Settings gives it, against the real relay, rotates the notices and draws Chinese with a
// CJK font (the font Chromium used and the glyphs' widths and shapes, not just the text); and the
// script lints clean, accepts that link, refuses what is not a kiosk link, and as a dry run changes
// nothing. KIOSK_BOX_HIDE_CJK_FONTS=1 starts the kiosk's Chromium with a fontconfig that has no CJK
// font, as on a box without fonts-noto-cjk: the first test must then fail.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { newProfile } from "./support/browser.mjs";
import { createSpace, eventually, openTab, postNotice, waitUntilSaved } from "./support/app.mjs";
import { browserAndRelay } from "./support/suite.mjs";

const SCRIPT = fileURLToPath(new URL("../../deploy/kiosk-setup.sh", import.meta.url));
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
// All this test adds to the script's flags: no screen, root in a container (no sandbox), and a
// DevTools port to watch the page through. The profile folder is a temporary one, given to the
// script as the kiosk's own would be.
const TEST_ONLY_FLAGS = ["--headless", "--no-sandbox", "--remote-debugging-port=0"];
const CJK_FAMILY = /CJK|Noto Sans SC|Noto Serif CJK|WenQuanYi|Droid Sans Fallback/i;
const CHINESE_TITLE = "停水通知";
const CHINESE_TEXT = "明天上午九點至十二點停水";
const OTHER_TITLE = "Bicycle shed tidy-up";

const world = browserAndRelay();

function runScript(args) {
  return spawnSync("bash", [SCRIPT, ...args], { encoding: "utf8", env: { ...process.env, SUDO_USER: "" } });
}

/** The kiosk's Chromium flags as the script prints them (and runs them), with `profile`. */
function scriptFlags(profile) {
  const run = runScript(["--print-chromium-flags", profile]);
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.split("\n").filter(Boolean);
}

/** A fontconfig in `dir` that knows only DejaVu: a box without fonts-noto-cjk. */
function fontconfigWithoutCjk(dir) {
  const file = join(dir, "fonts.conf");
  writeFileSync(file, `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>${dir}/cache</cachedir></fontconfig>\n`);
  return { FONTCONFIG_FILE: file };
}

/** Starts Chromium as the kiosk box does (script flags, then the link) and attaches to its page. */
async function startKioskChromium(link) {
  const profile = mkdtempSync(join(tmpdir(), "linli-kiosk-profile-"));
  const env = { ...process.env, ...(process.env.KIOSK_BOX_HIDE_CJK_FONTS ? fontconfigWithoutCjk(profile) : {}) };
  const child = spawn(CHROMIUM, [...scriptFlags(profile), ...TEST_ONLY_FLAGS, link], { detached: true, stdio: ["ignore", "ignore", "pipe"], env });
  const exited = new Promise(resolve => child.once("exit", resolve));
  let browser;
  // Chromium and everything it started (its own process group), then its profile.
  const stop = async () => {
    await browser?.close().catch(() => {});
    const signal = name => { try { process.kill(-child.pid, name); } catch {} };
    signal("SIGTERM");
    const killer = setTimeout(() => signal("SIGKILL"), 5_000);
    await exited;
    clearTimeout(killer);
    child.stderr.destroy();
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    let stderr = "";
    const endpoint = await new Promise((resolve, reject) => {
      child.stderr.on("data", chunk => {
        stderr += chunk;
        const match = stderr.match(/DevTools listening on (ws:\/\/\S+)/);
        if (match) resolve(match[1]);
      });
      child.once("exit", code => reject(new Error(`Chromium exited with ${code}:\n${stderr}`)));
    });
    browser = await chromium.connectOverCDP(endpoint);
    let page;
    await eventually(async () => (page = browser.contexts()[0]?.pages().find(p => p.url().includes("/k/"))) !== undefined, "the kiosk page");
    page.errors = [];
    page.on("pageerror", error => page.errors.push(error.message));
    page.on("console", message => message.type() === "error" && page.errors.push(message.text()));
    return { page, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

const slideTitle = page => page.locator(".kiosk-slide h2");

/**
 * How Chromium drew the Chinese slide's title and text: the platform fonts it used for each node
 * (DevTools' CSS.getPlatformFontsForNode), and per character its advance in em (a Range's width
 * over the element's font size) and a fingerprint of its pixels drawn in the element's font on a
 * canvas. `shown` says the slide was still up afterwards (slides rotate; the caller tries again).
 */
async function chineseRendering(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send("DOM.enable");
    await cdp.send("CSS.enable");
    const { root } = await cdp.send("DOM.getDocument", { depth: 0 });
    const fonts = {};
    for (const [name, selector] of [["title", ".kiosk-slide h2"], ["text", ".kiosk-slide .rich-text p"]]) {
      const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: root.nodeId, selector });
      if (!nodeId) return { shown: false };
      fonts[name] = (await cdp.send("CSS.getPlatformFontsForNode", { nodeId })).fonts;
    }
    const glyphs = await page.evaluate(([title, text]) => {
      const measure = element => {
        const node = element.firstChild;
        const style = getComputedStyle(element);
        const size = parseFloat(style.fontSize);
        const canvas = document.createElement("canvas");
        canvas.width = canvas.height = Math.ceil(size * 2);
        const ctx = canvas.getContext("2d", { willReadFrequently: true });
        ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const range = document.createRange();
        return [...node.data].map((char, i) => {
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          ctx.clearRect(0, 0, canvas.width, canvas.height);
          ctx.fillText(char, size * 0.25, size * 1.25);
          const alpha = ctx.getImageData(0, 0, canvas.width, canvas.height).data.filter((_, k) => k % 4 === 3);
          let hash = 2166136261;
          for (const a of alpha) hash = Math.imul(hash ^ a, 16777619) >>> 0;
          return { char, em: range.getBoundingClientRect().width / size, ink: alpha.filter(a => a > 0).length, hash };
        });
      };
      const titleNode = document.querySelector(".kiosk-slide h2");
      const textNode = document.querySelector(".kiosk-slide .rich-text p");
      if (titleNode?.textContent !== title || textNode?.textContent !== text) return null;
      return { title: measure(titleNode), text: measure(textNode) };
    }, [CHINESE_TITLE, CHINESE_TEXT]);
    return glyphs ? { shown: true, fonts, glyphs } : { shown: false };
  } finally {
    await cdp.detach().catch(() => {});
  }
}

test("Chromium with the kiosk script's flags, on the kiosk link from Settings, rotates the notices and draws Chinese with a CJK font", async t => {
  const phone = await newProfile(world.browser);
  await createSpace(phone.page, world.relay.httpUrl, "Lobby of Building 3");
  await postNotice(phone.page, CHINESE_TITLE, CHINESE_TEXT, { urgent: true });
  await postNotice(phone.page, OTHER_TITLE, "Saturday morning; bring gloves.");
  await openTab(phone.page, "Settings");
  const form = phone.page.getByRole("form", { name: "Notice-board kiosk" });
  await form.getByLabel("Seconds per slide").fill("3");
  await form.getByRole("button", { name: "Save" }).click();
  await form.getByText("Saved.").waitFor();
  // The link a volunteer copies from Settings, the same as its "Open the kiosk" link.
  const link = await form.locator("code.share-link").innerText();
  assert.equal(await form.locator("a.kiosk-link").getAttribute("href"), link);
  await waitUntilSaved(phone.page);
  // The script takes this very link.
  const dryRun = runScript(["--dry-run", link, "kiosk"]);
  assert.equal(dryRun.status, 0, dryRun.stderr);
  assert.ok(dryRun.stdout.includes(`link=${link}\n`), dryRun.stdout);

  const kiosk = await startKioskChromium(link);
  try {
    const page = kiosk.page;
    // Urgent first: the Chinese notice. How it is drawn, measured while it is up.
    let drawn;
    for (let attempt = 1; !drawn?.shown; attempt++) {
      assert.ok(attempt <= 3, "the Chinese slide stayed up long enough to measure");
      await slideTitle(page).filter({ hasText: CHINESE_TITLE }).waitFor({ timeout: 20_000 });
      drawn = await chineseRendering(page);
    }
    for (const [name, chars] of [["title", CHINESE_TITLE], ["text", CHINESE_TEXT]]) {
      const fonts = drawn.fonts[name].filter(f => f.glyphCount > 0);
      const families = fonts.map(f => f.familyName);
      const ems = drawn.glyphs[name].map(g => g.em);
      t.diagnostic(`${name}: ${fonts.map(f => `${f.familyName} (${f.glyphCount} glyphs)`).join(", ")}; widths ${Math.min(...ems).toFixed(3)}–${Math.max(...ems).toFixed(3)} em`);
      assert.ok(families.length > 0 && families.every(f => CJK_FAMILY.test(f)), `the ${name} is drawn in a CJK font, not ${families.join(", ")}`);
      assert.equal(fonts.reduce((n, f) => n + f.glyphCount, 0), [...chars].length, `every character of the ${name} has a glyph from it`);
      for (const { char, em, ink } of drawn.glyphs[name]) {
        assert.ok(em >= 0.9 && em <= 1.1, `${char} in the ${name} is about 1 em wide (${em.toFixed(3)} em)`);
        assert.ok(ink > 0, `${char} in the ${name} leaves ink`);
      }
      // Distinct characters look distinct: not one "missing glyph" box repeated.
      const shapes = new Map(drawn.glyphs[name].map(g => [g.char, g.hash]));
      assert.equal(new Set(shapes.values()).size, shapes.size, `the ${name}'s ${shapes.size} distinct characters draw ${new Set(shapes.values()).size} distinct shapes`);
    }

    // Rotation: the next notice, then back to the first.
    await slideTitle(page).filter({ hasText: OTHER_TITLE }).waitFor({ timeout: 15_000 });
    assert.equal(await page.locator(".kiosk-position").innerText(), "2 / 2");
    await slideTitle(page).filter({ hasText: CHINESE_TITLE }).waitFor({ timeout: 15_000 });
    assert.equal(await page.locator(".kiosk-position").innerText(), "1 / 2");
    // Nothing a passer-by could type into.
    assert.equal(await page.locator("input, textarea, select, [contenteditable]").count(), 0);
    assert.deepEqual(page.errors, []);
  } finally {
    await kiosk.stop();
    await phone.context.close();
  }
});

test("kiosk-setup.sh lints clean, promises its flags, refuses what is not a kiosk link, and as a dry run changes nothing", t => {
  assert.equal(spawnSync("bash", ["-n", SCRIPT]).status, 0, "bash -n");
  const shellcheck = spawnSync("shellcheck", [SCRIPT], { encoding: "utf8" });
  if (shellcheck.error) t.diagnostic("shellcheck is not installed here (apt-get install shellcheck); only bash -n ran");
  else assert.equal(shellcheck.status, 0, shellcheck.stdout);

  const flags = scriptFlags("/srv/kiosk-profile");
  for (const flag of ["--kiosk", "--no-first-run", "--noerrdialogs", "--disable-infobars", "--disable-session-crashed-bubble", "--autoplay-policy=no-user-gesture-required", "--user-data-dir=/srv/kiosk-profile"]) {
    assert.ok(flags.includes(flag), `${flag} in ${flags.join(" ")}`);
  }
  assert.ok(Number(flags.find(f => f.startsWith("--check-for-update-interval="))?.split("=")[1]) >= 30 * 86_400, "no update nagging");
  assert.ok(flags.some(f => /^--disable-features=.*\bTranslate\b/.test(f)), "no translate prompt");
  assert.ok(!flags.some(f => /incognito|headless|no-sandbox/.test(f)), "a real, kept profile, sandboxed, on a screen");

  for (const bad of ["https://linli.example.org/s/2pq7ZbG3kW7L7iBvFVW1Ty3UmTQE", "linli.example.org/k/2pq7ZbG3kW7L7iBvFVW1Ty3UmTQE", "ftp://linli.example.org/k/2pq7ZbG3kW7L7iBvFVW1Ty3UmTQE",
    "https://linli.example.org/k/", "https://linli.example.org/k/not-base58!", "https://linli.example.org/k/2pq7Zb G3kW"]) {
    const run = runScript(["--dry-run", bad, "kiosk"]);
    assert.equal(run.status, 2, bad);
    assert.match(run.stderr, /is not a kiosk link/, bad);
  }
  assert.equal(runScript([]).status, 0, "no arguments: the usage");

  const watched = ["/usr/local/bin/linli-kiosk", "/etc/linli/kiosk.conf", "/etc/systemd/user/linli-kiosk.service", "/etc/systemd/user/linli-kiosk-reload.timer", "/etc/xdg/autostart/linli-kiosk.desktop"];
  const before = watched.map(existsSync);
  const run = runScript(["--dry-run", "http://192.168.1.20:8080/k/2pq7ZbG3kW7L7iBvFVW1Ty3UmTQE?relay=ws://192.168.1.20:8080#p=00ff", "kiosk"]);
  assert.equal(run.status, 0, run.stderr);
  for (const promise of ["Dry run: nothing is changed.", "ExecStart=/usr/local/bin/linli-kiosk --run", "Restart=always", "OnCalendar=*-*-* 04:00:00", "Exec=/usr/local/bin/linli-kiosk --session-start", "ConditionUser=kiosk", "Undo: sudo linli-kiosk --uninstall", "a plain http:// link"]) {
    assert.ok(run.stdout.includes(promise), `the dry run shows ${promise}:\n${run.stdout}`);
  }
  assert.deepEqual(watched.map(existsSync), before, "the dry run wrote nothing");
});
