// Notices as residents use them: categories and the filter, urgent and pinned on the overview,
// Markdown with a live preview, translations side by side, and hostile text that never runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newProfile } from "./support/browser.mjs";
import { createSpace, noticeCard, openTab, postNotice } from "./support/app.mjs";
import { browserAndRelay } from "./support/suite.mjs";

const world = browserAndRelay();

test("notices are filtered by category, and urgent ones lead the overview", async () => {
  const { context, page } = await newProfile(world.browser);
  await createSpace(page, world.relay.httpUrl, "Pingshan Lane");
  await postNotice(page, "Lift inspection", "Thursday morning.", { category: "Repairs", urgent: true });
  await postNotice(page, "Mooncake party", "Saturday in the courtyard.", { category: "Events" });
  await postNotice(page, "Bins moved", "To the north gate.", { category: "Environment", pinned: true });

  await openTab(page, "Notices");
  const list = page.locator("ul.notices .notice-link");
  await list.first().waitFor();
  assert.deepEqual(await list.allInnerTexts(), ["Bins moved", "Mooncake party", "Lift inspection"], "newest first");
  await page.getByLabel("Category").selectOption({ label: "Events" });
  assert.deepEqual(await list.allInnerTexts(), ["Mooncake party"]);
  await page.getByLabel("Category").selectOption({ label: "All categories" });
  assert.equal(await list.count(), 3);

  await openTab(page, "Overview");
  const highlighted = page.getByRole("region", { name: "Urgent and pinned notices" }).getByRole("listitem");
  await highlighted.first().waitFor();
  assert.deepEqual(await highlighted.allInnerTexts(), ["Urgent Lift inspection", "Bins moved"], "urgent first, then pinned; others not here");
  assert.deepEqual(page.errors, []);
  await context.close();
});

test("Markdown is previewed while typing and shown formatted; translations show in the reader's language", async () => {
  const { context, page } = await newProfile(world.browser);
  await createSpace(page, world.relay.httpUrl, "Markdown Street");
  await openTab(page, "Notices");
  await page.getByRole("link", { name: "Post a notice" }).click();
  const form = page.getByRole("form", { name: "Post a notice" });
  await form.getByLabel("Title", { exact: true }).first().fill("Water off");
  await form.getByLabel("Text", { exact: true }).first().fill("**Building 3** only\n\n- from 9:00\n- to 12:00");
  const preview = form.getByRole("region", { name: "Preview" });
  assert.equal(await preview.locator("strong").innerText(), "Building 3");
  assert.equal(await preview.locator("li").count(), 2);

  await form.getByRole("button", { name: "Translations" }).click();
  const hans = form.getByRole("group", { name: "简体中文" });
  await hans.getByLabel("Title").fill("停水通知");
  await hans.getByLabel("Text").fill("仅限 **3 号楼**");
  await form.getByRole("button", { name: "Post notice" }).click();

  const card = noticeCard(page, "Water off");
  await card.waitFor();
  assert.equal(await card.locator(".rich-text strong").innerText(), "Building 3");
  await page.getByRole("button", { name: "简体" }).click();
  await noticeCard(page, "停水通知").waitFor();
  assert.equal(await noticeCard(page, "停水通知").locator(".rich-text strong").innerText(), "3 号楼");
  await page.getByRole("button", { name: "显示原文" }).click();
  await noticeCard(page, "Water off").waitFor();
  await page.getByRole("button", { name: "English" }).click();
  await context.close();
});

/** Text that tries to run script in every way a notice could carry it. */
const PAYLOADS = [
  "<script>window.__pwned = 'script'</script>",
  "<img src=x onerror=\"window.__pwned = 'img'\">",
  "<svg onload=\"window.__pwned = 'svg'\"></svg>",
  "<iframe src=\"javascript:parent.__pwned = 'iframe'\"></iframe>",
  "<details open ontoggle=\"window.__pwned = 'details'\">x</details>",
  "<a href=\"javascript:window.__pwned = 'a'\">raw link</a>",
  "[md link](javascript:window.__pwned='md')",
  "[mixed case](JaVaScRiPt:window.__pwned='case')",
  "[entity](jav&#x61;script:window.__pwned='entity')",
  "![image](x\" onerror=\"window.__pwned='quote')",
  "![data](data:text/html,<script>parent.__pwned='data'</script>)",
  "<style>body{display:none}</style>",
  "<form action=\"javascript:window.__pwned='form'\"><button>go</button></form>",
];

test("hostile notice text is shown as text: no script runs, no handler or script address survives", async () => {
  const { context, page } = await newProfile(world.browser);
  const dialogs = [];
  page.on("dialog", dialog => {
    dialogs.push(dialog.message());
    dialog.dismiss();
  });
  await createSpace(page, world.relay.httpUrl, "XSS Court");
  const body = PAYLOADS.join("\n\n");
  await postNotice(page, "<img src=x onerror=\"window.__pwned='title'\">", body);
  const card = page.locator("article.notice-sheet");
  const rich = card.locator(".rich-text");
  // Every link the text produced is clicked (a script address would run now; none may leave the page).
  const here = page.url();
  for (const link of await rich.locator("a").all()) await link.click();
  assert.equal(page.url().replace(/#$/, ""), here);
  // Let anything scheduled (onerror, ontoggle, onload) have its turn.
  await page.evaluate(() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 100))));
  assert.equal(await page.evaluate(() => window.__pwned), undefined, "no payload ran");
  assert.deepEqual(dialogs, []);
  const dangerous = await rich.evaluate(root => {
    const found = [];
    for (const el of root.querySelectorAll("*")) {
      if (["SCRIPT", "IFRAME", "SVG", "STYLE", "FORM", "OBJECT", "EMBED", "DETAILS"].includes(el.tagName.toUpperCase())) found.push(el.tagName);
      for (const attr of el.attributes) {
        if (attr.name.startsWith("on")) found.push(`${el.tagName}[${attr.name}]`);
        if (["href", "src", "action"].includes(attr.name) && /^\s*(javascript|data|vbscript):/i.test(attr.value)) found.push(`${el.tagName}[${attr.name}=${attr.value}]`);
      }
    }
    return found;
  });
  assert.deepEqual(dangerous, []);
  // The text is still there for people to read.
  assert.match(await rich.innerText(), /<script>window.__pwned = 'script'<\/script>/);
  assert.equal(await page.locator("body").isVisible(), true);
  await context.close();
});
