// Sneakernet: a space downloaded as a file on one device and imported on another that has
// diverged keeps both sides' edits; a file of another space is refused; tasks export as CSV.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { startRelay, tempDataDir } from "./support/relay.mjs";
import { newProfile, newProfileWithoutDirectLinks } from "./support/browser.mjs";
import { chooseName, createSpace, openNotice, openTab, postNotice, waitUntilSaved } from "./support/app.mjs";
import { browserAndRelay } from "./support/suite.mjs";

const world = browserAndRelay();

async function download(page, button) {
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: button }).click()]);
  return { name: file.suggestedFilename(), path: await file.path() };
}

test("a space file carried between two diverged devices merges both sides; another space's file is refused", async () => {
  const first = await newProfile(world.browser);
  const link = await createSpace(first.page, world.relay.httpUrl, "River Village");
  await postNotice(first.page, "Shared start", "Both devices have this.");
  await waitUntilSaved(first.page);
  // Devices that cannot reach each other directly (two phones on one relay link over WebRTC
  // within seconds, and would not diverge): only the relay, then the file, carries changes.
  const second = await newProfileWithoutDirectLinks(world.browser);
  await second.page.goto(link);
  await chooseName(second.page, "Second");
  await openNotice(second.page, "Shared start");
  await waitUntilSaved(second.page);

  // No relay from here on: the two devices diverge.
  await world.relay.stop("SIGTERM");
  await postNotice(first.page, "Written on the first", "Only here.");
  await postNotice(second.page, "Written on the second", "Only there.");
  await waitUntilSaved(first.page);

  await openTab(first.page, "Settings");
  const file = await download(first.page, "Download the space (.linli)");
  assert.equal(file.name, "River-Village.linli");
  // The same space as plain JSON, for any tool.
  const json = await download(first.page, "Download as JSON");
  const space = JSON.parse(readFileSync(json.path, "utf8"));
  assert.equal(space.name, "River Village");
  assert.deepEqual(Object.values(space.notices).map(n => n.title).sort(), ["Shared start", "Written on the first"]);

  await openTab(second.page, "Settings");
  await second.page.getByLabel("Space file to import").setInputFiles(file.path);
  await second.page.getByRole("button", { name: "Import", exact: true }).click();
  await second.page.getByRole("status").filter({ hasText: /Imported: [1-9]\d* new changes/ }).waitFor();
  await openTab(second.page, "Notices");
  const titles = second.page.locator("ul.notices .notice-link");
  await titles.nth(2).waitFor();
  assert.deepEqual((await titles.allInnerTexts()).sort(), ["Shared start", "Written on the first", "Written on the second"]);

  // A file of a different space changes nothing and says why.
  const stranger = await newProfile(world.browser);
  world.relay = await startRelay({ dataDir: tempDataDir() });
  await createSpace(stranger.page, world.relay.httpUrl, "Another Village");
  await openTab(stranger.page, "Settings");
  const foreign = await download(stranger.page, "Download the space (.linli)");
  await openTab(second.page, "Settings");
  await second.page.getByLabel("Space file to import").setInputFiles(foreign.path);
  await second.page.getByRole("button", { name: "Import", exact: true }).click();
  await second.page.getByRole("alert").getByText("this file holds a different space").waitFor();
  for (const p of [first, second, stranger]) await p.context.close();
});

test("tasks download as CSV with their board, column and request times", async () => {
  const { context, page } = await newProfile(world.browser);
  await createSpace(page, world.relay.httpUrl, "CSV Court");
  await openTab(page, "Requests");
  const form = page.getByRole("form", { name: "Raise a request" });
  await form.getByLabel("What needs doing?").fill('Fix the "big" gate, please');
  await form.getByRole("button", { name: "Send request" }).click();
  await page.locator(".request-row").waitFor();
  await openTab(page, "Settings");
  const file = await download(page, "Download tasks (CSV)");
  const lines = readFileSync(file.path, "utf8").trim().split("\r\n");
  assert.equal(lines[0], "board,column,title,claimed_by,due,labels,category,raised_at,claimed_at,resolved_at,archived");
  assert.equal(lines.length, 2);
  assert.match(lines[1], /^Resident requests · 接訴即辦,To do,"Fix the ""big"" gate, please",,,,Repairs,\d{4}-\d\d-\d\dT[^,]+Z,,,false$/);
  await context.close();
});
