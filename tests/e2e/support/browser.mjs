// Headless Debian Chromium through playwright-core (never a downloaded browser).
import { chromium } from "playwright-core";

const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  // Direct (WebRTC) links between two browser profiles on this machine: real host addresses
  // instead of mDNS names, and loopback allowed (a CI box may have no other interface).
  "--disable-features=WebRtcHideLocalIpsWithMdns",
  "--allow-loopback-in-peer-connection",
];

export async function launchBrowser() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: FLAGS });
}

/**
 * A new browser context (a separate profile: its own IndexedDB and storage) with one page whose
 * uncaught errors fail the test that reads `page.errors`. `options` go to Playwright's
 * `newContext` (e.g. `PHONE`).
 */
export async function newProfile(browser, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", error => page.errors.push(error.message));
  page.on("console", message => {
    if (message.type() === "error") page.errors.push(message.text());
  });
  return { context, page };
}

/**
 * A profile whose browser has no WebRTC, so a relay (or a file) is the only way between it and
 * other devices: for tests of devices that cannot reach each other directly.
 */
export async function newProfileWithoutDirectLinks(browser, options = {}) {
  const profile = await newProfile(browser, options);
  await profile.context.addInitScript(() => {
    delete window.RTCPeerConnection;
  });
  return profile;
}

/** A phone: a small touch screen (Playwright context options). */
export const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true };
