// The notice-board kiosk: a separate browser showing a space full screen. It picks up notices
// posted elsewhere, keeps showing when the relay is gone and catches up when it returns, obeys
// the kiosk settings a coordinator changes from a phone, drops a notice the minute it expires,
// and offers nothing a passer-by could write with.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startRelay } from "./support/relay.mjs";
import { newProfile } from "./support/browser.mjs";
import { createSpace, eventually, openTab, postNotice, waitUntilSaved } from "./support/app.mjs";
import { livedInSpace } from "./support/lived_in_space.mjs";
import { browserAndRelay } from "./support/suite.mjs";

const world = browserAndRelay();

const slideTitle = page => page.locator(".kiosk-slide h2");

/** Sets the kiosk settings from the Settings tab of `page`. */
async function setKiosk(page, { seconds, categories = [] }) {
  await openTab(page, "Settings");
  const form = page.getByRole("form", { name: "Notice-board kiosk" });
  await form.getByLabel("Seconds per slide").fill(String(seconds));
  for (const name of categories) await form.getByRole("group", { name: /Categories shown/ }).getByLabel(name, { exact: true }).check();
  await form.getByRole("button", { name: "Save" }).click();
  await form.getByText("Saved.").waitFor();
}

test("a kiosk shows what another device posts, keeps showing through a relay outage, and catches up", async () => {
  const phone = await newProfile(world.browser);
  const link = await createSpace(phone.page, world.relay.httpUrl, "Lobby of Building 7");
  const space = new URL(link).pathname.split("/s/")[1];
  await setKiosk(phone.page, { seconds: 3 });
  const kiosk = await newProfile(world.browser);
  await kiosk.page.goto(`${world.relay.httpUrl}/k/${space}`);
  await kiosk.page.getByText("Nothing to show right now.").waitFor();

  await postNotice(phone.page, "Lift out of order", "Use the stairs.", { urgent: true });
  await slideTitle(kiosk.page).filter({ hasText: "Lift out of order" }).waitFor();
  const qr = kiosk.page.getByRole("img", { name: "QR code that opens this on a phone" });
  assert.match(await qr.getAttribute("data-link"), new RegExp(`/s/${space}/notices/[0-9a-f]{32}$`));
  // Nothing to type into, nothing to edit: the only control is "Full screen".
  assert.equal(await kiosk.page.locator("input, textarea, select, [contenteditable]").count(), 0);
  assert.deepEqual(await kiosk.page.getByRole("button").allInnerTexts(), ["Full screen"]);
  await waitUntilSaved(phone.page);

  // The relay goes away: the kiosk says so, keeps its slide, and survives a reload.
  await world.relay.stop("SIGTERM");
  await kiosk.page.getByText("Offline: showing what this screen has").waitFor();
  await kiosk.page.reload();
  await slideTitle(kiosk.page).filter({ hasText: "Lift out of order" }).waitFor();
  // Meanwhile a notice is written on the phone, with no relay.
  await postNotice(phone.page, "Parcel room closed", "Until Monday.");
  await waitUntilSaved(phone.page);

  world.relay = await startRelay({ dataDir: world.relay.dataDir, listen: world.relay.listen });
  await slideTitle(kiosk.page).filter({ hasText: "Parcel room closed" }).waitFor({ timeout: 60_000 });
  assert.match(await kiosk.page.locator(".kiosk-sync").innerText(), /Synced with the relay · last synced/);

  // A task board gets a slide of its own: its columns with their counts.
  await openTab(phone.page, "Task boards");
  await phone.page.getByLabel("Name of the board").fill("Lobby repairs");
  await phone.page.getByRole("button", { name: "Create board" }).click();
  const todo = phone.page.getByRole("region", { name: "To do" });
  await todo.getByPlaceholder("New task").fill("Replace the doormat");
  await todo.getByRole("button", { name: "Add" }).click();
  await todo.getByRole("link", { name: "Replace the doormat" }).waitFor();
  const boardSlide = kiosk.page.locator('.kiosk-slide[data-slide="board"]');
  await boardSlide.waitFor({ timeout: 30_000 });
  assert.equal(await boardSlide.locator("h2").innerText(), "Lobby repairs");
  const columns = (await boardSlide.locator(".kiosk-columns li").allInnerTexts()).map(t => t.replace(/\s+/g, " "));
  assert.deepEqual(columns, ["To do 1", "Doing 0", "Done 0"]);
  for (const p of [phone, kiosk]) {
    assert.deepEqual(p.page.errors.filter(e => !/WebSocket|ERR_CONNECTION_REFUSED/.test(e)), []);
    await p.context.close();
  }
});

