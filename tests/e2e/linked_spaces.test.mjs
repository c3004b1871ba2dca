// Linked spaces (吹哨报到) across two relays: a street office on its relay invites two
// communities on another relay; a resident of community A raises a request on a phone; A's
// organiser escalates it to the street's repairs department; the department claims it, reports
// progress and resolves it, and the resident's phone shows each step. Community B's data never
// appears in A, residents' names never reach the street, and the street's relay never holds a
// community's space.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, newProfile, PHONE } from "./support/browser.mjs";
import { chooseName, createSpace, eventually, openTab, takePartLink } from "./support/app.mjs";
import { startRelay } from "./support/relay.mjs";

const world = {};
const spaceId = link => new URL(link).pathname.split("/")[2];
before(async () => {
  world.browser = await launchBrowser();
  world.street = await startRelay();
  world.communities = await startRelay();
});
after(async () => {
  await world.browser?.close();
  await world.street?.stop();
  await world.communities?.stop();
});

/** The street's organiser makes an invitation (labelled `label`) and returns its text. */
async function invite(page, label = "A community") {
  await openTab(page, "Linked spaces");
  const form = page.locator("form.invite-form");
  const text = form.locator("textarea.invitation-text");
  const before = (await text.count()) ? await text.inputValue() : "";
  await form.getByLabel("Which community is it for? (shown until it accepts)").fill(label);
  await form.getByLabel("Departments claim an escalation within (hours)").fill("24");
  await form.getByRole("button", { name: "Make an invitation" }).click();
  await eventually(async () => (await text.count()) > 0 && (await text.inputValue()) !== before, "a new invitation");
  return text.inputValue();
}

/** A community's organiser accepts an invitation and waits until the link is active. */
async function accept(page, invitation, upperName) {
  await openTab(page, "Linked spaces");
  const form = page.locator("form.accept-form");
  await form.getByLabel("Invitation").fill(invitation);
  await form.getByRole("button", { name: "Accept and link" }).click();
  await page.locator(`.above-link[data-space="${upperName}"] .link-state`, { hasText: "Linked" }).waitFor({ timeout: 30_000 });
}

async function raiseRequest(page, title, category) {
  await openTab(page, "Requests");
  const form = page.getByRole("form", { name: "Raise a request" });
  await form.getByLabel("What needs doing?").fill(title);
  await form.getByLabel("Category").selectOption({ label: category });
  // Shared with the street, words and all: a public request.
  await form.getByLabel("All neighbours").check();
  await form.getByRole("button", { name: "Send request" }).click();
  await page.locator(".request-row", { hasText: title }).waitFor();
}

