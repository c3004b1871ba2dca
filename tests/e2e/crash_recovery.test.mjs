// An Automerge panic inside the browser. Automerge 0.12 panics on some crafted bytes; natively
// `catch_unwind` contains that (crates/core/src/load.rs, crates/sync/src/contain.rs), but wasm32
// cannot unwind: the panic aborts the wasm instance. Automerge runs in the engine's Web Worker,
// so only the worker dies: its panic hook tells the page (crates/engine/src/panic_call.rs), the
// page starts a new engine, which opens the space again from IndexedDB, and says so. The page is
// not reloaded: what was typed in it stays. Each test feeds a known crasher, unchanged, through a
// real entry point and checks the recovery: every notice shown as saved is still there, nothing
// of the crafted bytes got in, and the space still takes edits. No relay holds these spaces, so
// whatever comes back came from IndexedDB.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { cbor } from "@automerge/automerge-repo";
import { newProfile } from "./support/browser.mjs";
import { WebSocketServer } from "ws";
import { NO_RELAY, createSpace, eventually, openTab, postNotice, useRelays, waitUntilSaved } from "./support/app.mjs";
import { browserAndRelay } from "./support/suite.mjs";

const world = browserAndRelay();

/** A kept crasher: `crates/<crate>/tests/crashers/<name>`. */
const crasher = (crate, name) => readFileSync(new URL(`../../crates/${crate}/tests/crashers/${name}`, import.meta.url));

/** The notices the Notices tab lists, sorted. */
async function noticeTitles(page, expected) {
  await openTab(page, "Notices");
  const titles = page.locator("ul.notices a.notice-link");
  await titles.nth(expected - 1).waitFor();
  return (await titles.allInnerTexts()).sort();
}

/** Counts the page's loads from now on (the page must not reload itself). */
function countLoads(page) {
  const loads = { count: 0 };
  page.on("load", () => loads.count++);
  return loads;
}

/** What the page says once a new engine has taken the place of the one that panicked. */
function restartNotice(page) {
  return page.getByRole("alert").filter({ hasText: "Linli stopped after an error and has started again." });
}

function assertAutomergePanicked(page) {
  const panics = page.errors.filter(e => /panicked at .*(automerge|hexane)/s.test(e));
  assert.ok(panics.length > 0, `Automerge panicked inside the engine (console errors: ${page.errors.join(" | ")})`);
}

test("a space file that makes Automerge panic: the engine starts again, the page stays with what was typed, nothing saved is lost", async () => {
  const { context, page } = await newProfile(world.browser);
  await useRelays(context, [NO_RELAY]);
  await createSpace(page, world.relay.httpUrl, "Crasher Close");
  const saved = ["Bins go out on Thursday", "The lift is repaired"];
  for (const title of saved) {
    await postNotice(page, title, "Kept on this device.");
    await waitUntilSaved(page);
  }

  // Settings → Files → import. The file is a space (the fuzzing sample, "fuzz", with the notice
  // "Water off") damaged so that loading it panics inside Automerge (index out of bounds in
  // op_set2/change.rs). Importing loads the file before anything else, so nothing guards it: the
  // panic happens in the engine's worker. A description is half typed, not yet saved.
  await openTab(page, "Settings");
  const typing = "Half a sentence, not saved yet";
  await page.getByLabel("Description").fill(typing);
  const loads = countLoads(page);
  const file = { name: "crafted.linli", mimeType: "application/octet-stream", buffer: crasher("core", "f16bea79604b4ce7.bin") };
  await page.getByLabel("Space file to import").setInputFiles(file);
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await restartNotice(page).waitFor();
  assertAutomergePanicked(page);
  // The import that met the panic says it did not complete; the page and the typing are there.
  await page.getByRole("alert").filter({ hasText: "Please try once more" }).waitFor();
  assert.equal(await page.getByLabel("Description").inputValue(), typing);
  assert.equal(loads.count, 0, "the page did not reload");

  await page.getByRole("heading", { level: 1, name: "Crasher Close" }).waitFor();
  // Every notice shown as saved, and nothing of the file (its space's name, its notice).
  assert.deepEqual(await noticeTitles(page, saved.length), [...saved].sort());
  assert.equal(await page.getByText("Water off").count(), 0);
  assert.equal(await page.getByRole("heading", { level: 1, name: "fuzz" }).count(), 0);
  // The space still takes an edit, and keeps it.
  await postNotice(page, "Posted after the recovery", "The space still takes edits.");
  await waitUntilSaved(page);
  await page.reload();
  const all = [...saved, "Posted after the recovery"].sort();
  assert.deepEqual(await noticeTitles(page, all.length), all);

  // A second crasher (another panic site: an unwrap in hexane): the engine starts again as well,
  // and the page still shows every notice without reloading.
  page.errors.length = 0;
  const loadsAgain = countLoads(page);
  await openTab(page, "Settings");
  await page.getByLabel("Space file to import").setInputFiles({ ...file, buffer: crasher("core", "ff98d8dba3755804.bin") });
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await restartNotice(page).waitFor();
  assertAutomergePanicked(page);
  assert.deepEqual(await noticeTitles(page, all.length), all);
  assert.equal(loadsAgain.count, 0, "the page did not reload");
  await context.close();
});

// The sync crashers were made against one small document (crates/sync/tests/untrusted_sync.rs):
// its first change, below, sets "title" to "Water off" (actor 01…01, time 0); each crasher is a
// `sync` frame carrying one crafted change that builds on it. Automerge only applies a change once
// it has the change's dependencies, so the peer sends this honest change first.
const BASE_CHANGE = Buffer.from(
  "856f4a8303eec0d0013c0010010101010101010101010101010101010101000000061507340142025603570970027f057469746c65017f017f96015761746572206f66667f00",
  "hex",
);
/** A change's hash: SHA-256 of the chunk after its magic bytes and checksum. */
const BASE_HASH = createHash("sha256").update(BASE_CHANGE.subarray(8)).digest();

