// The interface speaks Simplified Chinese, Traditional Chinese and English: it starts in the
// browser's language, switches at any time, and remembers the choice on the device.
import { test } from "node:test";
import assert from "node:assert/strict";
import { browserAndRelay } from "./support/suite.mjs";

const world = browserAndRelay();

test("a browser that prefers zh-TW starts in Traditional Chinese", async () => {
  const context = await world.browser.newContext({ locale: "zh-TW" });
  const page = await context.newPage();
  await page.goto(world.relay.httpUrl);
  await page.getByRole("button", { name: "建立空間" }).waitFor();
  assert.equal(await page.getAttribute("html", "lang"), "zh-Hant");
  await context.close();
});

test("switching the language changes every string and is remembered", async () => {
  const context = await world.browser.newContext({ locale: "en-GB" });
  const page = await context.newPage();
  await page.goto(world.relay.httpUrl);
  await page.getByRole("button", { name: "Create space" }).waitFor();
  await page.getByRole("button", { name: "简体" }).click();
  await page.getByRole("button", { name: "创建空间" }).waitFor();
  assert.ok(await page.getByText("我的空间").isVisible());
  assert.equal(await page.getAttribute("html", "lang"), "zh-Hans");
  await page.reload();
  await page.getByRole("button", { name: "创建空间" }).waitFor();
  await page.getByRole("button", { name: "English" }).click();
  await page.getByRole("button", { name: "Create space" }).waitFor();
  await context.close();
});
