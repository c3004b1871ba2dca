// The npm @automerge/automerge-repo-sync-server as a child process on a free port of 127.0.0.1.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { tempDataDir } from "./relay.mjs";

const require = createRequire(import.meta.url);
const SERVER = join(dirname(require.resolve("@automerge/automerge-repo-sync-server/package.json")), "src/index.js");

/** A port that was free a moment ago. */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export async function startNpmSyncServer({ dataDir = tempDataDir() } = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", chunk => (stderr += chunk));
  await new Promise((resolve, reject) => {
    let stdout = "";
    child.stdout.on("data", chunk => {
      stdout += chunk;
      if (stdout.includes("Listening on port")) resolve();
    });
    child.once("exit", code => reject(new Error(`sync server exited with ${code}:\n${stderr}`)));
  });
  const exited = new Promise(resolve => child.once("exit", resolve));
  return {
    wsUrl: `ws://127.0.0.1:${port}`,
    stderr: () => stderr,
    dataDir,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
