// Home: the first visit asks for a name, spaces opened on this device are listed, and a pasted
// link (or bare ID) joins a space.
import { test } from "node:test";
import assert from "node:assert/strict";
import { newProfile } from "./support/browser.mjs";
import { Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import { chooseName, createSpace, eventually } from "./support/app.mjs";
import { browserAndRelay } from "./support/suite.mjs";

const world = browserAndRelay();

test("a neighbour joins from a pasted link, is recorded by name, and finds the space on the home screen", async () => {
  const founder = await newProfile(world.browser);
  const link = await createSpace(founder.page, world.relay.httpUrl, "Yijin Fang", { me: "Founder" });

  const neighbour = await newProfile(world.browser);
  await neighbour.page.goto(world.relay.httpUrl);
  // The first visit asks for a name (waitFor fails the test if it never does).
  await neighbour.page.getByRole("form", { name: "What should neighbours call you?" }).waitFor();
  await chooseName(neighbour.page, "Auntie Lin");
  await neighbour.page.reload();
  await neighbour.page.getByRole("button", { name: "Create space" }).waitFor();
  assert.equal(await neighbour.page.getByRole("form", { name: "What should neighbours call you?" }).count(), 0, "the name is kept on the device");

  await neighbour.page.getByLabel("Link or ID").fill("not a link");
  await neighbour.page.getByRole("button", { name: "Open" }).click();
  await neighbour.page.getByRole("alert").getByText("This link does not point to a Linli space.").waitFor();
  await neighbour.page.getByLabel("Link or ID").fill(`  ${link}  `);
  await neighbour.page.getByRole("button", { name: "Open" }).click();
  await neighbour.page.getByRole("heading", { level: 1, name: "Yijin Fang" }).waitFor();

  // The space records the neighbour as a member by name, as any peer reading it sees.
  const repo = new Repo({ network: [new WebSocketClientAdapter(world.relay.wsUrl)] });
  try {
    const handle = await repo.find(`automerge:${new URL(link).pathname.split("/s/")[1]}`);
    await eventually(() => Object.values(handle.doc().members ?? {}).map(m => String(m.name)).sort().join() === "Auntie Lin,Founder", "both members by name");
  } finally {
    await repo.shutdown();
  }
  await neighbour.page.goto(world.relay.httpUrl);
  await neighbour.page.getByRole("link", { name: "Yijin Fang" }).waitFor();
  for (const p of [founder, neighbour]) {
    assert.deepEqual(p.page.errors, []);
    await p.context.close();
  }
});
