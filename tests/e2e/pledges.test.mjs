// Pledges (鄰里公約) between two separate profiles through the relay: signing, the progress bar
// and condition, withdrawing, and signatures collected on paper.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { newProfile } from "./support/browser.mjs";
import { chooseName, createSpace, openTab } from "./support/app.mjs";
import { browserAndRelay } from "./support/suite.mjs";

const world = browserAndRelay();

const progressOf = page => page.locator("article.pledge-sheet .progress-count");

test("two neighbours sign a pledge, one withdraws, paper signatures add up", async () => {
  const organiser = await newProfile(world.browser);
  const link = await createSpace(organiser.page, world.relay.httpUrl, "Daming Lane", { me: "Organiser Chen" });
  await openTab(organiser.page, "Pledges");
  const form = organiser.page.getByRole("form", { name: "Start a pledge" });
  await form.getByLabel("Title").fill("Quiet hours after 22:00");
  await form.getByLabel("Text of the pledge").fill("We keep the lane **quiet** after 22:00.");
  await form.getByLabel("Goal (signatures)").fill("3");
  await form.getByLabel("Binding once this many sign (optional)").fill("2");
  await form.getByRole("button", { name: "Create pledge" }).click();
  const sheet = organiser.page.getByRole("article", { name: "Quiet hours after 22:00" });
  await sheet.waitFor();
  assert.equal(await progressOf(organiser.page).innerText(), "0 of 3 signed");
  assert.equal(await sheet.locator(".rich-text strong").innerText(), "quiet");

  const neighbour = await newProfile(world.browser);
  await neighbour.page.goto(link);
  await chooseName(neighbour.page, "Neighbour Lin");
  await openTab(neighbour.page, "Pledges");
  await neighbour.page.getByRole("link", { name: "Quiet hours after 22:00" }).click();
  await neighbour.page.getByRole("button", { name: "Sign as Neighbour Lin" }).click();
  await neighbour.page.getByText("You signed this pledge.").waitFor();

  // The organiser sees the signature arrive: count, bar and the signer's name.
  await organiser.page.getByText("1 of 3 signed").waitFor();
  assert.deepEqual(await organiser.page.locator(".signers li .name").allInnerTexts(), ["Neighbour Lin"]);
  assert.equal(await organiser.page.getByRole("progressbar").getAttribute("aria-valuenow"), "1");
  await organiser.page.getByRole("button", { name: "Sign as Organiser Chen" }).click();
  await organiser.page.getByText("2 of 3 signed").waitFor();
  assert.match(await organiser.page.locator(".pledge-status").innerText(), /Condition met/);

  // Withdrawing takes the signature out of the count everywhere.
  await neighbour.page.getByText("2 of 3 signed").waitFor();
  await neighbour.page.getByRole("button", { name: "Withdraw my signature" }).click();
  await organiser.page.getByText("1 of 3 signed").waitFor();
  assert.deepEqual(await organiser.page.locator(".signers li .name").allInnerTexts(), ["Organiser Chen"]);

  // A coordinator enters 4 signatures collected on paper: the goal is reached.
  const paper = organiser.page.getByRole("form", { name: "Signatures collected on paper" });
  await paper.getByLabel("Number of paper signatures").fill("4");
  await paper.getByLabel("Note").fill("Building 2 stairwell sheet");
  await paper.getByRole("button", { name: "Record" }).click();
  await neighbour.page.getByText("5 of 3 signed").waitFor();
  assert.match(await neighbour.page.locator(".pledge-status").innerText(), /Goal reached/);
  assert.match(await neighbour.page.locator("article.pledge-sheet").innerText(), /Plus 4 signatures collected on paper/);

  // The overview lists it among pledges open for signing, with its progress.
  await openTab(neighbour.page, "Overview");
  const open = neighbour.page.getByRole("region", { name: "Pledges open for signing" });
  await open.getByRole("link", { name: "Quiet hours after 22:00" }).waitFor();
  assert.equal(await open.locator(".progress-count").innerText(), "5 of 3 signed");
  for (const p of [organiser, neighbour]) {
    assert.deepEqual(p.page.errors, []);
    await p.context.close();
  }
});
