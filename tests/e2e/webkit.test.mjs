// A second engine: a poster's QR code scanned in Safari, or in WeChat on an iPhone, opens in
// WebKit. The resident's path runs in WebKitGTK (support/webkit.mjs) against the real relay: open
// the poster's take-part link, read the pledge, give a name and sign, raise a request, and reload
// with the relay gone (the service worker and IndexedDB carry it). The organiser, in Chromium,
// sees the signature and the request.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newProfile } from "./support/browser.mjs";
import { createSpace, openTab, waitUntilSaved } from "./support/app.mjs";
import { startRelay } from "./support/relay.mjs";
import { browserAndRelay } from "./support/suite.mjs";
import { startWebKit, webkitAvailable } from "./support/webkit.mjs";

const world = browserAndRelay();

test("in WebKit, a resident opens a poster's link, signs, raises a request, and reloads with the relay gone", async () => {
  assert.ok(webkitAvailable(), "WebKitWebDriver, MiniBrowser and xvfb-run are installed (`cargo xtask test` installs them)");
  const relay = await startRelay();
  const organiser = await newProfile(world.browser);
  const webkit = await startWebKit();
  try {
    await createSpace(organiser.page, relay.httpUrl, "Lantern Court", { me: "Organiser Lin" });
    await openTab(organiser.page, "Pledges");
    const form = organiser.page.getByRole("form", { name: "Start a pledge" });
    await form.getByLabel("Title").fill("Lights out at eleven");
    await form.getByLabel("Text of the pledge").fill("We keep the courtyard dark after eleven.");
    await form.getByLabel("Goal (signatures)").fill("10");
    await form.getByRole("button", { name: "Create pledge" }).click();
    await organiser.page.getByRole("article", { name: "Lights out at eleven" }).waitFor();
    const poster = await organiser.page.locator(".print-qr").getByRole("img", { name: "QR code that opens this on a phone" }).getAttribute("data-link");
    assert.match(poster, /#part=/, "the poster carries the take-part link");
    await waitUntilSaved(organiser.page);

    // The resident's phone: open, read, sign with a name.
    await webkit.goto(poster);
    await webkit.untilText(".pledge-sheet", "We keep the courtyard dark after eleven.");
    assert.equal((await webkit.url()).includes("#part="), false, "the key leaves the address bar once read");
    await webkit.type("#signer-name", "Resident Zhao");
    await webkit.click(".sign-with-name button[type=submit]");
    await webkit.untilText(".pledge-sheet", "You signed this pledge.");

    // Raise a request.
    await webkit.click('nav.tabs a[href$="/requests"]');
    await webkit.type("#request-title", "The courtyard lamp flickers");
    await webkit.type("#request-details", "The one by the east gate.");
    await webkit.click('form[aria-labelledby="raise-heading"] button[type=submit]');
    await webkit.untilText("main", "The courtyard lamp flickers");
    await webkit.until("everything saved on the phone", "return document.querySelector('.sync-badge .saved')?.dataset.saved === 'true'");

    // The organiser, in Chromium, sees both.
    await openTab(organiser.page, "Pledges");
    await organiser.page.getByRole("link", { name: "Lights out at eleven" }).click();
    await organiser.page.locator(".signers li").filter({ hasText: "Resident Zhao" }).waitFor();
    await openTab(organiser.page, "Requests");
    await organiser.page.getByText("The courtyard lamp flickers").waitFor();

    // The relay goes away; the phone reloads the pledge: the service worker starts the app, and
    // the space, with the signature, comes from the phone's own storage.
    await webkit.until("the service worker in control", "return navigator.serviceWorker?.controller != null");
    await relay.stop();
    await webkit.goto(poster.replace(/#.*$/, ""));
    await webkit.untilText(".pledge-sheet", "You signed this pledge.");
    await webkit.click('nav.tabs a[href$="/requests"]');
    await webkit.untilText("main", "The courtyard lamp flickers");
    assert.deepEqual(organiser.page.errors, []);
  } finally {
    await webkit.quit();
    await organiser.context.close();
    await relay.stop();
  }
});
