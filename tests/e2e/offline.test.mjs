// The app opens with no network at all once it has been visited: the service worker serves the
// app shell, IndexedDB holds the space, and what is written offline syncs when the network returns.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { copyOfSite, startRelay } from "./support/relay.mjs";
import { newProfile } from "./support/browser.mjs";
import { createSpace, eventually, noticeCard, openNotice, postNotice, waitUntilSaved, chooseName } from "./support/app.mjs";
import { browserAndRelay } from "./support/suite.mjs";

const world = browserAndRelay();

test("with the network gone the app still opens, shows the space, and takes a notice that syncs later", async () => {
  const phone = await newProfile(world.browser);
  const link = await createSpace(phone.page, world.relay.httpUrl, "Offline Alley");
  await postNotice(phone.page, "Before the storm", "Sandbags at the gate.");
  await waitUntilSaved(phone.page);
  // It installs as an app: the manifest names it and its icons.
  const manifest = await (await fetch(new URL("/manifest.webmanifest", world.relay.httpUrl))).json();
  assert.equal(manifest.display, "standalone");
  assert.ok(manifest.icons.length >= 1);
  assert.equal(await phone.page.locator('link[rel="manifest"]').getAttribute("href"), "/manifest.webmanifest");
  // The service worker has taken control and holds the shell.
  await phone.page.evaluate(() => navigator.serviceWorker.ready);
  await phone.page.reload();
  assert.equal(await phone.page.evaluate(() => navigator.serviceWorker.controller !== null), true);

  await phone.context.setOffline(true);
  await phone.page.goto(link);
  await phone.page.getByRole("heading", { level: 1, name: "Offline Alley" }).waitFor();
  await openNotice(phone.page, "Before the storm");
  assert.match(await phone.page.locator(".sync-badge").innerText(), /Offline|Connecting/);
  await postNotice(phone.page, "Written offline", "Typed with no signal.");
  await waitUntilSaved(phone.page);
  // A screen whose code this page never fetched (the kiosk's, a chunk of its own in the release
  // site) opens too: the service worker keeps every chunk of the page.
  const spaceId = new URL(link).pathname.split("/")[2];
  await phone.page.goto(`${world.relay.httpUrl}/k/${spaceId}`);
  await phone.page.locator(".kiosk-slide h2").first().waitFor();
  await phone.page.goto(link);
  await phone.page.getByRole("heading", { level: 1, name: "Offline Alley" }).waitFor();

  await phone.context.setOffline(false);
  const neighbour = await newProfile(world.browser);
  await neighbour.page.goto(link);
  await chooseName(neighbour.page, "Neighbour");
  await openNotice(neighbour.page, "Written offline");
  assert.match(await noticeCard(neighbour.page, "Written offline").innerText(), /Typed with no signal/);
  for (const p of [phone, neighbour]) await p.context.close();
});

test("a new deploy is offered as 'reload to update' and takes over only when asked", async () => {
  const siteDir = copyOfSite();
  const site = await startRelay({ siteDir });
  const { context, page } = await newProfile(world.browser);
  try {
    await page.goto(site.httpUrl);
    await chooseName(page, "Updater");
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await page.getByRole("button", { name: "Create space" }).waitFor();
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller !== null), true);
    assert.equal(await page.getByText("A new version of Linli is ready.").count(), 0);

    // Deploy: the stylesheet and the worker's version change on the server (the build's
    // compressed copies of the old files go with them).
    const deploy = (name, change) => {
      writeFileSync(join(siteDir, name), change(readFileSync(join(siteDir, name), "utf8")));
      for (const copy of [`${name}.br`, `${name}.gz`]) rmSync(join(siteDir, copy), { force: true });
    };
    deploy("sw.js", text => text.replace(/const VERSION = "[0-9a-f]+";/, 'const VERSION = "next-version";'));
    const css = readdirSync(siteDir).find(f => f.endsWith(".css"));
    deploy(css, text => text + "\nbody { outline: 0 solid transparent; }\n");
    // The browser checks for a new worker now and then; the test asks until it has found it (a
    // check already running since the reload may have fetched the old script).
    await eventually(
      () => page.evaluate(async () => {
        const registration = await navigator.serviceWorker.getRegistration();
        await registration.update();
        return registration.installing !== null || registration.waiting !== null;
      }),
      "the browser to find the new worker",
      45_000,
    );
    await page.getByText("A new version of Linli is ready.").waitFor();

    // Still the old version until the resident chooses; then the new worker controls the page.
    await Promise.all([page.waitForEvent("load"), page.getByRole("button", { name: "Reload to update" }).click()]);
    await page.getByRole("button", { name: "Create space" }).waitFor();
    const version = await page.evaluate(async () => (await caches.keys()).filter(k => k.startsWith("linli-shell-")));
    assert.deepEqual(version, ["linli-shell-next-version"], "the old shell's cache is gone");
    assert.equal(await page.getByText("A new version of Linli is ready.").count(), 0);
  } finally {
    await context.close();
    await site.stop();
  }
});
