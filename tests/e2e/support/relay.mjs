// Starts the real linli-relay binary on 127.0.0.1 with a free port and a data folder of the test's.
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const RELAY_BIN = process.env.LINLI_RELAY_BIN;
const SITE_DIR = process.env.LINLI_SITE_DIR;
if (!RELAY_BIN || !SITE_DIR) {
  throw new Error("run these tests through `cargo xtask test` (it sets LINLI_RELAY_BIN and LINLI_SITE_DIR)");
}

/** A copy of the built site that a test may change (e.g. to deploy a "new version"). */
export function copyOfSite() {
  const dir = mkdtempSync(join(tmpdir(), "linli-site-"));
  cpSync(SITE_DIR, dir, { recursive: true });
  return dir;
}

/** A fresh, empty data folder. */
export function tempDataDir() {
  return mkdtempSync(join(tmpdir(), "linli-e2e-"));
}

/**
 * Runs the relay binary with `args` (and `options` for node's spawn: cwd, env) until it says where
 * it listens; `stderr()` is what it has written to standard error so far.
 */
export async function spawnRelay(args, options = {}) {
  const child = spawn(RELAY_BIN, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  let errors = "";
  child.stderr.on("data", chunk => (errors += chunk));
  const httpUrl = await new Promise((resolve, reject) => {
    let stdout = "";
    child.stdout.on("data", chunk => {
      stdout += chunk;
      const match = stdout.match(/listening on (http:\/\/[\d.:]+)/);
      if (match) resolve(match[1]);
    });
    child.once("exit", code => reject(new Error(`relay exited with ${code} before listening:\n${errors}`)));
  });
  return { child, httpUrl, stderr: () => errors };
}

/**
 * Starts the relay. `listen` defaults to port 0 (the relay prints the port it got); pass the
 * address of an earlier run to restart on the same port. `flags` are passed on as they are.
 */
export async function startRelay({ dataDir = tempDataDir(), listen = "127.0.0.1:0", site = true, siteDir = SITE_DIR, peers = [], flags = [] } = {}) {
  const args = ["--listen", listen, "--data", dataDir, ...flags];
  if (site) args.push("--site", siteDir);
  for (const peer of peers) args.push("--peer", peer);
  const { child, httpUrl, stderr } = await spawnRelay(args, { env: { ...process.env, LINLI_LOG: "warn" } });
  const exited = new Promise(resolve => child.once("exit", (code, signal) => resolve({ code, signal })));
  return {
    httpUrl,
    wsUrl: httpUrl.replace("http:", "ws:"),
    listen: httpUrl.replace("http://", ""),
    dataDir,
    /** Stops the relay with a signal and waits for it to exit. */
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    stderr,
  };
}
