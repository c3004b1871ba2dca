// Edit and view links: a view link reads and offers no editing; writes from peers without the
// space's write key are refused by the relay and by a second relay that relays; edit-link
// changes pass through both (docs/capabilities.md).
import { test } from "node:test";
import assert from "node:assert/strict";
import { newProfile } from "./support/browser.mjs";
import { createSpace, eventually, noticeCard, openNotice, openTab, postNotice, waitUntilSaved } from "./support/app.mjs";
import { startRelay } from "./support/relay.mjs";
import { jsPeer, findDoc } from "./support/js_peer.mjs";
import { browserAndRelay } from "./support/suite.mjs";

const world = browserAndRelay();

/** How many changes a relay has refused for want of a valid signature (from its /metrics). */
async function refusedAt(relay) {
  const text = await (await fetch(`${relay.httpUrl}/metrics`)).text();
  return Number(text.match(/^linli_changes_refused_total (\d+)$/m)[1]);
}

/** The forms a person could fill in on the page as it is shown. */
async function visibleForms(page) {
  return page.locator("form:visible").evaluateAll(forms => forms.map(f => f.getAttribute("aria-labelledby") ?? f.className));
}

test("a view link reads every screen and offers no editing, and says why", async () => {
  const mei = await newProfile(world.browser);
  const editLink = await createSpace(mei.page, world.relay.httpUrl, "Quiet Courtyard");
  assert.match(new URL(editLink).hash, /^#key=[1-9A-HJ-NP-Za-km-z]{40,50}$/, "the edit link carries the key in its fragment");
  await postNotice(mei.page, "Bins out on Monday", "Before 8:00.");
  await waitUntilSaved(mei.page);

  const viewLink = editLink.replace(/[?#].*$/, "");
  const viewer = await newProfile(world.browser);
  await viewer.page.goto(viewLink);
  await viewer.page.getByRole("heading", { level: 1, name: "Quiet Courtyard" }).waitFor();
  assert.match(await viewer.page.getByRole("note").innerText(), /View only\. This link lets you read this space/);
  for (const tab of ["Overview", "Notices", "Pledges", "Boards", "Requests"]) {
    await openTab(viewer.page, tab);
    assert.deepEqual(await visibleForms(viewer.page), [], `no form on ${tab}`);
  }
  await openTab(viewer.page, "Notices");
  assert.equal(await viewer.page.getByRole("link", { name: "Post a notice" }).count(), 0);
  await openNotice(viewer.page, "Bins out on Monday");
  assert.match(await noticeCard(viewer.page, "Bins out on Monday").innerText(), /Before 8:00/);
  assert.equal(await viewer.page.getByRole("link", { name: "Edit" }).count(), 0);
  assert.equal(await viewer.page.getByRole("button", { name: "Archive" }).count(), 0);
  await openTab(viewer.page, "Settings");
  assert.equal(await viewer.page.locator("code.edit-link").count(), 0, "a view link cannot hand out edit links");
  assert.equal(await viewer.page.locator("code.view-link").innerText(), viewLink);
  assert.deepEqual(await visibleForms(viewer.page), ["relays-heading"], "only this device's own relay list");

  // The edit link, given to a neighbour, writes.
  const neighbour = await newProfile(world.browser);
  await neighbour.page.goto(editLink);
  await neighbour.page.getByRole("heading", { level: 1, name: "Quiet Courtyard" }).waitFor();
  assert.equal(neighbour.page.url().includes("#key="), false, "the key leaves the address bar once read");
  await postNotice(neighbour.page, "Courtyard sweep on Saturday", "Brooms provided.");
  await openNotice(viewer.page, "Courtyard sweep on Saturday");
});

test("writes without the key are refused by the relay and by a relay that relays; edit-link changes pass both", async () => {
  const second = await startRelay({ site: false, peers: [world.relay.wsUrl] });
  const atFirst = jsPeer(world.relay.wsUrl);
  const atSecond = jsPeer(second.wsUrl);
  try {
    const mei = await newProfile(world.browser);
    const editLink = await createSpace(mei.page, world.relay.httpUrl, "Lotus Lane");
    await waitUntilSaved(mei.page);
    const url = `automerge:${new URL(editLink).pathname.split("/s/")[1]}`;

    // JavaScript automerge-repo peers hold only the ID: they read the protected space...
    const first = await findDoc(atFirst, url);
    const relayed = await findDoc(atSecond, url);
    await eventually(async () => String(first.doc()?.name) === "Lotus Lane", "the JavaScript peer at the first relay reads");
    await eventually(async () => String(relayed.doc()?.name) === "Lotus Lane", "the JavaScript peer at the second relay reads");

    // ...but their writes go no further than the relay they reach.
    const before = { first: await refusedAt(world.relay), second: await refusedAt(second) };
    first.change(doc => {
      doc.name = "Vandalized at the first relay";
    });
    await eventually(async () => (await refusedAt(world.relay)) > before.first, "the first relay refusing the change");
    relayed.change(doc => {
      doc.name = "Vandalized at the second relay";
    });
    await eventually(async () => (await refusedAt(second)) > before.second, "the second relay refusing the change");

    // Mei's next change passes both relays and reaches the peer at the second one, while a
    // newcomer reading from the first relay sees neither vandal's name.
    await postNotice(mei.page, "Lanterns up on Friday", "Bring ladders.");
    await eventually(
      async () => Object.values(relayed.doc()?.notices ?? {}).some(n => String(n.title) === "Lanterns up on Friday"),
      "Mei's notice at the second relay's JavaScript peer",
    );
    const newcomer = await newProfile(world.browser);
    await newcomer.page.goto(editLink.replace(/[?#].*$/, ""));
    await openNotice(newcomer.page, "Lanterns up on Friday");
    assert.equal(await newcomer.page.getByRole("heading", { level: 1 }).innerText(), "Lotus Lane");
    assert.equal(await mei.page.getByRole("heading", { level: 1 }).innerText(), "Lotus Lane");
  } finally {
    await atFirst.shutdown?.();
    await atSecond.shutdown?.();
    await second.stop();
  }
});
