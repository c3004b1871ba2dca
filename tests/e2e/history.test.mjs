// Every item has a history: who changed what and when, and "restore this version" brings an old
// version back as a new change.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newProfile } from "./support/browser.mjs";
import { createSpace, noticeCard, postNotice } from "./support/app.mjs";
import { browserAndRelay } from "./support/suite.mjs";

const world = browserAndRelay();

async function editTitle(page, from, to) {
  await noticeCard(page, from).waitFor();
  await page.getByRole("link", { name: "Edit" }).click();
  const form = page.getByRole("form", { name: "Edit notice" });
  await form.getByLabel("Title", { exact: true }).first().fill(to);
  await form.getByRole("button", { name: "Save" }).click();
  await noticeCard(page, to).waitFor();
}

test("a notice's history lists each change, and an old version can be restored", async () => {
  const { context, page } = await newProfile(world.browser);
  await createSpace(page, world.relay.httpUrl, "History Lane", { me: "Editor Ma" });
  await postNotice(page, "Meeting at 7", "In the hall.");
  await editTitle(page, "Meeting at 7", "Meeting at 8");
  await editTitle(page, "Meeting at 8", "Meeting cancelled");

  await page.getByRole("link", { name: "History" }).click();
  const entries = page.locator(".history-entry");
  await entries.first().waitFor();
  assert.equal(await entries.count(), 3, "posted, edited, edited");
  assert.match(await entries.nth(0).innerText(), /Editor Ma/);
  assert.match(await entries.nth(0).innerText(), /This is the current version/);
  assert.match(await entries.nth(2).innerText(), /notice.post/);

  // Restore the first version (the oldest entry).
  await entries.nth(2).getByRole("button", { name: "Restore this version" }).click();
  await page.getByText("Restored. The history keeps both versions.").waitFor();
  await page.locator(".history-entry").nth(3).waitFor();
  assert.equal(await page.locator(".history-entry").count(), 4, "restoring is one more change");
  await page.getByRole("link", { name: "← Back to the item" }).click();
  await noticeCard(page, "Meeting at 7").waitFor();
  assert.match(await noticeCard(page, "Meeting at 7").innerText(), /In the hall/);
  assert.deepEqual(page.errors, []);
  await context.close();
});
