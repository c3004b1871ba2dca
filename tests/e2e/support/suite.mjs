// The shared set-up of an end-to-end test file: one headless Chromium and one real relay,
// started before its tests and stopped after. A test may replace `world.relay` (to restart it
// on its folder, say); whatever is there at the end is stopped.
import { before, after } from "node:test";
import { launchBrowser } from "./browser.mjs";
import { startRelay } from "./relay.mjs";

export function browserAndRelay() {
  const world = { browser: undefined, relay: undefined };
  before(async () => {
    world.browser = await launchBrowser();
    world.relay = await startRelay();
  });
  after(async () => {
    await world.browser?.close();
    await world.relay?.stop();
  });
  return world;
}
