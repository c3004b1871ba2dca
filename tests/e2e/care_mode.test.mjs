// Care mode (长辈模式) and reading aloud, measured on a 360-px phone in a lived-in space: offered on
// the first visit and remembered; on every screen a resident uses, in all three languages, body
// text at least 18 px, lines at least 1.3 apart, paragraphs further apart than lines, main
// controls at least 60 × 60 px (44 × 44 px outside care mode), no serious axe violation (colour
// contrast included); a notice that arrives moves nothing under the reader's finger; "read aloud"
// hands each item to the browser's speech synthesis in its language, or says there is no voice.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startRelay } from "./support/relay.mjs";
import { launchBrowser, newProfile, PHONE } from "./support/browser.mjs";
import { chooseName, inSpace, openTab, postNotice, screenshot, seriousViolations, takePartLink } from "./support/app.mjs";
import { livedInSpace } from "./support/lived_in_space.mjs";

let browser;
let relay;
let organiser;
let spaceUrl;
let items;
let residentLink;

before(async () => {
  browser = await launchBrowser();
  relay = await startRelay();
  organiser = await newProfile(browser);
  ({ spaceUrl, items } = await livedInSpace(organiser.page, relay.httpUrl));
  await postNotice(organiser.page, "停水通知", "周五上午九点到十二点停水。\n\n请各位邻居提前储水。");
  items.chineseNotice = new URL(organiser.page.url()).pathname;
  residentLink = await takePartLink(organiser.page);
});
after(async () => {
  await organiser?.context.close();
  await browser?.close();
  await relay?.stop();
});

/** The screens a resident uses: name (for artifacts) and path. */
function residentScreens() {
  const space = new URL(spaceUrl).pathname;
  return [
    ["home", "/"],
    ["overview", space],
    ["notices", `${space}/notices`],
    ["notice", items.chineseNotice],
    ["pledges", `${space}/pledges`],
    ["pledge", items.pledge],
    ["requests", `${space}/requests`],
    ["consultations", `${space}/consultations`],
    ["consultation", items.consultation],
    ["settings", `${space}/settings`],
  ];
}

/** A resident's phone that has opened the space from its take-part link and given a name. */
async function residentPhone(name, { care }) {
  const phone = await newProfile(browser, PHONE);
  await phone.page.goto(residentLink);
  const offer = phone.page.getByRole("region", { name: "Larger text and buttons?" });
  await offer.getByRole("button", { name: care ? "Yes, make it larger" : "No, keep as is" }).click();
  await chooseName(phone.page, name);
  return phone;
}

/** What the page shows, measured: text too small or too tight, controls too small to tap. */
function measure(minTarget) {
  const visible = el => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden" && style.display !== "none";
  };
  const problems = [];
  const describe = el => `${el.tagName.toLowerCase()}${el.className ? "." + String(el.className).trim().split(/\s+/).join(".") : ""} "${(el.innerText || el.value || "").trim().slice(0, 30)}"`;
  // Every element with text of its own, outside the QR codes' pictures.
  for (const el of document.querySelectorAll("body *")) {
    if (!visible(el) || el.closest("svg, .qr, noscript, option")) continue;
    const ownText = [...el.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    if (!ownText) continue;
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize);
    if (size < 18) problems.push(`text ${size}px: ${describe(el)}`);
    const lineHeight = style.lineHeight === "normal" ? size * 1.2 : parseFloat(style.lineHeight);
    if (lineHeight < size * 1.3 - 0.5) problems.push(`line height ${lineHeight}px for ${size}px text: ${describe(el)}`);
  }
  for (const h of document.querySelectorAll("main h1, main h2")) {
    const body = parseFloat(getComputedStyle(document.body).fontSize);
    if (visible(h) && parseFloat(getComputedStyle(h).fontSize) <= body) problems.push(`heading not larger than body text: ${describe(h)}`);
  }
  for (const p of document.querySelectorAll(".rich-text p + p")) {
    const previous = getComputedStyle(p.previousElementSibling);
    if (parseFloat(previous.marginBottom) <= parseFloat(previous.lineHeight)) problems.push(`paragraphs ${previous.marginBottom} apart, lines ${previous.lineHeight}`);
  }
  return { problems, targets: targets(minTarget) };

  function targets(min) {
    const small = [];
    const controls = 'button, a.button, select, input:not([type="checkbox"]):not([type="radio"]):not([type="file"]), .tabs a';
    for (const el of document.querySelectorAll(controls)) {
      if (!visible(el)) continue;
      const box = el.getBoundingClientRect();
      if (box.width < min - 0.5 || box.height < min - 0.5) small.push(`${Math.round(box.width)}×${Math.round(box.height)}: ${describe(el)}`);
    }
    return small;
  }
}

