// Task boards: cards move by keyboard alone (focus follows the card) and by drag and drop, and a
// second profile sees the moves, claims and comments.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { newProfile } from "./support/browser.mjs";
import { chooseName, columnTitles, createSpace, eventually, openTab } from "./support/app.mjs";
import { browserAndRelay } from "./support/suite.mjs";

const world = browserAndRelay();

async function addTask(page, column, title) {
  const region = page.getByRole("region", { name: column });
  await region.getByPlaceholder("New task").fill(title);
  await region.getByRole("button", { name: "Add" }).click();
  await region.getByRole("link", { name: title }).waitFor();
}

test("cards move within and between columns with the keyboard only, and focus follows them", async () => {
  const { context, page } = await newProfile(world.browser);
  await createSpace(page, world.relay.httpUrl, "Board Lane");
  await openTab(page, "Task boards");
  await page.getByLabel("Name of the board").fill("Spring clean");
  await page.getByRole("button", { name: "Create board" }).click();
  await page.getByRole("heading", { name: "Spring clean" }).waitFor();
  for (const title of ["Sweep stairs", "Fix lamp", "Paint bench"]) await addTask(page, "To do", title);
  assert.deepEqual(await columnTitles(page, "To do"), ["Sweep stairs", "Fix lamp", "Paint bench"]);

  // Up: focus the card's button and press Enter — no mouse.
  await page.getByRole("button", { name: "Move “Paint bench” up" }).focus();
  await page.keyboard.press("Enter");
  await eventually(async () => (await columnTitles(page, "To do")).join() === "Sweep stairs,Paint bench,Fix lamp", "the card to move up");
  // Focus follows the card once the board has re-drawn.
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute("aria-label"));
  await eventually(async () => (await focused()) === "Move “Paint bench” up", "focus to stay on the moved card");
  await page.keyboard.press("Enter");
  await eventually(async () => (await columnTitles(page, "To do")).join() === "Paint bench,Sweep stairs,Fix lamp", "the card to reach the top");
  // (The move is made by the engine in its worker; focus follows once the board has re-drawn.)
  await eventually(
    () => page.evaluate(() => document.activeElement?.closest("[data-task]")?.textContent.includes("Paint bench") ?? false),
    "focus to follow the card to the top",
  );

  // Next column with Space, then Tab to the next button and on.
  await page.getByRole("button", { name: "Move “Sweep stairs” to the next column" }).focus();
  await page.keyboard.press(" ");
  await eventually(async () => (await columnTitles(page, "Doing")).join() === "Sweep stairs", "the card to reach Doing");
  await eventually(async () => (await focused()) === "Move “Sweep stairs” to the next column", "focus to follow the card to Doing");
  await page.keyboard.press("Enter");
  await eventually(async () => (await columnTitles(page, "Done")).join() === "Sweep stairs", "the card to reach Done");
  assert.deepEqual(await columnTitles(page, "To do"), ["Paint bench", "Fix lamp"]);
  // At the last column "next" is disabled, and focus moved to the card itself.
  assert.equal(await page.getByRole("button", { name: "Move “Sweep stairs” to the next column" }).isDisabled(), true);
  await eventually(() => page.evaluate(() => document.activeElement?.dataset.task !== undefined), "focus to rest on the card itself");
  assert.deepEqual(page.errors, []);
  await context.close();
});

test("drag and drop moves a card; a neighbour sees it, claims it and comments", async () => {
  const volunteer = await newProfile(world.browser);
  const link = await createSpace(volunteer.page, world.relay.httpUrl, "Drag Street", { me: "Volunteer Wu" });
  await openTab(volunteer.page, "Task boards");
  await volunteer.page.getByLabel("Name of the board").fill("Repairs");
  await volunteer.page.getByRole("button", { name: "Create board" }).click();
  await volunteer.page.getByRole("heading", { name: "Repairs" }).waitFor();
  for (const title of ["Gate hinge", "Leaky tap"]) await addTask(volunteer.page, "To do", title);
  const boardUrl = volunteer.page.url();

  // Drop "Leaky tap" onto the Doing column, then "Gate hinge" onto the "Leaky tap" card (before it).
  await volunteer.page.locator(".task-card", { hasText: "Leaky tap" }).dragTo(volunteer.page.getByRole("region", { name: "Doing" }));
  await eventually(async () => (await columnTitles(volunteer.page, "Doing")).join() === "Leaky tap", "the drop into Doing");
  await volunteer.page.locator(".task-card", { hasText: "Gate hinge" }).dragTo(volunteer.page.locator(".task-card", { hasText: "Leaky tap" }));
  await eventually(async () => (await columnTitles(volunteer.page, "Doing")).join() === "Gate hinge,Leaky tap", "the drop before Leaky tap");
  assert.deepEqual(await columnTitles(volunteer.page, "To do"), []);

  const neighbour = await newProfile(world.browser);
  await neighbour.page.goto(link);
  await chooseName(neighbour.page, "Neighbour Zhao");
  await neighbour.page.goto(boardUrl);
  await eventually(async () => (await columnTitles(neighbour.page, "Doing")).join() === "Gate hinge,Leaky tap", "the moves at the neighbour");
  await neighbour.page.getByRole("link", { name: "Leaky tap" }).click();
  await neighbour.page.getByRole("button", { name: "Claim" }).click();
  await neighbour.page.getByText("Claimed by Neighbour Zhao").waitFor();
  await neighbour.page.getByLabel("Add a comment").fill("Bringing a washer tomorrow");
  await neighbour.page.getByRole("button", { name: "Send" }).click();

  // Details: a due date and labels, and the volunteer assigned as well.
  const details = neighbour.page.getByRole("form", { name: "Details" });
  await details.getByLabel("Due").fill("2030-05-01T18:00");
  await details.getByLabel("Labels (separated by commas)").fill("plumbing, 急");
  await details.getByRole("button", { name: "Save" }).click();
  await details.getByText("Saved.").waitFor();
  await neighbour.page.getByLabel("Assign someone").selectOption({ label: "Volunteer Wu" });
  await neighbour.page.locator(".assignees li", { hasText: "Volunteer Wu" }).waitFor();
  assert.deepEqual((await neighbour.page.locator(".assignees li").allInnerTexts()).map(t => t.replace(/\s*×$/, "")).sort(), ["Neighbour Zhao", "Volunteer Wu"]);

  // The volunteer's board shows who claimed it, the labels and the due date; the task page shows the comment.
  const card = volunteer.page.locator(".task-card", { hasText: "Leaky tap" });
  await card.getByText("plumbing").waitFor();
  assert.match(await card.innerText(), /急/);
  assert.match(await card.innerText(), /due 1 May 2030/);
  await volunteer.page.locator(".task-card", { hasText: "Leaky tap" }).getByText("Claimed by Neighbour Zhao").waitFor();
  await volunteer.page.getByRole("link", { name: "Leaky tap" }).click();
  await volunteer.page.locator(".comments li", { hasText: "Bringing a washer tomorrow" }).waitFor();
  assert.match(await volunteer.page.locator(".comments li").first().innerText(), /Neighbour Zhao/);
  for (const p of [volunteer, neighbour]) {
    assert.deepEqual(p.page.errors, []);
    await p.context.close();
  }
});