test("a community escalates a resident's request to its street, on another relay; the street's department answers and the resident sees each step", async () => {
  const street = await newProfile(world.browser);
  const streetLink = await createSpace(street.page, world.street.httpUrl, "Gulou Street", { me: "Officer Lin" });
  // The street's repairs department: its team, with the officer on it.
  await openTab(street.page, "Settings");
  const teams = street.page.getByRole("region", { name: "Categories and responsible teams" });
  await teams.getByLabel("Repairs", { exact: true }).fill("Street repairs office");
  await teams.getByLabel("Repairs", { exact: true }).press("Tab");
  await street.page.getByRole("checkbox", { name: "I am on the team for Repairs" }).check();

  const a = await newProfile(world.browser);
  const aLink = await createSpace(a.page, world.communities.httpUrl, "Sanfang Community", { me: "Worker Huang" });
  await accept(a.page, await invite(street.page), "Gulou Street");
  const b = await newProfile(world.browser);
  await createSpace(b.page, world.communities.httpUrl, "Qixiang Community", { me: "Worker Chen" });
  await accept(b.page, await invite(street.page), "Gulou Street");
  await raiseRequest(b.page, "Qixiang private matter", "Repairs");

  // A resident of A, on a phone, from A's take-part link.
  const resident = await newProfile(world.browser, PHONE);
  await resident.page.goto(await takePartLink(a.page));
  await chooseName(resident.page, "Resident Guo");
  await raiseRequest(resident.page, "Subsidence by the school gate", "Repairs");

  // A's organiser escalates it from the request's page to the street's repairs department.
  await openTab(a.page, "Requests");
  await a.page.locator(".request-row", { hasText: "Subsidence by the school gate" }).getByRole("link").click();
  const escalate = a.page.locator("details.escalate");
  await escalate.locator("summary", { hasText: "Escalate to Gulou Street" }).click();
  await escalate.locator(".escalate-department").selectOption({ label: "Repairs · Street repairs office" });
  await escalate.locator(".escalate-note").fill("Needs the roads contractor; the school asked twice.");
  await escalate.locator(".escalate-button").click();
  await a.page.locator(".escalation-status", { hasText: "Escalated to Gulou Street · Repairs" }).waitFor();

  // The resident's phone shows where the request went.
  await resident.page.locator(".request-row", { hasText: "Subsidence by the school gate" }).getByRole("link").click();
  const status = resident.page.locator(".escalation-status");
  await status.getByText(/Escalated to Gulou Street · Repairs · waiting/).waitFor({ timeout: 20_000 });

  // The street sees both communities in its overview, and the escalation, with the community's name.
  await openTab(street.page, "Linked spaces");
  await street.page.locator('.linked-overview tr[data-space="Sanfang Community"]').waitFor({ timeout: 20_000 });
  await street.page.locator('.linked-overview tr[data-space="Qixiang Community"]').waitFor({ timeout: 20_000 });
  const item = street.page.locator(".escalation", { hasText: "Subsidence by the school gate" });
  await item.waitFor({ timeout: 20_000 });
  assert.match(await item.innerText(), /from Sanfang Community/);
  assert.match(await item.innerText(), /Needs the roads contractor/);
  // The escalation leads back to its request among what Sanfang shares.
  await item.locator(".escalation-source").click();
  const sharedA = street.page.locator(".shared-view", { hasText: "What Sanfang Community shares" });
  await eventually(async () => await sharedA.evaluate((d) => d.open), "Sanfang's shared view opened", 5_000);
  await sharedA.locator(".shared-requests li", { hasText: "Subsidence by the school gate" }).waitFor({ state: "visible", timeout: 20_000 });
  await sharedA.locator("summary").click();
  await eventually(async () => (await street.page.locator('.linked-overview tr[data-space="Sanfang Community"] .open').innerText()) === "1", "A's open request in the overview", 20_000);

  // The street office's lobby screen (a view link) shows the escalation waiting.
  const kiosk = await newProfile(world.browser);
  await kiosk.page.goto(`${world.street.httpUrl}/k/${spaceId(streetLink)}`);
  await kiosk.page.locator('[data-slide="escalations"]', { hasText: "Subsidence by the school gate" }).waitFor({ timeout: 20_000 });
  assert.match(await kiosk.page.locator('[data-slide="escalations"]').innerText(), /Sanfang Community/);
  await kiosk.context.close();

  // Sorting by open requests puts the busiest first; again, the other way round.
  await street.page.locator('button.sort[data-column="Open"]').click();
  await street.page.locator('button.sort[data-column="Open"]').click();
  assert.equal(await street.page.locator('.linked-overview th[aria-sort="ascending"]').count(), 1);

  // The department claims, reports progress and resolves; the resident's phone follows.
  assert.match(await resident.page.locator(".claim-line").innerText(), /Nobody has claimed this yet/);
  await item.locator(".claim-escalation").click();
  await status.getByText(/Repairs of Gulou Street took it on after/).waitFor({ timeout: 20_000 });
  // Taken on above, the request no longer reads as unclaimed in A: the escalation says by whom.
  await eventually(async () => !/Nobody has claimed this yet/.test(await resident.page.locator(".claim-line").innerText()), "no 'unclaimed' once the street took it on", 20_000);
  const claimed = street.page.locator(".escalation", { hasText: "Subsidence by the school gate" });
  await claimed.locator(".progress-text").fill("Survey team on site Tuesday");
  await claimed.locator(".report-progress").click();
  await status.getByText("Survey team on site Tuesday").waitFor({ timeout: 20_000 });
  await street.page.locator(".escalation", { hasText: "Subsidence by the school gate" }).locator(".resolve-escalation").click();
  await status.getByText(/Repairs of Gulou Street resolved it after/).waitFor({ timeout: 20_000 });
  await a.page.locator(".escalation-status", { hasText: "resolved it after" }).waitFor({ timeout: 20_000 });
  // Resolved above, the request is resolved in A too (by A's organiser's device): the resident's
  // times and A's open count agree with the street's.
  await eventually(async () => !/not yet/.test(await resident.page.locator(".resolution-time").innerText()), "the request resolved in A", 20_000);
  await eventually(async () => (await street.page.locator('.linked-overview tr[data-space="Sanfang Community"] .open').innerText()) === "0", "A's open count back to 0 upstream", 20_000);

  // Response times compared across the communities (each chart with its table); turnout has no
  // data yet and says so.
  await eventually(async () => (await street.page.locator(".comparison figure.chart > svg").count()) === 2, "two comparison charts", 20_000);
  assert.equal(await street.page.locator(".comparison .no-data").count(), 1);
  // And week by week for each community: a line for Sanfang, which answered, on one row each.
  assert.equal(await street.page.locator(".comparison .sparklines > table > tbody > tr").count(), 2);
  const sanfangWeeks = street.page.locator('.comparison .sparklines > table > tbody > tr[data-space="Sanfang Community"]');
  assert.notEqual(await sanfangWeeks.locator("polyline").getAttribute("points"), "");
  assert.match(await sanfangWeeks.locator("caption").textContent(), /Sanfang Community: Median hours to respond/);

  // B's data never appears in A; names never reach the street.
  for (const page of [a.page, resident.page]) {
    assert.doesNotMatch(await page.content(), /Qixiang/);
  }
  await street.page.locator(".shared-view", { hasText: "What Sanfang Community shares" }).locator("summary").click();
  const upstream = await street.page.content();
  assert.match(upstream, /Subsidence by the school gate/);
  assert.doesNotMatch(upstream, /Resident Guo|Worker Huang|Worker Chen/);

  // The street's relay holds the links, never a community's space; the communities' relay
  // never holds the street's.
  assert.equal((await fetch(`${world.street.httpUrl}/view/${spaceId(aLink)}`)).status, 204);
  assert.equal((await fetch(`${world.communities.httpUrl}/view/${spaceId(streetLink)}`)).status, 204);
  assert.equal((await fetch(`${world.communities.httpUrl}/view/${spaceId(aLink)}`)).status, 200);

  for (const p of [street, a, b, resident]) {
    assert.deepEqual(p.page.errors, []);
    await p.context.close();
  }
});

