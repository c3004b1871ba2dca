// What a resident does in the app, as steps the tests share.

/** Creates a space from the home screen and returns its link. */
export async function createSpace(page, baseUrl, name) {
  await page.goto(baseUrl);
  await page.getByLabel("Name of the space").fill(name);
  await page.getByRole("button", { name: "Create space" }).click();
  await page.waitForURL(/\/s\/[1-9A-HJ-NP-Za-km-z]+(\?.*)?$/);
  await page.getByRole("heading", { level: 1, name }).waitFor();
  return page.url();
}

/** Posts a notice in the open space and waits until it is shown. */
export async function postNotice(page, title, body) {
  const form = page.getByRole("form", { name: "Post a notice" });
  await form.getByLabel("Title").fill(title);
  await form.getByLabel("Text").fill(body);
  await form.getByRole("button", { name: "Post notice" }).click();
  await noticeCard(page, title).waitFor();
}

/** The card of the notice with this title. */
export function noticeCard(page, title) {
  return page.getByRole("article", { name: title });
}

/** Waits until this device has written everything to IndexedDB. */
export async function waitUntilSaved(page) {
  await page.locator('.sync-badge .saved[data-saved="true"]').waitFor();
}
