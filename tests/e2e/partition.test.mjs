// A network split: three neighbours each edit alone while they cannot reach one another, then
// the network heals and all three hold the same space with every edit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newProfileWithoutDirectLinks } from "./support/browser.mjs";
import { chooseName, createSpace, eventually, openTab, postNotice, waitUntilSaved } from "./support/app.mjs";
import { startRelay } from "./support/relay.mjs";
import { browserAndRelay } from "./support/suite.mjs";

const world = browserAndRelay();

/** A profile whose browser has no WebRTC, so the relay is the only way between devices. */
const profileWithoutDirectLinks = () => newProfileWithoutDirectLinks(world.browser);

/** The notice titles a page lists, in the order shown. */
async function noticeTitles(page) {
  await openTab(page, "Notices");
  return page.locator("ul.notices a.notice-link").allInnerTexts();
}

/** The link to a notice in the list of the Notices tab. */
function listed(page, title) {
  return page.locator("ul.notices a.notice-link", { hasText: title });
}

test("three neighbours edit apart during a split, and after it heals all three see every edit", async () => {
  const [mei, zhao, lin] = [await profileWithoutDirectLinks(), await profileWithoutDirectLinks(), await profileWithoutDirectLinks()];
  const link = await createSpace(mei.page, world.relay.httpUrl, "Split Lane");
  await postNotice(mei.page, "Before the split", "Everyone has this one.");
  await waitUntilSaved(mei.page);
  for (const [profile, name] of [[zhao, "Zhao"], [lin, "Lin"]]) {
    await profile.page.goto(link);
    await chooseName(profile.page, name);
    await openTab(profile.page, "Notices");
    await listed(profile.page, "Before the split").waitFor();
  }

  await world.relay.stop("SIGKILL");
  for (const profile of [mei, zhao, lin]) await profile.page.getByText("Offline: changes wait on this device").waitFor();
  await postNotice(mei.page, "Mei, during the split", "Written alone.");
  await postNotice(zhao.page, "Zhao, during the split", "Written alone.");
  await postNotice(lin.page, "Lin, during the split", "Written alone.");
  for (const profile of [mei, zhao, lin]) await waitUntilSaved(profile.page);
  // Apart, each sees only its own new notice.
  assert.deepEqual((await noticeTitles(mei.page)).sort(), ["Before the split", "Mei, during the split"]);
  assert.deepEqual((await noticeTitles(zhao.page)).sort(), ["Before the split", "Zhao, during the split"]);

  world.relay = await startRelay({ dataDir: world.relay.dataDir, listen: world.relay.listen });
  const everyTitle = ["Before the split", "Mei, during the split", "Zhao, during the split", "Lin, during the split"];
  for (const profile of [mei, zhao, lin]) {
    await openTab(profile.page, "Notices");
    for (const title of everyTitle) await listed(profile.page, title).waitFor();
  }
  // The same space everywhere: the same notices in the same order.
  await eventually(async () => {
    const [a, b, c] = [await noticeTitles(mei.page), await noticeTitles(zhao.page), await noticeTitles(lin.page)];
    return a.length === 4 && a.join() === b.join() && b.join() === c.join();
  }, "identical notice lists on all three devices");
});
