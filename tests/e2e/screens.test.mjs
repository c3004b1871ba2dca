// Every screen of a lived-in space, on a 360-px phone and a desktop: no serious or critical
// accessibility violation (axe-core), a screenshot of each kept as a test artifact, the
// participation figures, share QR codes, and printing a pledge poster on one A4 page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startRelay } from "./support/relay.mjs";
import { launchBrowser, newProfile } from "./support/browser.mjs";
import { noticeCard, printedPages, screenshot, seriousViolations } from "./support/app.mjs";
import { livedInSpace } from "./support/lived_in_space.mjs";

let browser;
let relay;
let resident;
let spaceUrl;
let items;

before(async () => {
  browser = await launchBrowser();
  relay = await startRelay();
  resident = await newProfile(browser);
  const page = resident.page;
  ({ spaceUrl, items } = await livedInSpace(page, relay.httpUrl));
});
after(async () => {
  await resident?.context.close();
  await browser?.close();
  await relay?.stop();
});

/** Every screen: its name (for artifacts) and path. */
function screens() {
  const space = new URL(spaceUrl).pathname;
  return [
    ["home", "/"],
    ["overview", space],
    ["notices", `${space}/notices`],
    ["notice", items.notice],
    ["notice-editor", `${items.notice}/edit`],
    ["pledges", `${space}/pledges`],
    ["pledge", items.pledge],
    ["boards", `${space}/boards`],
    ["board", items.board],
    ["task", items.task],
    ["requests", `${space}/requests`],
    ["consultations", `${space}/consultations`],
    ["consultation", items.consultation],
    ["meetings", `${space}/meetings`],
    ["meeting", items.meeting],
    ["history", `${space}/history/notice/${items.notice.split("/").pop()}`],
    ["participation", `${space}/participation`],
    ["settings", `${space}/settings`],
    ["kiosk", `/k/${space.split("/s/")[1]}`],
  ];
}

for (const [device, viewport] of [["phone", { width: 360, height: 740 }], ["desktop", { width: 1280, height: 900 }]]) {
  test(`every screen on a ${device} has no serious accessibility violation`, async () => {
    const page = resident.page;
    await page.setViewportSize(viewport);
    const problems = [];
    for (const [name, path] of screens()) {
      await page.goto(new URL(path, relay.httpUrl).href);
      await page.locator("main h1, main h2").first().waitFor();
      await screenshot(page, `${device}-${name}`);
      for (const violation of await seriousViolations(page)) problems.push(`${name}: ${violation}`);
      // Nothing is wider than the screen (the board's columns scroll inside the board).
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) problems.push(`${name}: the page is ${overflow}px wider than the screen`);
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(page.errors, []);
  });
}

test("participation shows the space's figures", async () => {
  const page = resident.page;
  await page.goto(new URL(`${new URL(spaceUrl).pathname}/participation`, relay.httpUrl).href);
  await page.locator('[data-figure="signatures"]').waitFor();
  assert.equal(await page.locator('[data-figure="signatures"]').innerText(), "1");
  assert.equal(await page.locator('[data-figure="tasks-done"]').innerText(), "1");
  assert.equal(await page.locator('[data-figure="requests-answered"]').innerText(), "1");
  assert.equal(await page.getByRole("img", { name: "Signatures over time" }).count(), 1);
});

test("settings share the space's link as a QR code, and a renamed space is renamed everywhere", async () => {
  const page = resident.page;
  await page.goto(new URL(`${new URL(spaceUrl).pathname}/settings`, relay.httpUrl).href);
  const qr = page.getByRole("img", { name: "QR code that opens this space on a phone" });
  await qr.waitFor();
  assert.equal(await qr.getAttribute("data-link"), spaceUrl.replace(/[?#].*$/, ""));
  assert.ok((await qr.locator("svg path").getAttribute("d")).length > 500, "the QR code has modules");
  const form = page.getByRole("form", { name: "This space" });
  await form.getByLabel("Name of the space").fill("Sanfang Qixiang Residents");
  await form.getByRole("button", { name: "Save" }).click();
  await page.getByRole("heading", { level: 1, name: "Sanfang Qixiang Residents" }).waitFor();
  await page.goto(relay.httpUrl);
  await page.getByRole("link", { name: "Sanfang Qixiang Residents" }).waitFor();
});

test("a pledge prints as one A4 poster with its QR code and without the app's controls", async () => {
  const page = resident.page;
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(new URL(items.pledge, relay.httpUrl).href);
  await page.getByRole("article", { name: "Keep the lane tidy" }).waitFor();
  await page.emulateMedia({ media: "print" });
  assert.equal(await page.locator(".tabs").isVisible(), false);
  assert.equal(await page.getByRole("button", { name: "Withdraw my signature" }).isVisible(), false);
  assert.equal(await page.locator(".print-qr svg").isVisible(), true);
  const qrWidth = await page.locator(".print-qr .qr").evaluate(el => el.getBoundingClientRect().width);
  assert.ok(qrWidth > 150, `the QR code is large enough to scan from a wall (${qrWidth}px)`);
  await screenshot(page, "print-pledge");
  assert.equal(await printedPages(page), 1, "one A4 page");
  await page.emulateMedia({ media: "screen" });
  await page.goto(new URL(items.notice, relay.httpUrl).href);
  await noticeCard(page, "Water off on Tuesday").waitFor();
  await page.emulateMedia({ media: "print" });
  assert.equal(await printedPages(page), 1, "the notice sheet is one A4 page");
  await page.emulateMedia({ media: "screen" });
});