test("kiosk settings from a phone change what the kiosk shows, and an expired notice leaves on time", async () => {
  const phone = await newProfile(world.browser);
  const link = await createSpace(phone.page, world.relay.httpUrl, "Village square");
  const space = new URL(link).pathname.split("/s/")[1];
  await postNotice(phone.page, "Boiler repair", "Hot water off.", { category: "Repairs" });
  // A notice that expires ten minutes from now (typed as the phone's local time).
  const expires = await phone.page.evaluate(() => {
    const d = new Date(Date.now() + 10 * 60_000);
    const pad = n => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  });
  await openTab(phone.page, "Notices");
  await phone.page.getByRole("link", { name: "Post a notice" }).click();
  const form = phone.page.getByRole("form", { name: "Post a notice" });
  await form.getByLabel("Title", { exact: true }).first().fill("Lantern festival tonight");
  await form.getByLabel("Category").selectOption({ label: "Events" });
  await form.getByLabel(/Expires/).fill(expires);
  await form.getByRole("button", { name: "Post notice" }).click();
  await phone.page.getByRole("article", { name: "Lantern festival tonight" }).waitFor();
  await setKiosk(phone.page, { seconds: 3, categories: ["Events"] });
  await waitUntilSaved(phone.page);

  const kiosk = await newProfile(world.browser);
  await kiosk.page.clock.install();
  await kiosk.page.goto(`${world.relay.httpUrl}/k/${space}`);
  await slideTitle(kiosk.page).filter({ hasText: "Lantern festival tonight" }).waitFor();
  // Only Events are shown: over several rotations the repairs notice never appears.
  const seen = new Set();
  for (let i = 0; i < 4; i++) {
    await kiosk.page.clock.runFor(3_000);
    seen.add(await slideTitle(kiosk.page).innerText());
  }
  assert.deepEqual([...seen], ["Lantern festival tonight"]);

  // Eleven minutes later the festival notice has expired and left the screen.
  await kiosk.page.clock.runFor(11 * 60_000);
  await kiosk.page.getByText("Nothing to show right now.").waitFor();
  await phone.context.close();
  await kiosk.context.close();
});

test("every kiosk slide fits a 1920 × 1080 and a 1280 × 720 screen with its text at kiosk size, and no resident's request is shown in the lobby", async () => {
  const organiser = await newProfile(world.browser);
  const { spaceUrl } = await livedInSpace(organiser.page, world.relay.httpUrl);
  // An open request, in a resident's words; the form says what the lobby will show.
  await openTab(organiser.page, "Requests");
  const raise = organiser.page.getByRole("form", { name: "Raise a request" });
  // (A public one: a private request's words never leave its readers' devices at all.)
  await raise.getByLabel("All neighbours").check();
  assert.match(await raise.innerText(), /The lobby screen shows only how many requests are open, never what they say/);
  await raise.getByLabel("What needs doing?").fill("Water leaking from 3-502 into the flat below");
  await raise.getByRole("button", { name: "Send request" }).click();
  await organiser.page.locator(".request-row").filter({ hasText: "Water leaking from 3-502" }).waitFor();
  await setKiosk(organiser.page, { seconds: 3 });
  await waitUntilSaved(organiser.page);
  const space = new URL(spaceUrl).pathname.split("/s/")[1];
  const problems = [];
  for (const [width, height, minText] of [[1920, 1080, 24], [1280, 720, 16]]) {
    const kiosk = await newProfile(world.browser, { viewport: { width, height } });
    await kiosk.page.goto(`${world.relay.httpUrl}/k/${space}`);
    await kiosk.page.locator(".kiosk-slide").first().waitFor();
    const total = Number((await kiosk.page.locator(".kiosk-position").innerText()).split("/")[1]);
    const seen = new Set();
    await eventually(async () => {
      // What slide is up and how it measures, read at one moment (the slides turn).
      const { kind, position, text, measured } = await kiosk.page.evaluate(minText => {
        const found = [];
        const slide = document.querySelector(".kiosk-slide");
        const foot = document.querySelector(".kiosk-foot");
        if (document.documentElement.scrollHeight > innerHeight + 1) found.push(`the page is ${document.documentElement.scrollHeight} px tall`);
        if (foot && foot.getBoundingClientRect().bottom > innerHeight + 1) found.push("the sync line falls off the screen");
        for (const el of document.querySelectorAll(".kiosk-slide *")) {
          const own = [...el.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
          if (!own || el.closest("svg, .qr") || el.getBoundingClientRect().width === 0) continue;
          const size = parseFloat(getComputedStyle(el).fontSize);
          if (size < minText) found.push(`${size}px text: "${el.textContent.trim().slice(0, 30)}"`);
        }
        const position = document.querySelector(".kiosk-position")?.innerText ?? "";
        return { kind: slide?.getAttribute("data-slide"), position, text: slide?.innerText ?? "", measured: found };
      }, minText);
      if (!kind || seen.has(position)) return seen.size >= total;
      seen.add(position);
      problems.push(...measured.map(p => `${width}×${height} ${kind}: ${p}`));
      if (kind === "requests") {
        assert.match(text, /1 open/);
        assert.doesNotMatch(text, /Water leaking|Broken lamp/, "no request's words in the lobby");
      }
      return seen.size >= total;
    }, `every slide at ${width}×${height}`, 60_000);
    await kiosk.context.close();
  }
  assert.deepEqual(problems, []);
  await organiser.context.close();
});
