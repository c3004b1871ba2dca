// Two tabs of one browser sync with each other directly (BroadcastChannel), with the relay gone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newProfile } from "./support/browser.mjs";
import { createSpace, noticeCard, openNotice, openTab, postNotice, waitUntilSaved } from "./support/app.mjs";
import { browserAndRelay } from "./support/suite.mjs";

const world = browserAndRelay();

test("two tabs keep each other up to date with the relay stopped", async () => {
  const { context, page: first } = await newProfile(world.browser);
  const link = await createSpace(first, world.relay.httpUrl, "Two Tabs Lane");
  await waitUntilSaved(first);
  // The sync status panel: the relay has every change of this space.
  await openTab(first, "Settings");
  const relayRow = first.locator('.sync-panel tr[data-kind="relay"]');
  await relayRow.filter({ hasText: "up to date" }).waitFor();
  assert.match(await relayRow.innerText(), /connected/);
  await openTab(first, "Overview");
  await world.relay.stop("SIGTERM");
  await first.getByText("Offline: changes wait on this device").waitFor();

  const second = await context.newPage();
  await second.goto(link);
  await second.getByRole("heading", { level: 1, name: "Two Tabs Lane" }).waitFor();
  await postNotice(first, "From the first tab", "No relay involved.");
  await openNotice(second, "From the first tab");

  // And back, while the first tab shows the notice list.
  await postNotice(second, "From the second tab", "Still no relay.");
  await openNotice(first, "From the second tab");
  assert.match(await noticeCard(first, "From the second tab").innerText(), /Still no relay/);
  assert.match(await first.locator(".sync-badge").innerText(), /Offline/, "the badge still speaks of the relay");
  // The panel shows the other tab, up to date, and the relay not connected.
  await openTab(first, "Settings");
  await first.locator('.sync-panel tr[data-kind="tab"]').filter({ hasText: "up to date" }).waitFor();
  await first.locator('.sync-panel tr[data-kind="relay"]').filter({ hasText: "not connected" }).first().waitFor();
  await context.close();
});
