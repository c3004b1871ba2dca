// Consultations (民主協商): residents vote from their phones with the take-part link, one of them
// offline until after the close; every profile and the kiosk then show the same result, which
// counts only the votes the document held when the organiser's device closed it; the decision
// becomes a task on a board and the consultation shows what became of it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PHONE, newProfile } from "./support/browser.mjs";
import { NO_RELAY, createSpace, eventually, openTab, printedPages, seriousViolations, waitUntilSaved } from "./support/app.mjs";
import { browserAndRelay } from "./support/suite.mjs";

const world = browserAndRelay();
const QUESTION = "Paint the courtyard gate green?";

/** The result as a page shows it: voters, the count per option, and the decision. */
async function resultOn(page) {
  const results = page.locator("section.results").first();
  await results.waitFor();
  const counts = {};
  for (const row of await results.locator(".result-row").all()) {
    counts[await row.locator(".result-name").innerText()] = Number(await row.getAttribute("data-count"));
  }
  return {
    final: await results.getAttribute("data-final"),
    voters: Number(await results.locator(".turnout").getAttribute("data-voters")),
    counts,
    decision: await results.locator(".decision").getAttribute("data-decision"),
  };
}

/** Votes on the open consultation page, giving a name first if this phone has none. */
async function vote(page, choice, name) {
  const form = page.locator("form.vote-form");
  await form.getByLabel(choice, { exact: true }).check();
  if (name) await form.getByLabel("Your name (shown with your vote)").fill(name);
  assert.match(await form.locator(".public-vote-note").innerText(), /Votes are public/, "said before one votes");
  await form.getByRole("button", { name: "Vote" }).click();
  await form.getByText("You have voted.").waitFor();
}

