// The release smoke test's two automerge-repo peers (`cargo xtask release`): the first creates a
// document through the relay at the WebSocket URL given as the only argument, the second (its own
// Repo and network adapter) finds it by URL through the same relay and must see its content.
// Exits 0 when it did, 1 otherwise; gives up after 60 s (the relay may run under qemu).
import { jsPeer, eventually, findDoc } from "./support/js_peer.mjs";

const relayUrl = process.argv[2];
if (!relayUrl?.startsWith("ws")) {
  console.error("usage: node release_smoke.mjs ws://HOST:PORT");
  process.exit(2);
}

const giveUp = setTimeout(() => {
  console.error("release smoke: timed out after 60 s");
  process.exit(1);
}, 60_000);

const maker = jsPeer(relayUrl);
const finder = jsPeer(relayUrl);
try {
  const made = maker.create({ title: "Release smoke", made: "by the first peer" });
  await made.whenReady();
  const found = await findDoc(finder, made.url, 45_000);
  await eventually(() => found.doc()?.made === "by the first peer", "the content at the second peer", 45_000);
  // And back: an edit at the second peer reaches the first.
  found.change(doc => {
    doc.answer = "seen by the second peer";
  });
  await eventually(() => made.doc()?.answer === "seen by the second peer", "the second peer's edit at the first", 45_000);
  console.log(`release smoke: ${made.url} synced between two peers through ${relayUrl}`);
  process.exitCode = 0;
} catch (error) {
  console.error(`release smoke: ${error?.stack ?? error}`);
  process.exitCode = 1;
} finally {
  clearTimeout(giveUp);
  await Promise.race([Promise.all([maker.shutdown(), finder.shutdown()]), new Promise(resolve => setTimeout(resolve, 2_000))]);
  process.exit(process.exitCode);
}
