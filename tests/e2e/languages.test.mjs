// The interface speaks Simplified Chinese, Traditional Chinese and English: it starts in the
// browser's language, switches at any time, and remembers the choice on the device; what the
// engine refuses is said in that language too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { newProfile } from "./support/browser.mjs";
import { chooseName, createSpace, inSpace, postNotice, takePartLink } from "./support/app.mjs";
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

/** The engine errors' sentences in `lang`, as the page fetches them. */
function errorSentences(lang) {
  return JSON.parse(readFileSync(new URL(`../../locales/errors/errors-${lang}.json`, import.meta.url), "utf8"));
}

/** Two Latin words in a row: an English sentence, or part of one. */
const LATIN_WORDS = /[A-Za-z]+[\s,.:;'"()-]+[A-Za-z]+/;

test("what the engine refuses in a resident's form is said in Simplified Chinese, with no English sentence", async () => {
  const organiser = await newProfile(world.browser);
  await createSpace(organiser.page, world.relay.httpUrl, "Lane 9", { me: "Organiser Lin" });
  await postNotice(organiser.page, "Lift repair", "Friday morning");
  const poster = await takePartLink(organiser.page);
  const zh = errorSentences("zh-Hans");

  // A resident from the poster, reading Simplified Chinese, sends a comment of spaces only (the
  // browser's "required" takes it): the engine's editor refuses it.
  const resident = await newProfile(world.browser);
  await resident.page.goto(inSpace(poster, "/notices"));
  await chooseName(resident.page, "Resident Guo");
  await resident.page.getByRole("button", { name: "简体" }).click();
  await resident.page.getByRole("link", { name: "Lift repair" }).click();
  const comment = resident.page.locator("form.comment-form");
  await comment.locator("#comment-text").fill("   ");
  await comment.locator('button[type="submit"]').click();
  const commentError = comment.locator(".error");
  await commentError.waitFor();
  const said = (await commentError.innerText()).trim();
  assert.equal(said, zh.comment_needs_text);
  assert.doesNotMatch(said, LATIN_WORDS);

  // The same from the request form: a title of spaces only.
  await resident.page.goto(inSpace(poster, "/requests"));
  const form = resident.page.locator("form.take-part", { has: resident.page.locator("#request-title") });
  await form.locator("#request-title").fill("   ");
  await form.locator('button[type="submit"]').click();
  const requestError = form.locator(".error");
  await requestError.waitFor();
  const saidThere = (await requestError.innerText()).trim();
  assert.equal(saidThere, zh.task_needs_title);
  assert.doesNotMatch(saidThere, LATIN_WORDS);

  // What the page says of a direct connection it cannot make reads in Chinese too: text that is
  // no invitation, pasted on the home screen.
  await resident.page.goto(world.relay.httpUrl);
  const direct = resident.page.locator("section", { has: resident.page.locator("#direct-paste") });
  await direct.locator("#direct-paste").fill("hello");
  await direct.locator("button").last().click();
  const directError = direct.locator(".error");
  await directError.waitFor();
  assert.equal((await directError.innerText()).trim(), zh.not_a_direct_invitation);

  // In English, the same refusal reads in English: the sentence follows the reader's language.
  await resident.page.goto(inSpace(poster, "/requests"));
  await resident.page.getByRole("button", { name: "English" }).click();
  await form.locator("#request-title").fill("   ");
  await form.locator('button[type="submit"]').click();
  await resident.page.locator("form.take-part .error", { hasText: errorSentences("en").task_needs_title }).waitFor();
  for (const p of [organiser, resident]) await p.context.close();
});