test("three residents vote, one offline until after the close; every profile and the kiosk show the same result; the decision becomes a task", async () => {
  const organiser = await newProfile(world.browser);
  await createSpace(organiser.page, world.relay.httpUrl, "Gate Street", { me: "Organiser Lin" });
  await openTab(organiser.page, "Boards");
  await organiser.page.getByLabel("Name of the board").fill("Works");
  await organiser.page.getByRole("button", { name: "Create board" }).click();
  await organiser.page.getByRole("heading", { name: "Works" }).first().waitFor();

  await openTab(organiser.page, "Consultations");
  const form = organiser.page.getByRole("form", { name: "Open a consultation" });
  await form.getByLabel("Question").fill(QUESTION);
  await form.getByLabel("Background (Markdown)").fill("The paint is **peeling**; green matches the trees.");
  await form.getByRole("button", { name: "Open a consultation" }).click();
  const sheet = organiser.page.getByRole("article", { name: QUESTION });
  await sheet.waitFor();
  assert.match(await sheet.locator(".consultation-status").innerText(), /Open for voting · closes in 6 d 23 h|closes in 7 d/);
  assert.match(await sheet.innerText(), /No decision: nobody has voted/, "no quorum was set: nobody voting is what leaves it undecided");
  const posterLink = await sheet.locator(".print-qr").getByRole("img", { name: "QR code that opens this on a phone" }).getAttribute("data-link");
  assert.match(posterLink, /\/consultations\/[0-9a-f]{32}#part=/, "the poster carries the take-part link");
  await waitUntilSaved(organiser.page);

  // Two residents vote from their phones.
  const residents = [];
  for (const [name, choice] of [["Resident Wu", "Yes"], ["Resident Ma", "Yes"]]) {
    const phone = await newProfile(world.browser, PHONE);
    await phone.page.goto(posterLink);
    await phone.page.getByRole("article", { name: QUESTION }).waitFor();
    await vote(phone.page, choice, name);
    await waitUntilSaved(phone.page);
    residents.push(phone);
  }

  // A third has the space on their phone, then loses the network and votes No.
  const late = await newProfile(world.browser, PHONE);
  await late.page.goto(posterLink);
  await late.page.getByRole("article", { name: QUESTION }).waitFor();
  // Voting is offered once this phone's engine holds the space (and the take-part key).
  await late.page.locator("form.vote-form").waitFor();
  await waitUntilSaved(late.page);
  const consultationUrl = late.page.url();
  await late.page.evaluate(relay => localStorage.setItem("linli.relays", relay), NO_RELAY);
  await late.page.reload();
  await late.page.getByRole("article", { name: QUESTION }).waitFor();
  await vote(late.page, "No", "Resident Late");
  await waitUntilSaved(late.page);

  // The organiser sees two votes, closes, and the result is final.
  await eventually(async () => (await resultOn(organiser.page)).voters === 2, "the organiser sees both votes");
  await sheet.getByRole("button", { name: "Close voting now and count" }).click();
  await eventually(async () => (await resultOn(organiser.page)).final === "true", "the result is final");

  // The late phone comes back online: its vote reaches everyone and counts nowhere.
  await late.page.evaluate(relay => localStorage.setItem("linli.relays", relay), world.relay.wsUrl);
  await late.page.goto(consultationUrl);
  await late.page.getByRole("article", { name: QUESTION }).waitFor();
  await eventually(async () => (await resultOn(late.page)).final === "true", "the late phone learns of the close");
  await eventually(async () => (await organiser.page.locator(".voters li").count()) === 3, "the late vote is in the document");

  const expected = { final: "true", voters: 2, counts: { Yes: 2, No: 0, Abstain: 0 }, decision: "adopted" };
  for (const page of [organiser.page, late.page, ...residents.map(r => r.page)]) {
    await eventually(async () => JSON.stringify(await resultOn(page)) === JSON.stringify(expected), `the same result on ${page.url()}`);
  }
  assert.equal(await late.page.locator("form.vote-form").count(), 0, "no voting after the close");

  // The kiosk shows the decision with the same counts.
  const spaceId = new URL(posterLink).pathname.split("/")[2];
  const kiosk = await newProfile(world.browser);
  await kiosk.page.goto(`${world.relay.httpUrl}/k/${spaceId}`);
  await kiosk.page.locator('.kiosk-slide[data-slide="consultation"]').waitFor();
  assert.deepEqual(await resultOn(kiosk.page), expected);

  // The decision becomes a task on the board, and the consultation shows what became of it.
  const followUp = organiser.page.getByRole("form", { name: "Act on the decision" });
  await followUp.getByLabel("Title").fill("Buy green paint");
  await followUp.getByRole("button", { name: "Create" }).click();
  const link = sheet.locator(".follow-ups").getByRole("link", { name: "Buy green paint" });
  await link.waitFor();
  await openTab(residents[0].page, "Boards");
  await residents[0].page.getByRole("link", { name: "Works" }).click();
  await residents[0].page.locator(".task-card").filter({ hasText: "Buy green paint" }).waitFor();

  // Printed, the consultation is one A4 poster with its QR code and none of the forms.
  await organiser.page.emulateMedia({ media: "print" });
  assert.equal(await sheet.locator(".print-qr svg").isVisible(), true);
  assert.equal(await followUp.isVisible(), false, "no forms on paper");
  assert.equal(await printedPages(organiser.page), 1, "one A4 poster");
  await organiser.page.emulateMedia({ media: "screen" });

  // The space's kiosk settings can leave consultations off the kiosk: one slide fewer.
  const slideCount = async () => Number((await kiosk.page.locator(".kiosk-position").innerText()).split("/")[1]);
  const withConsultation = await slideCount();
  await openTab(organiser.page, "Settings");
  const kioskForm = organiser.page.getByRole("form", { name: "Notice-board kiosk" });
  await kioskForm.getByLabel("Show open consultations and last week's decisions").uncheck();
  await kioskForm.getByRole("button", { name: "Save" }).click();
  await kioskForm.getByText("Saved.").waitFor();
  await eventually(async () => (await slideCount()) === withConsultation - 1, "the kiosk drops the consultation's slide");

  // The screens pass axe-core at phone size.
  await residents[0].page.goto(consultationUrl.replace(/#.*$/, ""));
  await residents[0].page.getByRole("article", { name: QUESTION }).waitFor();
  assert.deepEqual(await seriousViolations(residents[0].page), []);
  await openTab(residents[0].page, "Consultations");
  await residents[0].page.getByRole("link", { name: QUESTION }).waitFor();
  assert.deepEqual(await seriousViolations(residents[0].page), []);
  for (const p of [organiser, late, kiosk, ...residents]) await p.context.close();
});

test("an organiser's device closes a consultation when its closing time has passed", async () => {
  const organiser = await newProfile(world.browser);
  // The page's clock runs as usual until the test moves it on (the form takes minutes).
  await organiser.context.clock.install();
  await createSpace(organiser.page, world.relay.httpUrl, "Clock Lane", { me: "Organiser Lin" });
  await openTab(organiser.page, "Consultations");
  const form = organiser.page.getByRole("form", { name: "Open a consultation" });
  await form.getByLabel("Question").fill("Move the bins?");
  const soon = new Date(Date.now() + 2 * 60_000);
  const local = new Date(soon.getTime() - soon.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  await form.getByLabel("Voting closes").fill(local);
  await form.getByRole("button", { name: "Open a consultation" }).click();
  const sheet = organiser.page.getByRole("article", { name: "Move the bins?" });
  await sheet.waitFor();
  assert.equal(await sheet.locator("section.results").getAttribute("data-final"), "false");
  await organiser.page.clock.fastForward("03:00");
  await eventually(async () => (await sheet.locator("section.results").getAttribute("data-final")) === "true", "closed by the organiser's device", 30_000);
  assert.match(await sheet.locator(".consultation-status").innerText(), /Closed/);
  await organiser.context.close();
});

test("the organiser's device, offline at the deadline and opened only after it, counts the vote the relay had in time and not the one that came late", async () => {
  // The relay's clock decides what was in time, so this runs in real time: the deadline is the
  // next whole minute at least 40 s away (the form takes minutes).
  const organiser = await newProfile(world.browser);
  await createSpace(organiser.page, world.relay.httpUrl, "Deadline Lane", { me: "Organiser Lin" });
  await openTab(organiser.page, "Consultations");
  const form = organiser.page.getByRole("form", { name: "Open a consultation" });
  await form.getByLabel("Question").fill("Fix the bike shed roof?");
  const deadline = new Date(Math.ceil((Date.now() + 40_000) / 60_000) * 60_000);
  const local = new Date(deadline.getTime() - deadline.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  await form.getByLabel("Voting closes").fill(local);
  await form.getByRole("button", { name: "Open a consultation" }).click();
  const sheet = organiser.page.getByRole("article", { name: "Fix the bike shed roof?" });
  await sheet.waitFor();
  const posterLink = await sheet.locator(".print-qr").getByRole("img", { name: "QR code that opens this on a phone" }).getAttribute("data-link");
  await waitUntilSaved(organiser.page);
  // The organiser closes the app: their device is away at the deadline.
  await organiser.page.close();

  // One resident votes online in time, and sees that it went.
  const onTime = await newProfile(world.browser, PHONE);
  await onTime.page.goto(posterLink);
  await onTime.page.getByRole("article", { name: "Fix the bike shed roof?" }).waitFor();
  await vote(onTime.page, "Yes", "Resident Wu");
  await onTime.page.locator('.my-vote[data-state="sent"]').waitFor();
  // Another votes in time on a phone with no network: it is saved there, not sent.
  const late = await newProfile(world.browser, PHONE);
  await late.page.goto(posterLink);
  await late.page.locator("form.vote-form").waitFor();
  await waitUntilSaved(late.page);
  const consultationUrl = late.page.url();
  await late.page.evaluate(relay => localStorage.setItem("linli.relays", relay), NO_RELAY);
  await late.page.reload();
  await vote(late.page, "No", "Resident Late");
  await waitUntilSaved(late.page);
  await late.page.locator('.my-vote[data-state="unsent"]').waitFor();
  assert.ok(Date.now() < deadline.getTime(), "both votes were made before the deadline");

  // At the deadline the open page drops the form by itself and says voting has ended.
  await onTime.page.locator("form.vote-form").waitFor({ state: "detached", timeout: deadline.getTime() - Date.now() + 10_000 });
  assert.ok(Date.now() >= deadline.getTime() - 1_000, "not before the deadline");
  assert.match(await onTime.page.locator(".consultation-status").innerText(), /Voting ended/);

  // The late phone comes back online after the deadline: its vote reaches the relay too late.
  await late.page.evaluate(relay => localStorage.setItem("linli.relays", relay), world.relay.wsUrl);
  await late.page.goto(consultationUrl);
  await late.page.locator('.my-vote[data-state="sent"]').waitFor();
  await waitUntilSaved(late.page);
  await eventually(async () => (await onTime.page.locator(".voters li").count()) === 2, "the late vote reached the relay");

  // The organiser opens the app the morning after: their copy has no vote at all, and it closes
  // with what the relay held at the deadline.
  const page = await organiser.context.newPage();
  await page.goto(consultationUrl.replace(/#.*$/, ""));
  const expected = { final: "true", voters: 1, counts: { Yes: 1, No: 0, Abstain: 0 }, decision: "adopted" };
  for (const p of [page, onTime.page, late.page]) {
    await eventually(async () => JSON.stringify(await resultOn(p)) === JSON.stringify(expected), `the vote in time counted on ${p.url()}`, 30_000);
  }
  // The late vote is shown as late, on every profile, and its voter is told.
  for (const p of [page, onTime.page, late.page]) {
    await eventually(async () => (await p.locator('.voters li[data-late="true"]').count()) === 1, "the late vote marked");
    assert.match(await p.locator('.voters li[data-late="true"]').innerText(), /Resident Late/);
  }
  await late.page.locator('.my-vote[data-state="late"]').waitFor();
  await onTime.page.locator('.my-vote[data-state="counted"]').waitFor();
  for (const p of [organiser, onTime, late]) await p.context.close();
});
