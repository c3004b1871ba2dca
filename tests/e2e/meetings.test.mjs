// Meetings (居民會議, 聯席會議): an organiser schedules one with invited bodies and an agenda item
// about a consultation, records who came, the minutes and the decision, and an action item that
// becomes a task on a board; a volunteer finishes the task on a phone and the meeting page shows
// the action item as done; the meeting prints as a sheet, and the next meeting starts with what
// became of that action item.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PHONE, newProfile } from "./support/browser.mjs";
import { chooseName, createSpace, eventually, openTab, printedPages, seriousViolations, takePartLink, waitUntilSaved } from "./support/app.mjs";
import { browserAndRelay } from "./support/suite.mjs";

const world = browserAndRelay();

test("a meeting's action item done on a phone shows as done on the meeting page", async () => {
  const organiser = await newProfile(world.browser);
  const editLink = await createSpace(organiser.page, world.relay.httpUrl, "Meeting Lane", { me: "Organiser Lin" });
  await openTab(organiser.page, "Task boards");
  await organiser.page.getByLabel("Name of the board").fill("Works");
  await organiser.page.getByRole("button", { name: "Create board" }).click();
  await organiser.page.getByRole("heading", { name: "Works" }).first().waitFor();

  await openTab(organiser.page, "Meetings");
  const schedule = organiser.page.getByRole("form", { name: "Schedule a meeting" });
  await schedule.getByLabel("Title").fill("Joint meeting, December");
  await schedule.getByLabel("When").fill("2026-12-05T19:00");
  await schedule.getByLabel("Where").fill("Community hall");
  await schedule.getByLabel("Owners' committee").check();
  await schedule.getByLabel("Property company").check();
  await schedule.getByRole("button", { name: "Schedule a meeting" }).click();
  const sheet = organiser.page.getByRole("article", { name: "Joint meeting, December" });
  await sheet.waitFor();
  assert.match(await sheet.innerText(), /Community hall/);
  assert.match(await sheet.innerText(), /Owners' committee/);

  const agenda = organiser.page.getByRole("form", { name: "Add an agenda item" });
  await agenda.getByLabel("Title").fill("Broken lamps on the stairs");
  await agenda.getByRole("button", { name: "Add an agenda item" }).click();
  await sheet.locator(".agenda-item").filter({ hasText: "Broken lamps on the stairs" }).waitFor();
  const decisions = organiser.page.getByRole("region", { name: "Decisions, item by item" });
  await decisions.getByLabel("Broken lamps on the stairs").fill("The property company replaces them this week.");
  await decisions.getByRole("button", { name: "Save" }).click();
  await sheet.locator(".decision-text").filter({ hasText: "replaces them this week" }).waitFor();

  const attendance = organiser.page.getByRole("form", { name: "Who came" });
  await attendance.getByLabel("Organiser Lin").check();
  await attendance.getByLabel("Others present (not members of the space)").fill("6");
  await attendance.getByRole("button", { name: "Save" }).click();
  await sheet.getByRole("heading", { name: "Present (7)" }).waitFor();

  const minutes = organiser.page.getByRole("form", { name: "Write the minutes" });
  await minutes.getByLabel("Minutes (Markdown)").fill("Seven came. **Lamps**: property company.");
  await minutes.getByRole("button", { name: "Save" }).click();
  await sheet.getByText("Lamps", { exact: true }).waitFor();

  const action = organiser.page.getByRole("form", { name: "Add an action item" });
  await action.getByLabel("Title").fill("Replace the stair lamps");
  await action.getByLabel("Who does it").selectOption({ label: "Organiser Lin" });
  await action.getByLabel("Due").fill("2026-12-12");
  await action.getByLabel("Agenda item").selectOption({ label: "Broken lamps on the stairs" });
  await action.getByRole("button", { name: "Add an action item" }).click();
  const item = sheet.locator(".action-item").filter({ hasText: "Replace the stair lamps" });
  await item.waitFor();
  assert.equal(await item.getAttribute("data-state"), "open");
  await waitUntilSaved(organiser.page);
  assert.deepEqual(await seriousViolations(organiser.page), []);

  // A volunteer, on a phone with the organise link, moves the task to Done.
  const phone = await newProfile(world.browser, PHONE);
  await phone.page.goto(editLink);
  await phone.page.getByRole("heading", { level: 1, name: "Meeting Lane" }).waitFor();
  await openTab(phone.page, "Task boards");
  await phone.page.getByRole("link", { name: "Works" }).click();
  for (const column of ["Doing", "Done"]) {
    await phone.page.getByRole("button", { name: "Move “Replace the stair lamps” to the next column" }).click();
    await phone.page.getByRole("region", { name: column }).getByText("Replace the stair lamps").waitFor();
  }

  await eventually(async () => (await item.getAttribute("data-state")) === "done", "the meeting page shows the action item done");

  // Printed, the meeting is a sheet without its forms.
  await organiser.page.emulateMedia({ media: "print" });
  assert.equal(await action.isVisible(), false, "no forms on paper");
  assert.equal(await printedPages(organiser.page), 1, "the minutes fit one A4 sheet");
  await organiser.page.emulateMedia({ media: "screen" });

  // The next meeting starts with what became of last time.
  await openTab(organiser.page, "Meetings");
  const nextMeeting = organiser.page.getByRole("form", { name: "Schedule a meeting" });
  await nextMeeting.getByLabel("Title").fill("Joint meeting, January");
  await nextMeeting.getByLabel("When").fill("2027-01-09T19:00");
  await nextMeeting.getByRole("button", { name: "Schedule a meeting" }).click();
  const next = organiser.page.getByRole("article", { name: "Joint meeting, January" });
  const lastTime = next.getByRole("region", { name: "What became of last time" });
  const carried = lastTime.locator(".action-item").filter({ hasText: "Replace the stair lamps" });
  await carried.waitFor();
  assert.equal(await carried.getAttribute("data-state"), "done");
  assert.match(await lastTime.innerText(), /Joint meeting, December/);
  assert.match(await next.innerText(), /No minutes yet\./, "an empty minutes section says so");
  await organiser.page.setViewportSize({ width: 360, height: 740 });
  assert.deepEqual(await seriousViolations(organiser.page), [], "the meeting page at phone size");
  for (const p of [organiser, phone]) await p.context.close();
});

test("the resident a meeting's action item is assigned to finishes it with the take-part link", async () => {
  const organiser = await newProfile(world.browser);
  await createSpace(organiser.page, world.relay.httpUrl, "Bench Lane", { me: "Organiser Lin" });
  await openTab(organiser.page, "Task boards");
  await organiser.page.getByLabel("Name of the board").fill("Works");
  await organiser.page.getByRole("button", { name: "Create board" }).click();
  await organiser.page.getByRole("heading", { name: "Works" }).first().waitFor();
  const link = await takePartLink(organiser.page);

  // A resident opens the take-part link and joins.
  const phone = await newProfile(world.browser, PHONE);
  await phone.page.goto(link);
  await chooseName(phone.page, "Auntie Zhao");
  await waitUntilSaved(phone.page);

  // At the meeting, the action item goes to her.
  await openTab(organiser.page, "Meetings");
  const schedule = organiser.page.getByRole("form", { name: "Schedule a meeting" });
  await schedule.getByLabel("Title").fill("Residents' meeting");
  await schedule.getByLabel("When").fill("2026-12-05T19:00");
  await schedule.getByRole("button", { name: "Schedule a meeting" }).click();
  const sheet = organiser.page.getByRole("article", { name: "Residents' meeting" });
  await sheet.waitFor();
  const action = organiser.page.getByRole("form", { name: "Add an action item" });
  await action.getByLabel("Title").fill("Repaint the bench");
  await eventually(async () => (await action.getByLabel("Who does it").locator("option", { hasText: "Auntie Zhao" }).count()) === 1, "she is a member");
  await action.getByLabel("Who does it").selectOption({ label: "Auntie Zhao" });
  await action.getByRole("button", { name: "Add an action item" }).click();
  const item = sheet.locator(".action-item").filter({ hasText: "Repaint the bench" });
  await item.waitFor();
  assert.equal(await item.getAttribute("data-state"), "open");

  // Her overview lists it under "My tasks"; its page lets her move it along and mark it done.
  await phone.page.goto(link);
  const mine = phone.page.getByRole("region", { name: "My tasks" });
  await mine.getByRole("link", { name: "Repaint the bench" }).click();
  const task = phone.page.getByRole("article", { name: "Repaint the bench" });
  await task.waitFor();
  assert.doesNotMatch(await task.innerText(), /Nobody has claimed this yet/, "assigned is not unclaimed");
  const own = task.getByRole("group", { name: "Your task" });
  await own.getByRole("button", { name: "Claim" }).click();
  await task.getByText("Claimed by Auntie Zhao").waitFor();
  await own.getByRole("button", { name: "Mark as done" }).click();
  await own.getByRole("button", { name: "Mark as done" }).waitFor({ state: "detached" });
  await waitUntilSaved(phone.page);

  // Every peer took it: the meeting page shows the action item done.
  await eventually(async () => (await item.getAttribute("data-state")) === "done", "the meeting page shows it done");
  assert.equal(await phone.page.locator(".refusal-note").count(), 0, "no peer refused it");
  for (const p of [organiser, phone]) await p.context.close();
});
