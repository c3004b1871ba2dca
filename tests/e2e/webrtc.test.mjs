// Direct WebRTC links between two browser profiles: found through the relay's ephemeral messages
// (then the relay can go away), or made by hand with no server at all (copy and paste).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startRelay } from "./support/relay.mjs";
import { newProfile } from "./support/browser.mjs";
import { chooseName, createSpace, noticeCard, openNotice, openTab, postNotice, waitUntilSaved } from "./support/app.mjs";
import { browserAndRelay } from "./support/suite.mjs";

const world = browserAndRelay();

const directRow = page => page.locator('.sync-panel tr[data-kind="direct"]');

test("two devices on one relay link directly, and edits still flow after the relay stops", async () => {
  const first = await newProfile(world.browser);
  const link = await createSpace(first.page, world.relay.httpUrl, "Direct Lane");
  const second = await newProfile(world.browser);
  await second.page.goto(link);
  await chooseName(second.page, "Second");
  await openTab(first.page, "Settings");
  await openTab(second.page, "Settings");
  await directRow(first.page).filter({ hasText: "connected" }).waitFor({ timeout: 30_000 });
  await directRow(second.page).filter({ hasText: "connected" }).waitFor();

  await world.relay.stop("SIGTERM");
  await first.page.getByText("Offline: changes wait on this device").waitFor();
  await postNotice(first.page, "Sent directly", "No relay in between.");
  await openNotice(second.page, "Sent directly");
  await postNotice(second.page, "And back", "Still direct.");
  await openNotice(first.page, "And back");
  world.relay = await startRelay({ dataDir: world.relay.dataDir, listen: world.relay.listen });
  for (const p of [first, second]) await p.context.close();
});

test("with no server at all, an invitation and an answer pasted by hand link two devices", async () => {
  // A relay address that never answers: these two devices only have each other.
  const nowhere = `?relay=${encodeURIComponent("ws://127.0.0.1:9/")}`;
  const first = await newProfile(world.browser);
  const link = await createSpace(first.page, `${world.relay.httpUrl}/${nowhere}`, "Island Village");
  await postNotice(first.page, "Ferry at six", "From the north pier.");
  await waitUntilSaved(first.page);

  const second = await newProfile(world.browser);
  await second.page.goto(`${world.relay.httpUrl}/${nowhere}`);
  await chooseName(second.page, "Islander");

  await openTab(first.page, "Settings");
  const firstDirect = first.page.getByRole("region", { name: "Connect two devices directly" });
  await firstDirect.getByRole("button", { name: "Make an invitation" }).click();
  const invitation = await firstDirect.getByLabel("Give this to the other device").inputValue();
  assert.match(invitation, /"kind":"offer"/);

  const secondDirect = second.page.getByRole("region", { name: "Connect two devices directly" });
  await secondDirect.getByLabel("Paste an invitation or an answer").fill(invitation);
  await secondDirect.getByRole("button", { name: "Connect" }).click();
  await secondDirect.getByText("Now give this answer back to the first device.").waitFor();
  const answer = await secondDirect.getByLabel("Give this to the other device").inputValue();
  assert.match(answer, /"kind":"answer"/);

  await firstDirect.getByLabel("Paste an invitation or an answer").fill(answer);
  await firstDirect.getByRole("button", { name: "Connect" }).click();
  await directRow(first.page).filter({ hasText: "connected" }).waitFor({ timeout: 30_000 });

  // The second device has no copy of the space: it joins with the link (in the app, so the
  // direct link stays up) and the space arrives over the direct link.
  await second.page.getByLabel("Link or ID").fill(link);
  await second.page.getByRole("button", { name: "Open" }).click();
  await second.page.getByRole("heading", { level: 1, name: "Island Village" }).waitFor({ timeout: 30_000 });
  await openNotice(second.page, "Ferry at six");
  await postNotice(second.page, "Ferry cancelled", "Storm coming.");
  await openNotice(first.page, "Ferry cancelled");
  assert.match(await noticeCard(first.page, "Ferry cancelled").innerText(), /Storm coming/);
  for (const p of [first, second]) await p.context.close();
});
