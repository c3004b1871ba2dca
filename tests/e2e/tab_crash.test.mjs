// A tab that crashes: everything it showed as saved comes back from IndexedDB when the space is
// opened again, with no relay to fill the gaps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newProfile } from "./support/browser.mjs";
import { NO_RELAY, createSpace, inSpace, postNotice, useRelays, waitUntilSaved } from "./support/app.mjs";
import { browserAndRelay } from "./support/suite.mjs";

const world = browserAndRelay();

test("a tab that crashes right after showing 'saved' loses nothing it showed as saved", async () => {
  const { context, page } = await newProfile(world.browser);
  // No WebSocket for this profile: its notices can live only in its IndexedDB.
  await useRelays(context, [NO_RELAY]);
  const link = await createSpace(page, world.relay.httpUrl, "Crash Lane");
  const titles = ["Saved before the crash 1", "Saved before the crash 2", "Saved before the crash 3"];
  for (const title of titles) {
    await postNotice(page, title, "Kept on this device.");
    await waitUntilSaved(page);
  }
  // Kill the tab's renderer the moment the last save shows (the call itself gets no answer).
  const cdp = await context.newCDPSession(page);
  const crashed = page.waitForEvent("crash", { timeout: 15000 });
  cdp.send("Page.crash").catch(() => {});
  await crashed;

  const again = await context.newPage();
  await again.goto(inSpace(link, "/notices"));
  for (const title of titles) await again.locator("ul.notices a.notice-link", { hasText: title }).waitFor();
  assert.equal(await again.locator("ul.notices a.notice-link").count(), titles.length);
});
