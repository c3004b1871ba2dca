// What a resident does in the app, as steps the tests share.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** Gives this profile a display name if the app asks for one (first visit). */
export async function chooseName(page, name) {
  const prompt = page.getByRole("form", { name: "What should neighbours call you?" });
  await prompt.getByLabel("Your name").fill(name);
  await prompt.getByRole("button", { name: "Save name" }).click();
  await prompt.waitFor({ state: "detached" });
}

/** Creates a space from the home screen (choosing a display name first) and returns its link. */
export async function createSpace(page, baseUrl, name, { me = "Mei" } = {}) {
  await page.goto(baseUrl);
  await chooseName(page, me);
  await page.getByLabel("Name of the space").fill(name);
  await page.getByRole("button", { name: "Create space" }).click();
  await page.waitForURL(/\/s\/[1-9A-HJ-NP-Za-km-z]+(\?.*)?$/);
  await page.getByRole("heading", { level: 1, name }).waitFor();
  return editLinkOf(page, name);
}

/**
 * The edit link of the open space as Settings shows it ("Invite to edit"), keeping the page's
 * `?relay=…`; the page comes back to where it was. Other profiles given this link may write.
 */
export async function editLinkOf(page, name) {
  const here = page.url();
  await openTab(page, "Settings");
  const editLink = await page.locator("code.edit-link").innerText();
  await page.goBack();
  await page.getByRole("heading", { level: 1, name }).waitFor();
  return here.replace(/#.*$/, "") + new URL(editLink).hash;
}

/** The take-part link of the open space, as Settings shows it; the page comes back. */
export async function takePartLink(page) {
  const here = page.url();
  await openTab(page, "Settings");
  const link = await page.locator("code.take-part-link").innerText();
  await page.goto(here);
  return link;
}

/** A path inside a space given by a link that may carry a key: `inSpace(link, "/notices")`. */
export function inSpace(link, path) {
  const url = new URL(link);
  url.pathname += path;
  return url.href;
}

/** Opens a tab of the open space ("Notices", "Pledges", …). */
export async function openTab(page, name) {
  await page.getByRole("navigation", { name: "Sections of this space" }).getByRole("link", { name, exact: false }).first().click();
}

/** Posts a notice in the open space and waits until its page is shown. */
export async function postNotice(page, title, body, { category, urgent = false, pinned = false } = {}) {
  await openTab(page, "Notices");
  await page.getByRole("link", { name: "Post a notice" }).click();
  const form = page.getByRole("form", { name: "Post a notice" });
  await form.getByLabel("Title", { exact: true }).first().fill(title);
  await form.getByLabel("Text", { exact: true }).first().fill(body);
  if (category) await form.getByLabel("Category").selectOption({ label: category });
  if (urgent) await form.getByLabel("Urgent").check();
  if (pinned) await form.getByLabel("Pinned").check();
  await form.getByRole("button", { name: "Post notice" }).click();
  await noticeCard(page, title).waitFor();
}

/** The shown notice (its page) with this title. */
export function noticeCard(page, title) {
  return page.getByRole("article", { name: title });
}

/** Opens the notice with this title from the Notices tab, waiting for it to arrive. */
export async function openNotice(page, title) {
  await openTab(page, "Notices");
  await page.getByRole("link", { name: title }).click();
  await noticeCard(page, title).waitFor();
}

/** Waits until this device has written everything to IndexedDB. */
export async function waitUntilSaved(page) {
  await page.locator('.sync-badge .saved[data-saved="true"]').waitFor();
}

/** Serious or critical accessibility violations axe-core finds on the page as it is now. */
export async function seriousViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) {
    // Evaluated through DevTools, as the page's Content-Security-Policy allows no added script.
    const { readFileSync } = await import("node:fs");
    await page.evaluate(readFileSync(require.resolve("axe-core/axe.min.js"), "utf8"));
  }
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return results.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map(n => n.target.join(" ")).slice(0, 3).join(", ")}`);
}

/** Saves a screenshot of the page as a test artifact (tests/e2e/.artifacts/<name>.png). */
/** How many A4 pages the page prints on (as it is now: emulate print media first for CSS). */
export async function printedPages(page) {
  const pdf = await page.pdf({ format: "A4", printBackground: true });
  return (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) ?? []).length;
}

export async function screenshot(page, name) {
  const { mkdirSync } = await import("node:fs");
  const dir = new URL("../.artifacts/", import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: `${dir}${name}.png`, fullPage: true });
}

/** The card titles of a board column, top to bottom. */
export async function columnTitles(page, column) {
  return page.getByRole("region", { name: column }).locator(".task-card .task-title").allInnerTexts();
}

/** Waits until `check` (async, returning a boolean) holds, polling; fails with `what` after 15 s. */
export async function eventually(check, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 50));
  }
}

/** A relay address nobody listens on: an app given only this one can reach no relay. */
export const NO_RELAY = "ws://127.0.0.1:9/";

/**
 * Makes the app of every page of `context` dial these relays (as if saved in its settings) from
 * its next start. The engine's sockets live in its Web Worker, where Playwright's WebSocket
 * routing does not reach, so a test chooses the relays instead.
 */
export async function useRelays(context, urls) {
  await context.addInitScript(text => localStorage.setItem("linli.relays", text), urls.join("\n"));
}
