// The app opens with no network at all once it has been visited: the service worker serves the
// app shell, IndexedDB holds the space, and what is written offline syncs when the network returns.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startRelay } from "./support/relay.mjs";
import { launchBrowser, newProfile } from "./support/browser.mjs";
import { createSpace, noticeCard, openNotice, postNotice, waitUntilSaved, chooseName } from "./support/app.mjs";

let browser;
let relay;
before(async () => {
  browser = await launchBrowser();
  relay = await startRelay();
});
after(async () => {
  await browser?.close();
  await relay?.stop();
});

test("with the network gone the app still opens, shows the space, and takes a notice that syncs later", async () => {
  const phone = await newProfile(browser);
  const link = await createSpace(phone.page, relay.httpUrl, "Offline Alley");
  await postNotice(phone.page, "Before the storm", "Sandbags at the gate.");
  await waitUntilSaved(phone.page);
  // The service worker has taken control and holds the shell.
  await phone.page.evaluate(() => navigator.serviceWorker.ready);
  await phone.page.reload();
  assert.equal(await phone.page.evaluate(() => navigator.serviceWorker.controller !== null), true);

  await phone.context.setOffline(true);
  await phone.page.goto(link);
  await phone.page.getByRole("heading", { level: 1, name: "Offline Alley" }).waitFor();
  await openNotice(phone.page, "Before the storm");
  assert.match(await phone.page.locator(".sync-badge").innerText(), /Offline|Connecting/);
  await postNotice(phone.page, "Written offline", "Typed with no signal.");
  await waitUntilSaved(phone.page);

  await phone.context.setOffline(false);
  const neighbour = await newProfile(browser);
  await neighbour.page.goto(link);
  await chooseName(neighbour.page, "Neighbour");
  await openNotice(neighbour.page, "Written offline");
  assert.match(await noticeCard(neighbour.page, "Written offline").innerText(), /Typed with no signal/);
  for (const p of [phone, neighbour]) await p.context.close();
});