test("care mode is offered beside the name prompt on a first visit, and remembered on the device", async () => {
  const phone = await newProfile(browser, PHONE);
  const page = phone.page;
  await page.goto(residentLink);
  const offer = page.getByRole("region", { name: "Larger text and buttons?" });
  await offer.waitFor();
  // Beside the name prompt: both are there before either is answered.
  await page.getByRole("form", { name: "What should neighbours call you?" }).waitFor();
  const bodySize = () => page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
  assert.equal(await bodySize(), 17);
  await offer.getByRole("button", { name: "Yes, make it larger" }).click();
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains("care")), true);
  assert.equal(await bodySize(), 20);
  await offer.waitFor({ state: "detached" });
  await chooseName(page, "Grandma Lin");
  // Remembered: large from the boot screen on, the switch at the top says it is on.
  await page.reload();
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains("care")), true);
  const toggle = page.getByRole("button", { name: "Larger text" });
  assert.equal(await toggle.getAttribute("aria-pressed"), "true");
  assert.equal(await page.getByRole("region", { name: "Larger text and buttons?" }).count(), 0);
  // The overview leads with what a resident does most, as large buttons.
  const actions = page.getByRole("navigation", { name: "What you can do here" });
  await actions.waitFor();
  assert.deepEqual(await actions.getByRole("link").allInnerTexts(), ["Read notices", "Sign a pledge", "Ask for help", "Vote"]);
  // Switched off from the top of the screen, and in Settings.
  await toggle.click();
  assert.equal(await bodySize(), 17);
  await openTab(page, "Settings");
  const setting = page.getByLabel("Care mode on this device: larger text and buttons");
  assert.equal(await setting.isChecked(), false);
  await setting.check();
  assert.equal(await bodySize(), 20);
  assert.deepEqual(page.errors, []);
  await phone.context.close();
});

