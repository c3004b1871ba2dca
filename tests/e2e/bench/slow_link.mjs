// A slow mobile link between the browser and the relay, for the browser benchmarks: a TCP proxy
// on 127.0.0.1 that shares one download and one upload budget among all its connections (the
// page's, its engine worker's, the WebSockets') and delays every chunk by half the round trip
// each way. DevTools' own network throttling applies to the page only, not to the worker that
// downloads the engine, so the link is made here instead, where everything passes.
import net from "node:net";

/** Lighthouse's "slow 4G": 1.6 Mbps down, 750 kbps up, 150 ms round trip. */
export const SLOW_4G = { downBytesPerSecond: 1_600_000 / 8, upBytesPerSecond: 750_000 / 8, roundTripMs: 150 };

/** One direction of the link: bytes leave no faster than `bytesPerSecond`, `delayMs` late. */
function direction(bytesPerSecond, delayMs) {
  let freeAt = 0;
  return (chunk, deliver) => {
    const now = Date.now();
    const start = Math.max(now, freeAt);
    freeAt = start + (chunk.length / bytesPerSecond) * 1000;
    setTimeout(deliver, freeAt - now + delayMs);
  };
}

/**
 * Starts the proxy in front of `target` ("host:port"). Returns its address and `bytesDown()`,
 * the bytes delivered to the browser so far.
 */
export async function startSlowLink(target, link = SLOW_4G) {
  const [host, port] = target.split(":");
  const down = direction(link.downBytesPerSecond, link.roundTripMs / 2);
  const up = direction(link.upBytesPerSecond, link.roundTripMs / 2);
  let delivered = 0;
  const sockets = new Set();
  const server = net.createServer(client => {
    const relay = net.connect(Number(port), host);
    sockets.add(client).add(relay);
    const pipe = (from, to, shape, count) => {
      from.on("data", chunk => shape(chunk, () => {
        if (count) delivered += chunk.length;
        if (!to.destroyed) to.write(chunk);
      }));
      from.on("end", () => shape(Buffer.alloc(0), () => to.end()));
      from.on("error", () => to.destroy());
      from.on("close", () => sockets.delete(from));
    };
    pipe(client, relay, up, false);
    pipe(relay, client, down, true);
  });
  await new Promise(resolve => server.listen(0, "127.0.0.1", resolve));
  const { port: listening } = server.address();
  return {
    httpUrl: `http://127.0.0.1:${listening}`,
    bytesDown: () => delivered,
    stop: () => new Promise(resolve => {
      for (const socket of sockets) socket.destroy();
      server.close(resolve);
    }),
  };
}
