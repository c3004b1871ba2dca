// Resident requests (接訴即辦): a resident raises one, the responsible team sees it, claims and
// resolves it, and everyone sees how long it took.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newProfile } from "./support/browser.mjs";
import { chooseName, createSpace, openTab } from "./support/app.mjs";
import { browserAndRelay } from "./support/suite.mjs";

const world = browserAndRelay();

test("a request is raised, claimed by the responsible team, resolved, and its times are shown", async () => {
  const worker = await newProfile(world.browser);
  const link = await createSpace(worker.page, world.relay.httpUrl, "Wushan Community", { me: "Worker Huang" });
  // The community worker names the repairs team and joins it.
  await openTab(worker.page, "Settings");
  const teams = worker.page.getByRole("region", { name: "Categories and responsible teams" });
  await teams.getByLabel("Repairs", { exact: true }).fill("Repairs team");
  await teams.getByLabel("Repairs", { exact: true }).press("Tab");
  await worker.page.getByRole("checkbox", { name: "I am on the team for Repairs" }).check();

  const resident = await newProfile(world.browser);
  await resident.page.goto(link);
  await chooseName(resident.page, "Resident Guo");
  await openTab(resident.page, "Requests");
  const form = resident.page.getByRole("form", { name: "Raise a request" });
  await form.getByLabel("What needs doing?").fill("Stairwell light broken");
  await form.getByLabel("Details (where, since when)").fill("Building 5, since Monday");
  await form.getByLabel("Category").selectOption({ label: "Repairs" });
  await form.getByRole("button", { name: "Send request" }).click();
  const mine = resident.page.locator(".request-row", { hasText: "Stairwell light broken" });
  await mine.waitFor();
  assert.match(await mine.innerText(), /Team: Repairs team/);
  assert.match(await mine.innerText(), /answered in waiting/);

  // The team sees it among requests for their teams, with a count on the tab.
  await openTab(worker.page, "Requests");
  await worker.page.getByLabel("Only requests for my teams").check();
  const row = worker.page.locator(".request-row", { hasText: "Stairwell light broken" });
  await row.waitFor();
  assert.equal(await worker.page.locator(".tabs .count").innerText(), "1");
  await worker.page.getByRole("button", { name: "Claim “Stairwell light broken”" }).click();
  await row.getByText("Claimed by Worker Huang").waitFor();

  // The resident sees the answer time (no longer "waiting").
  await mine.getByText("Claimed by Worker Huang").waitFor();
  assert.doesNotMatch(await mine.locator(".response-time").innerText(), /waiting/);
  assert.match(await mine.locator(".response-time").innerText(), /answered in \d+ min/);

  await worker.page.getByRole("button", { name: "Mark “Stairwell light broken” resolved" }).click();
  const resolved = resident.page.getByRole("region", { name: "Resolved requests" }).locator(".request-row", { hasText: "Stairwell light broken" });
  await resolved.waitFor();
  assert.match(await resolved.locator(".resolution-time").innerText(), /resolved in \d+ min/);
  assert.equal(await resident.page.locator(".stat-open").innerText(), "0");
  assert.equal(await resident.page.getByRole("region", { name: "Open requests" }).locator(".request-row").count(), 0);
  for (const p of [worker, resident]) {
    assert.deepEqual(p.page.errors, []);
    await p.context.close();
  }
});
