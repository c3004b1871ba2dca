// Interoperability with the real npm automerge-repo packages: JavaScript peers through Linli's
// relay, Linli's app through the npm sync server, data folders moved between the two servers,
// and Linli's relay federating with the npm server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ImmutableString } from "@automerge/automerge";
import { startRelay } from "./support/relay.mjs";
import { startNpmSyncServer } from "./support/npm_server.mjs";
import { jsPeer, eventually, findDoc } from "./support/js_peer.mjs";
import { launchBrowser, newProfile } from "./support/browser.mjs";
import { chooseName, postNotice, noticeCard, waitUntilSaved } from "./support/app.mjs";

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** A space document as Linli lays it out, made by a JavaScript peer. */
function jsMadeSpace(title, body) {
  return {
    schema: 1,
    name: new ImmutableString("Made in JavaScript"),
    notices: {
      "00000000000000aa": { title: new ImmutableString(title), body, created_at: Date.now(), updated_at: Date.now() },
    },
  };
}

/** The chunk files a data folder holds of the document (NodeFS layout). */
function chunksOf(dataDir, documentId) {
  const dir = join(dataDir, documentId.slice(0, 2), documentId.slice(2));
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap(kind => readdirSync(join(dir, kind)).map(name => `${kind}/${name}`));
}

/** Whether a data folder holds any chunk of the document. */
function folderHolds(dataDir, documentId) {
  return chunksOf(dataDir, documentId).length > 0;
}

test("a JavaScript peer's space reaches a second JavaScript peer and Linli's app through Linli's relay", async () => {
  const relay = await startRelay();
  const alice = jsPeer(relay.wsUrl);
  const bob = jsPeer(relay.wsUrl);
  const viewer = await newProfile(browser);
  try {
    const handle = alice.create(jsMadeSpace("Lift repair", "Friday 9:00"));
    await handle.whenReady();
    const bobs = await findDoc(bob, handle.url);
    assert.equal(String(bobs.doc().notices["00000000000000aa"].title), "Lift repair");

    await viewer.page.goto(`${relay.httpUrl}/s/${handle.documentId}/notices/00000000000000aa`);
    await noticeCard(viewer.page, "Lift repair").waitFor();

    handle.change(doc => {
      doc.notices["00000000000000aa"].body = "Saturday 9:00";
    });
    await eventually(async () => (await noticeCard(viewer.page, "Lift repair").innerText()).includes("Saturday"), "the edit in the app");
    await eventually(() => bobs.doc().notices["00000000000000aa"].body === "Saturday 9:00", "the edit at the second peer");
    assert.deepEqual(viewer.page.errors, []);
  } finally {
    await viewer.context.close();
    await alice.shutdown();
    await bob.shutdown();
    await relay.stop();
  }
});

test("Linli's app syncs an open space through the npm sync server", async () => {
  // An open space (made by a JavaScript peer, so without a write key): the npm server passes on
  // changes but drops Linli's signatures, so protected spaces need Linli relays
  // (docs/capabilities.md).
  const site = await startRelay();
  const npm = await startNpmSyncServer();
  const maker = jsPeer(npm.wsUrl);
  const phone = await newProfile(browser);
  const kiosk = await newProfile(browser);
  try {
    const handle = maker.create(jsMadeSpace("Lift repair", "Friday 9:00"));
    await handle.whenReady();
    await eventually(() => folderHolds(npm.dataDir, handle.documentId), "the npm server to store the space");
    const viaNpm = `?relay=${encodeURIComponent(npm.wsUrl)}`;
    await phone.page.goto(`${site.httpUrl}/${viaNpm}`);
    await chooseName(phone.page, "Mei");
    await phone.page.goto(`${site.httpUrl}/s/${handle.documentId}${viaNpm}`);
    await phone.page.getByRole("heading", { level: 1, name: "Made in JavaScript" }).waitFor();
    await postNotice(phone.page, "Through the npm server", "It works");
    await waitUntilSaved(phone.page);
    await kiosk.page.goto(`${site.httpUrl}/s/${handle.documentId}/notices${viaNpm}`);
    await kiosk.page.getByRole("link", { name: "Through the npm server" }).waitFor();
    await eventually(() => Object.values(handle.doc().notices).some(n => String(n.title) === "Through the npm server"), "the JavaScript peer to get the app's notice");
    assert.ok(!folderHolds(site.dataDir, handle.documentId), "Linli's relay served only the site");
  } finally {
    await phone.context.close();
    await kiosk.context.close();
    await maker.shutdown();
    await npm.stop();
    await site.stop();
  }
});

test("a data folder moves between the npm sync server and Linli's relay, both ways", async () => {
  // npm server → Linli relay.
  const npm = await startNpmSyncServer();
  const writer = jsPeer(npm.wsUrl);
  const handle = writer.create({ note: "written by the npm server" });
  await handle.whenReady();
  await eventually(() => folderHolds(npm.dataDir, handle.documentId), "the npm server to write the document");
  await writer.shutdown();
  await npm.stop();

  const relay = await startRelay({ dataDir: npm.dataDir, site: false });
  const reader = jsPeer(relay.wsUrl);
  const read = await findDoc(reader, handle.url);
  assert.equal(read.doc().note, "written by the npm server");
  const before = chunksOf(relay.dataDir, handle.documentId).join();
  read.change(doc => {
    doc.note = "then edited through Linli's relay";
  });
  await eventually(() => chunksOf(relay.dataDir, handle.documentId).join() !== before, "the relay to store the edit");
  await reader.shutdown();
  await relay.stop();

  // Linli relay → npm server.
  const again = await startNpmSyncServer({ dataDir: relay.dataDir });
  const last = jsPeer(again.wsUrl);
  try {
    const back = await findDoc(last, handle.url);
    await eventually(() => back.doc().note === "then edited through Linli's relay", "the npm server to serve Linli's edit");
  } finally {
    await last.shutdown();
    await again.stop();
  }
});

test("Linli's relay federates with the npm sync server", async () => {
  const npm = await startNpmSyncServer();
  const relay = await startRelay({ peers: [npm.wsUrl] });
  const farAway = jsPeer(npm.wsUrl);
  const nearby = jsPeer(relay.wsUrl);
  try {
    const handle = farAway.create({ count: 1 });
    await handle.whenReady();
    await eventually(() => folderHolds(npm.dataDir, handle.documentId), "the npm server to hold the document");
    // A client of Linli's relay asks for it; the relay fetches it from its upstream.
    const near = await findDoc(nearby, handle.url);
    assert.equal(near.doc().count, 1);
    near.change(doc => {
      doc.count = 2;
    });
    await eventually(() => handle.doc().count === 2, "the edit to travel back through both servers");
  } finally {
    await farAway.shutdown();
    await nearby.shutdown();
    await relay.stop();
    await npm.stop();
  }
});