for (const [lang, tag] of [["English", "en"], ["Simplified Chinese", "zh-Hans"], ["Traditional Chinese", "zh-Hant"]]) {
  test(`in care mode, every screen a resident uses meets the elderly-friendly numbers (${lang}, 360 px)`, async () => {
    const phone = await residentPhone("Grandpa Chen", { care: true });
    const page = phone.page;
    await page.evaluate(language => localStorage.setItem("linli.lang", language), tag);
    const problems = [];
    for (const [name, path] of residentScreens()) {
      await page.goto(new URL(path, relay.httpUrl).href);
      await page.locator("main h1, main h2").first().waitFor();
      await page.locator(".screen-loading").waitFor({ state: "detached" });
      assert.equal(await page.evaluate(() => document.documentElement.lang), tag);
      if (tag === "zh-Hans") await screenshot(page, `care-zh-Hans-${name}`);
      const { problems: text, targets } = await page.evaluate(measure, 60);
      for (const problem of [...text, ...targets.map(t => `tap target ${t}`)]) problems.push(`${name}: ${problem}`);
      for (const violation of await seriousViolations(page)) problems.push(`${name}: ${violation}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) problems.push(`${name}: the page is ${overflow}px wider than the screen`);
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(page.errors, []);
    await phone.context.close();
  });
}

test("outside care mode, the main controls of every resident's screen are at least 44 × 44 px", async () => {
  const phone = await residentPhone("Xiao Wang", { care: false });
  const page = phone.page;
  const small = [];
  for (const [name, path] of residentScreens()) {
    await page.goto(new URL(path, relay.httpUrl).href);
    await page.locator("main h1, main h2").first().waitFor();
    await page.locator(".screen-loading").waitFor({ state: "detached" });
    const { targets } = await page.evaluate(measure, 44);
    for (const target of targets) small.push(`${name}: ${target}`);
  }
  assert.deepEqual(small, []);
  await phone.context.close();
});

test("in care mode a notice or pledge that arrives waits behind 'new — show' and nothing moves under the reader's finger", async () => {
  const phone = await residentPhone("Auntie Zhao", { care: true });
  const page = phone.page;
  await page.goto(inSpace(residentLink, "/notices"));
  const first = page.locator("ul.notices a.notice-link").first();
  await first.waitFor();
  // The page has settled: the engine has said what this phone may do (the note about taking part
  // shows), and the list holds every notice there was.
  await page.getByRole("note").filter({ hasText: "Taking part" }).waitFor();
  await page.getByText("Synced with the relay").waitFor();
  const before = await first.boundingBox();
  const titlesBefore = await page.locator("ul.notices a.notice-link").allInnerTexts();
  await postNotice(organiser.page, "Lift out of order", "Block 2, until Monday.");
  const waiting = page.getByRole("button", { name: "1 new — show" });
  await waiting.waitFor();
  assert.deepEqual(await first.boundingBox(), before, "the first notice has not moved");
  assert.deepEqual(await page.locator("ul.notices a.notice-link").allInnerTexts(), titlesBefore);
  await waiting.click();
  await page.locator("ul.notices a.notice-link", { hasText: "Lift out of order" }).waitFor();
  await waiting.waitFor({ state: "detached" });

  // The same on the list of pledges.
  await page.goto(inSpace(residentLink, "/pledges"));
  const firstPledge = page.locator(".pledge-row a.notice-link").first();
  await firstPledge.waitFor();
  await page.getByRole("note").filter({ hasText: "Taking part" }).waitFor();
  await page.getByText("Synced with the relay").waitFor();
  const pledgeBefore = await firstPledge.boundingBox();
  await openTab(organiser.page, "Pledges");
  const form = organiser.page.getByRole("form", { name: "Start a pledge" });
  await form.getByLabel("Title").fill("Quiet after ten");
  await form.getByLabel("Text of the pledge").fill("No loud music after 22:00.");
  await form.getByLabel("Goal (signatures)").fill("20");
  await form.getByRole("button", { name: "Create pledge" }).click();
  const newPledge = page.getByRole("button", { name: "1 new — show" });
  await newPledge.waitFor();
  assert.deepEqual(await firstPledge.boundingBox(), pledgeBefore, "the first pledge has not moved");
  assert.equal(await page.locator(".pledge-row", { hasText: "Quiet after ten" }).count(), 0);
  await newPledge.click();
  await page.locator(".pledge-row", { hasText: "Quiet after ten" }).waitFor();
  assert.deepEqual(page.errors, []);
  await phone.context.close();
});

/**
 * Watches what the page hands to speech synthesis: each utterance's text and language are kept
 * in `window.spoken` and not played (headless Chromium has no audio), and the voice list is the
 * one a test sets in `window.voices` (headless Chromium has no voices installed).
 */
const WATCH_SPEECH = () => {
  window.spoken = [];
  window.voices = [{ lang: "zh-CN", name: "Mandarin" }, { lang: "en-GB", name: "English" }];
  speechSynthesis.getVoices = () => window.voices;
  speechSynthesis.speak = utterance => window.spoken.push({ text: utterance.text, lang: utterance.lang, end: () => utterance.onend?.(new Event("end")) });
  speechSynthesis.cancel = () => {
    window.cancelled = (window.cancelled ?? 0) + 1;
  };
};

test("read aloud hands each item to speech synthesis in its language, stops, and says when there is no voice", async () => {
  const phone = await newProfile(browser, PHONE);
  await phone.context.addInitScript(WATCH_SPEECH);
  const page = phone.page;
  await page.goto(residentLink);
  await page.getByRole("region", { name: "Larger text and buttons?" }).getByRole("button", { name: "No, keep as is" }).click();
  await chooseName(page, "Lao Li");
  const spoken = () => page.evaluate(() => window.spoken.map(({ text, lang }) => ({ text, lang })));

  await page.goto(new URL(items.chineseNotice, relay.httpUrl).href);
  const button = page.getByRole("button", { name: "Read aloud" });
  await button.click();
  await page.getByRole("button", { name: "Stop reading" }).waitFor();
  assert.deepEqual(await spoken(), [
    { text: "停水通知", lang: "zh-CN" },
    { text: "周五上午九点到十二点停水。", lang: "zh-CN" },
    { text: "请各位邻居提前储水。", lang: "zh-CN" },
  ]);
  const cancelledBefore = await page.evaluate(() => window.cancelled ?? 0);
  await page.getByRole("button", { name: "Stop reading" }).click();
  await button.waitFor();
  assert.equal(await page.evaluate(() => window.cancelled), cancelledBefore + 1, "stopping cancels the speech");

  // A pledge, a consultation and a request (its task page) read their titles, in English.
  for (const [path, title] of [[items.pledge, "Keep the lane tidy"], [items.consultation, "Paint the gate green?"], [items.task, "Broken lamp by the well"]]) {
    await page.evaluate(() => (window.spoken = []));
    await page.goto(new URL(path, relay.httpUrl).href);
    await page.getByRole("button", { name: "Read aloud" }).click();
    await page.getByRole("button", { name: "Stop reading" }).waitFor();
    const first = (await spoken())[0];
    assert.deepEqual(first, { text: title, lang: "en" }, path);
    // The last utterance ending puts the button back.
    await page.evaluate(() => window.spoken.at(-1).end());
    await page.getByRole("button", { name: "Read aloud" }).waitFor();
  }

  // No Chinese voice: the button says so instead of doing nothing.
  await page.goto(new URL(items.chineseNotice, relay.httpUrl).href);
  await page.evaluate(() => {
    window.voices = [{ lang: "en-GB", name: "English" }];
    window.spoken = [];
  });
  await page.getByRole("button", { name: "Read aloud" }).click();
  await page.getByText("This browser has no Chinese voice, so it cannot read this aloud here.").waitFor();
  assert.deepEqual(await spoken(), []);
  assert.deepEqual(page.errors, []);
  await phone.context.close();
});

test("a kiosk set to read urgent notices aloud reads each once, and not again after a restart", async () => {
  await openTab(organiser.page, "Settings");
  const form = organiser.page.getByRole("form", { name: "Notice-board kiosk" });
  await form.getByLabel("Seconds per slide").fill("3");
  await form.getByLabel(/Read each urgent notice aloud once/).check();
  await form.getByRole("button", { name: "Save" }).click();
  await form.getByText("Saved.").waitFor();

  const kiosk = await newProfile(browser, { viewport: { width: 1280, height: 720 } });
  await kiosk.context.addInitScript(WATCH_SPEECH);
  const page = kiosk.page;
  const spaceId = new URL(spaceUrl).pathname.split("/s/")[1];
  await page.goto(`${relay.httpUrl}/k/${spaceId}`);
  const urgentSpoken = () => page.evaluate(() => window.spoken.filter(s => s.text === "Water off on Tuesday").map(s => s.lang));
  await page.waitForFunction(() => window.spoken.some(s => s.text === "Water off on Tuesday"), null, { timeout: 30_000 });
  assert.deepEqual(await urgentSpoken(), ["en"]);
  // Only the urgent notice is read: the others are not.
  assert.equal(await page.evaluate(() => window.spoken.some(s => s.text === "停水通知" || s.text === "Keep the lane tidy")), false);

  // Restarted, the kiosk shows the urgent notice again (and moves on) without reading it.
  await page.reload();
  const title = page.locator(".kiosk-slide h2");
  await title.filter({ hasText: "Water off on Tuesday" }).waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => document.querySelector(".kiosk-slide h2")?.textContent !== "Water off on Tuesday", null, { timeout: 30_000 });
  assert.deepEqual(await urgentSpoken(), []);
  assert.deepEqual(page.errors, []);
  await kiosk.context.close();
});

test("in care mode on a 360 × 740 phone in Simplified Chinese the opened item starts on the first screen, no button breaks between characters, and no phone asks to scan itself", async () => {
  const phone = await residentPhone("林奶奶", { care: true });
  const page = phone.page;
  await page.getByRole("button", { name: "简体" }).click();
  const space = new URL(spaceUrl).pathname;
  // What must be on the first screen: the four care buttons, or the opened item's heading.
  const screens = [
    ["overview", space, "nav.care-actions a"],
    ["notice", items.chineseNotice, "article h2"],
    ["pledge", items.pledge, "article h2"],
    ["request", items.task, "article h2"],
    ["consultation", items.consultation, "article h2"],
  ];
  const problems = [];
  for (const [name, path, first] of screens) {
    await page.goto(new URL(path, relay.httpUrl).href);
    const lead = page.locator(first).first();
    await lead.waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    const bottom = await lead.evaluate(el => el.getBoundingClientRect().bottom + window.scrollY);
    if (bottom > 740) problems.push(`${name}: ${first} ends at ${Math.round(bottom)} px`);
    // A label without spaces is one line: CJK text does not break between its characters.
    const broken = await page.evaluate(() => {
      const found = [];
      for (const el of document.querySelectorAll("button, a.button, .tabs a")) {
        const text = el.innerText.trim();
        if (!text || /\s/.test(text) || el.getBoundingClientRect().width === 0) continue;
        const range = document.createRange();
        range.selectNodeContents(el);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) found.push(text);
      }
      return found;
    });
    problems.push(...broken.map(text => `${name}: "${text}" breaks between characters`));
    if (await page.locator(".print-qr").first().isVisible().catch(() => false)) problems.push(`${name}: a QR code to scan on the phone itself`);
    await screenshot(page, `care-first-screen-${name}`);
  }
  assert.deepEqual(problems, []);
  await phone.context.close();
});
