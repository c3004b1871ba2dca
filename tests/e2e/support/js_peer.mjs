// A JavaScript automerge-repo peer on a WebSocket, with helpers to wait for what it sees.
import { Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";

export function jsPeer(wsUrl) {
  return new Repo({ network: [new WebSocketClientAdapter(wsUrl, 500)] });
}

/** Polls `read()` until it returns something truthy; fails after `ms`. */
export async function eventually(read, what, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

/** Finds a document, retrying while the network is still coming up. */
export async function findDoc(repo, url, ms = 10_000) {
  return eventually(async () => {
    try {
      const handle = await repo.find(url);
      return handle;
    } catch {
      return null;
    }
  }, `document ${url}`, ms);
}
