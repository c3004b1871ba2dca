// A lived-in space, made through the app by its organiser: an urgent notice, a signed pledge, a
// request claimed and resolved (a task on the requests board), a consultation and a meeting.
import { createSpace, openTab, postNotice } from "./app.mjs";

/** Makes the space from `page` (a fresh profile); returns its edit link and each item's path. */
export async function livedInSpace(page, baseUrl) {
  const items = {};
  const spaceUrl = await createSpace(page, baseUrl, "Sanfang Qixiang", { me: "Mei" });
  await postNotice(page, "Water off on Tuesday", "**Building 3**, 9:00–12:00.", { category: "Repairs", urgent: true });
  items.notice = new URL(page.url()).pathname;
  await openTab(page, "Pledges");
  const pledge = page.getByRole("form", { name: "Start a pledge" });
  await pledge.getByLabel("Title").fill("Keep the lane tidy");
  await pledge.getByLabel("Text of the pledge").fill("We sort our rubbish and keep the lane clear.");
  await pledge.getByLabel("Goal (signatures)").fill("10");
  await pledge.getByRole("button", { name: "Create pledge" }).click();
  await page.getByRole("button", { name: "Sign as Mei" }).click();
  await page.getByText("You signed this pledge.").waitFor();
  items.pledge = new URL(page.url()).pathname;
  await openTab(page, "Requests");
  const request = page.getByRole("form", { name: "Raise a request" });
  await request.getByLabel("What needs doing?").fill("Broken lamp by the well");
  // A lamp by the well is everyone's business: a public request.
  await request.getByLabel("All neighbours").check();
  await request.getByRole("button", { name: "Send request" }).click();
  await page.getByRole("button", { name: "Claim “Broken lamp by the well”" }).click();
  await page.getByRole("button", { name: "Mark “Broken lamp by the well” resolved" }).click();
  await page.getByRole("region", { name: "Resolved requests" }).getByText("Broken lamp by the well").waitFor();
  await openTab(page, "Task boards");
  items.board = await page.getByRole("link", { name: /Resident requests/ }).getAttribute("href");
  await page.goto(new URL(items.board, baseUrl).href);
  await page.getByRole("link", { name: "Broken lamp by the well" }).click();
  await page.getByRole("heading", { name: "Broken lamp by the well" }).waitFor();
  items.task = new URL(page.url()).pathname;
  await openTab(page, "Consultations");
  const consultation = page.getByRole("form", { name: "Open a consultation" });
  await consultation.getByLabel("Question").fill("Paint the gate green?");
  await consultation.getByRole("button", { name: "Open a consultation" }).click();
  await page.getByRole("article", { name: "Paint the gate green?" }).waitFor();
  items.consultation = new URL(page.url()).pathname;
  await openTab(page, "Meetings");
  const meeting = page.getByRole("form", { name: "Schedule a meeting" });
  await meeting.getByLabel("Title").fill("Residents' meeting");
  await meeting.getByLabel("When").fill("2026-12-05T19:00");
  await meeting.getByRole("button", { name: "Schedule a meeting" }).click();
  await page.getByRole("article", { name: "Residents' meeting" }).waitFor();
  items.meeting = new URL(page.url()).pathname;
  return { spaceUrl, items };
}
