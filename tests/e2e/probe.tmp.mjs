import { Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import { launchBrowser, newProfile } from "./support/browser.mjs";
import { startRelay } from "./support/relay.mjs";
import { createSpace, openTab, waitUntilSaved } from "./support/app.mjs";
const browser = await launchBrowser();
const relay = await startRelay();
const upToDate = async page => { for (let i = 0; i < 6; i++) { if (/up to date/.test(await page.locator('.sync-panel').innerText())) return true; await page.waitForTimeout(1000); } return false; };
for (let round = 0; round < 16; round++) {
  const { context, page } = await newProfile(browser);
  const link = await createSpace(page, relay.httpUrl, "Two Tabs Lane");
  await waitUntilSaved(page);
  await openTab(page, "Settings");
  const ok = await upToDate(page);
  console.log("round", round, ok);
  if (!ok) {
    const documentId = new URL(link).pathname.split("/s/")[1];
    const repo = new Repo({ network: [new WebSocketClientAdapter(relay.wsUrl)] });
    const handle = await repo.find(`automerge:${documentId}`);
    const doc = handle.doc();
    console.log("relay members:", JSON.stringify(Object.values(doc.members ?? {}).map(m => String(m.name))));
    await repo.shutdown();
    console.log("after the JS peer:", await upToDate(page));
    break;
  }
  await context.close();
}
await browser.close(); await relay.stop();
