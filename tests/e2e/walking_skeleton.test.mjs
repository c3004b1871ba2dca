// The walking skeleton end to end: a notice goes from one browser profile through the real relay
// to another, edits flow both ways, the local copy survives a reload with the relay unreachable,
// and the relay keeps the space across a restart. A JavaScript automerge-repo peer reads it too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Repo, isValidDocumentId } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import { startRelay } from "./support/relay.mjs";
import { newProfile } from "./support/browser.mjs";
import { NO_RELAY, chooseName, createSpace, inSpace, postNotice, noticeCard, openNotice, waitUntilSaved } from "./support/app.mjs";
import { browserAndRelay } from "./support/suite.mjs";

const world = browserAndRelay();

test("a notice travels between two profiles through the relay, and survives reloads and restarts", async () => {
  const phone = await newProfile(world.browser);
  const link = await createSpace(phone.page, world.relay.httpUrl, "Sanfang Qixiang");
  const documentId = new URL(link).pathname.split("/s/")[1];
  // (interop.test.mjs shows the stricter npm sync server, which checks for UUIDs, accepts it too.)
  assert.ok(isValidDocumentId(documentId), `the link holds an automerge-repo document ID: ${documentId}`);

  await postNotice(phone.page, "Water off on Tuesday", "From 9:00 to 12:00, building 3.");
  await waitUntilSaved(phone.page);

  // A second, separate profile opens the link: the notice arrives through the relay.
  const kiosk = await newProfile(world.browser);
  await kiosk.page.goto(link);
  await chooseName(kiosk.page, "Lin");
  await openNotice(kiosk.page, "Water off on Tuesday");
  assert.match(await noticeCard(kiosk.page, "Water off on Tuesday").innerText(), /building 3/);

  // An edit on the second profile shows up on the first (which is still showing the notice).
  await kiosk.page.getByRole("link", { name: "Edit" }).click();
  const form = kiosk.page.getByRole("form", { name: "Edit notice" });
  await form.getByLabel("Title", { exact: true }).first().fill("Water off on Wednesday");
  await form.getByRole("button", { name: "Save" }).click();
  await noticeCard(kiosk.page, "Water off on Wednesday").waitFor();
  await noticeCard(phone.page, "Water off on Wednesday").waitFor();
  await waitUntilSaved(phone.page);

  // Reload with the relay unreachable: the space is drawn from this profile's IndexedDB.
  await phone.page.evaluate(relay => localStorage.setItem("linli.relays", relay), NO_RELAY);
  await phone.page.reload();
  await noticeCard(phone.page, "Water off on Wednesday").waitFor();
  assert.match(await phone.page.locator(".sync-badge").innerText(), /Offline|Connecting/);
  await phone.page.evaluate(() => localStorage.removeItem("linli.relays"));

  // Stop the relay and start it again on the same data folder: a third profile still gets the space.
  await world.relay.stop("SIGTERM");
  world.relay = await startRelay({ dataDir: world.relay.dataDir, listen: world.relay.listen });
  const visitor = await newProfile(world.browser);
  await visitor.page.goto(inSpace(link, "/notices"));
  await visitor.page.getByRole("link", { name: "Water off on Wednesday" }).waitFor();

  for (const profile of [phone, kiosk, visitor]) {
    assert.deepEqual(profile.page.errors, [], "no errors in the browser console");
    await profile.context.close();
  }
});

test("a JavaScript automerge-repo peer reads a space made in the app", async () => {
  const neighbour = await newProfile(world.browser);
  const link = await createSpace(neighbour.page, world.relay.httpUrl, "Gulou Street");
  await postNotice(neighbour.page, "Book swap", "Sunday afternoon");
  await waitUntilSaved(neighbour.page);
  const documentId = new URL(link).pathname.split("/s/")[1];

  const repo = new Repo({ network: [new WebSocketClientAdapter(world.relay.wsUrl)] });
  try {
    const handle = await repo.find(`automerge:${documentId}`);
    const doc = handle.doc();
    // Linli writes names and titles as plain (not collaborative) strings: JS sees ImmutableString.
    assert.equal(String(doc.name), "Gulou Street");
    const titles = Object.values(doc.notices).map(n => String(n.title));
    assert.deepEqual(titles, ["Book swap"]);
  } finally {
    await repo.shutdown();
    await neighbour.context.close();
  }
});