/** An invitation's text with its check (FNV-1a over the rest, as the app writes it). */
function withCheck(body) {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(body)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return `${body}#${hash.toString(16).padStart(8, "0")}`;
}

test("an invitation is labelled, copied and accepted; cut short it is refused at once in Chinese; one naming a wrong relay never marks the space offline", async () => {
  const street = await newProfile(world.browser);
  await street.context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await createSpace(street.page, world.street.httpUrl, "Drum Tower Street", { me: "Officer Wu" });
  const text = await invite(street.page, "Sanfang community");
  const form = street.page.locator("form.invite-form");
  await form.getByRole("button", { name: "Copy the invitation" }).click();
  await form.getByText("Copied.").waitFor();
  const copied = await street.page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, text, "the copy is the whole invitation");
  const qr = form.getByRole("img", { name: "QR code of the invitation: scan it on the other organiser's phone" });
  assert.equal(await qr.getAttribute("data-link"), text, "its QR code carries it too");
  await street.page.locator(".invited-row .invited-label", { hasText: "Sanfang community" }).waitFor();

  const community = await newProfile(world.browser);
  await createSpace(community.page, world.communities.httpUrl, "Sanfang", { me: "Organiser Chen" });
  await openTab(community.page, "Linked spaces");
  const acceptForm = community.page.locator("form.accept-form");
  // An invitation whose relay is wrong (a mistyped port, check and all): the community's own
  // relay is fine, and its badge says so.
  const [body] = text.split("#");
  const wrongRelay = withCheck(body.replace(/:ws:\/\/[^/]+\/$/, ":ws://127.0.0.1:9/"));
  await acceptForm.getByLabel("Invitation").fill(wrongRelay);
  await acceptForm.getByRole("button", { name: "Accept and link" }).click();
  await acceptForm.getByRole("status").waitFor();
  await new Promise(resolve => setTimeout(resolve, 3000));
  assert.equal(await community.page.locator(".sync-badge .relay").getAttribute("data-relay"), "online");
  await community.page.reload();
  // The space opened again and its relay reached: until then the screen may be drawn anew from
  // the engine's copy, taking a half-typed invitation with it.
  await community.page.locator('.sync-badge .relay[data-relay="online"]').waitFor();

  // Cut short by three characters, in Simplified Chinese: refused at once, in Chinese.
  await community.page.getByRole("button", { name: "简体" }).click();
  await acceptForm.locator("#invitation").fill(text.slice(0, -3));
  assert.equal(await acceptForm.locator("#invitation").inputValue(), text.slice(0, -3));
  await acceptForm.locator('button[type="submit"]').click();
  const error = acceptForm.locator(".error");
  await error.waitFor({ timeout: 2000 });
  assert.match(await error.innerText(), /这份邀请不完整/);

  // The whole copy is accepted.
  await community.page.getByRole("button", { name: "English" }).click();
  await accept(community.page, copied, "Drum Tower Street");
  for (const p of [street, community]) await p.context.close();
});