function uleb(n) {
  const out = [];
  do {
    out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n >>>= 7;
  } while (n > 0);
  return out;
}

/** An Automerge sync message (v1): these heads, no needs, no haves, these changes. */
function syncMessage(heads, changes) {
  const bytes = [0x42, ...uleb(heads.length), ...heads.flatMap(h => [...h]), 0, 0, ...uleb(changes.length)];
  for (const change of changes) bytes.push(...uleb(change.length), ...change);
  return new Uint8Array(bytes);
}

/** The heads of an Automerge sync message, as hex (they come first, after the type byte). */
function headsOf(data) {
  let at = 1;
  let count = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = data[at++];
    count |= (byte & 0x7f) << shift;
    if (!(byte & 0x80)) break;
  }
  return Array.from({ length: count }, (_, i) => Buffer.from(data.subarray(at + 32 * i, at + 32 * (i + 1))).toString("hex"));
}

/**
 * A relay impostor, the only relay `context`'s app dials: it answers the handshake as `peerId`
 * and records every frame the app sends ({ conn, message }), but holds no documents.
 */
async function impostorRelay(context, peerId) {
  const relay = { connections: [], received: [] };
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise(resolve => server.once("listening", resolve));
  relay.close = () => new Promise(resolve => server.close(resolve));
  server.on("connection", ws => {
    const conn = { ws, number: relay.connections.length + 1, pagePeer: undefined };
    relay.connections.push(conn);
    ws.on("message", (frame, isBinary) => {
      if (!isBinary) return;
      const message = cbor.decode(new Uint8Array(frame));
      relay.received.push({ conn: conn.number, message });
      if (message.type === "join") {
        conn.pagePeer = message.senderId;
        conn.send({ type: "peer", senderId: peerId, targetId: message.senderId, peerMetadata: { isEphemeral: false }, selectedProtocolVersion: "1" });
      }
    });
    conn.send = message => ws.send(Buffer.from(cbor.encode(message)));
  });
  await useRelays(context, [`ws://127.0.0.1:${server.address().port}/`]);
  /** Waits for a `sync` or `request` from the page about `documentId` on a connection after `number`; its heads. */
  relay.headsAfter = async (number, documentId) => {
    let heads;
    await eventually(async () => {
      const seen = relay.received.find(
        ({ conn, message }) => conn > number && ["sync", "request"].includes(message.type) && message.documentId === documentId,
      );
      heads = seen && headsOf(seen.message.data);
      return Boolean(seen);
    }, `the page to sync ${documentId} on a connection after the ${number}th`);
    return heads;
  };
  return relay;
}

test("a sync message that makes Automerge panic: the engine starts again and keeps everything the page showed as saved", async () => {
  const frame = crasher("sync", "e00419b661b3f538.bin");
  const crafted = cbor.decode(frame);
  assert.ok(frame.includes(BASE_HASH), "the crasher builds on the honest change this test sends first");
  const { context, page } = await newProfile(world.browser);
  const relay = await impostorRelay(context, crafted.senderId);
  const link = await createSpace(page, world.relay.httpUrl, "Crasher Court");
  const saved = ["Water back at noon", "Choir on Friday"];
  for (const title of saved) {
    await postNotice(page, title, "Kept on this device.");
    await waitUntilSaved(page);
  }

  // The peer offers its document: first the honest change, which the page takes, stores and
  // acknowledges; then the crafted change on top of it, which makes Automerge panic while applying
  // it (an assertion in change_graph.rs).
  await eventually(async () => relay.connections[0]?.pagePeer !== undefined, "the page to join");
  const first = relay.connections[0];
  const base = BASE_HASH.toString("hex");
  first.send({ type: "sync", senderId: crafted.senderId, targetId: first.pagePeer, documentId: crafted.documentId, data: syncMessage([BASE_HASH], [BASE_CHANGE]) });
  await eventually(async () => {
    const acks = relay.received.filter(({ conn, message }) => conn === 1 && message.type === "sync" && message.documentId === crafted.documentId);
    return acks.some(({ message }) => headsOf(message.data).includes(base));
  }, "the page to take the honest change");
  const loads = countLoads(page);
  first.ws.send(frame);
  await restartNotice(page).waitFor();
  assertAutomergePanicked(page);
  assert.equal(loads.count, 0, "the page did not reload");

  // Back from IndexedDB: every notice shown as saved; the space takes and keeps a new edit.
  await page.getByRole("heading", { level: 1, name: "Crasher Court" }).waitFor();
  assert.deepEqual(await noticeTitles(page, saved.length), [...saved].sort());
  await postNotice(page, "Posted after the recovery", "The space still takes edits.");
  await waitUntilSaved(page);
  await page.reload();
  const all = [...saved, "Posted after the recovery"].sort();
  assert.deepEqual(await noticeTitles(page, all.length), all);

  // The crafted change did not get in: the peer's document, opened on this device (it is no
  // space, so the page says it cannot read it), is announced with the honest change as its only
  // head.
  const connectionsSoFar = relay.connections.length;
  const address = new URL(link);
  address.pathname = `/s/${crafted.documentId}`;
  address.hash = "";
  await page.goto(address.href);
  assert.deepEqual(await relay.headsAfter(connectionsSoFar, crafted.documentId), [base]);
  await context.close();
  await relay.close();
});
