// The take-part tier (docs/capabilities.md): a resident who scans a poster's QR code signs on a
// phone in a few taps, raises a request, comments and confirms, without the edit link; a view
// link cannot sign; a resident's crafted change to a notice is refused by the relay, by a
// federated relay and by a browser over a direct link; an organiser hides a spammer and the
// kiosk stops counting them; a relay slows a flood of new members and the device says so.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { PHONE, newProfile } from "./support/browser.mjs";
import { chooseName, createSpace, eventually, noticeCard, openNotice, openTab, postNotice, takePartLink, waitUntilSaved } from "./support/app.mjs";
import { startRelay } from "./support/relay.mjs";
import { browserAndRelay } from "./support/suite.mjs";

const world = browserAndRelay();
const run = promisify(execFile);

const CRAFTED_BIN = process.env.LINLI_CRAFTED_BIN;
if (!CRAFTED_BIN) throw new Error("run these tests through `cargo xtask test` (it sets LINLI_CRAFTED_BIN)");

/** A counter of the relay's /metrics. */
async function metric(relay, name) {
  const text = await (await fetch(`${relay.httpUrl}/metrics`)).text();
  return Number(text.match(new RegExp(`^${name} (\\d+)$`, "m"))[1]);
}

/** Starts a pledge from the Pledges tab and returns the QR link its poster carries. */
async function startPledge(page, title, goal = 10) {
  await openTab(page, "Pledges");
  const form = page.getByRole("form", { name: "Start a pledge" });
  await form.getByLabel("Title").fill(title);
  await form.getByLabel("Text of the pledge").fill("We keep the stairs clear.");
  await form.getByLabel("Goal (signatures)").fill(String(goal));
  await form.getByRole("button", { name: "Create pledge" }).click();
  await page.getByRole("article", { name: title }).waitFor();
  return page.locator(".print-qr").getByRole("img", { name: "QR code that opens this on a phone" }).getAttribute("data-link");
}

test("a phone scans a pledge poster and signs in two taps; the organiser sees a proven signer; a view link cannot sign", async () => {
  const organiser = await newProfile(world.browser);
  await createSpace(organiser.page, world.relay.httpUrl, "Poster Lane", { me: "Organiser Chen" });
  const posterLink = await startPledge(organiser.page, "Bikes off the stairs");
  assert.match(posterLink, /\/pledges\/[0-9a-f]{32}#part=[1-9A-HJ-NP-Za-km-z]{40,50}$/, "the poster carries the take-part link");
  assert.doesNotMatch(posterLink, /#key=/, "never the edit link");
  await organiser.page.locator(".print-qr").getByText("Scan to sign on your phone").waitFor();
  await waitUntilSaved(organiser.page);

  const phone = await newProfile(world.browser, PHONE);
  await phone.page.goto(posterLink);
  const sheet = phone.page.getByRole("article", { name: "Bikes off the stairs" });
  await sheet.waitFor();
  assert.equal(phone.page.url().includes("#part="), false, "the key leaves the address bar once read");
  assert.match(await phone.page.locator(".take-part-note").innerText(), /Taking part\./);
  // The pledge leads the first screen; the first-visit questions (name, larger text) wait under it.
  const prompt = phone.page.getByRole("form", { name: "What should neighbours call you?" });
  await prompt.waitFor();
  const title = await sheet.getByRole("heading", { name: "Bikes off the stairs" }).boundingBox();
  assert.ok(title.y + title.height <= PHONE.viewport.height, `the pledge's title is on the first screen (ends at ${title.y + title.height} px)`);
  assert.ok((await prompt.boundingBox()).y > title.y, "the name prompt comes after the pledge");
  let taps = 0;
  await sheet.getByLabel("Your name, to sign").tap();
  taps += 1;
  await phone.page.keyboard.type("Resident Wu");
  await sheet.getByRole("button", { name: "Sign", exact: true }).tap();
  taps += 1;
  await sheet.getByText("You signed this pledge.").waitFor();
  assert.ok(taps <= 3, `signed in ${taps} taps`);
  // The organisers' controls are not offered to a resident.
  assert.equal(await phone.page.getByRole("form", { name: "Signatures collected on paper" }).count(), 0);
  await openTab(phone.page, "Notices");
  assert.equal(await phone.page.getByRole("link", { name: "Post a notice" }).isVisible(), false);

  await organiser.page.getByText("1 of 10 signed").waitFor();
  const signer = organiser.page.locator(".signers li").filter({ hasText: "Resident Wu" });
  await signer.getByRole("img", { name: /proven by their key/ }).waitFor();

  const viewer = await newProfile(world.browser);
  await viewer.page.goto(posterLink.replace(/#.*$/, ""));
  await viewer.page.getByRole("article", { name: "Bikes off the stairs" }).waitFor();
  assert.match(await viewer.page.locator(".view-only-note").innerText(), /View only\./);
  assert.equal(await viewer.page.getByRole("button", { name: /^Sign/ }).isVisible().catch(() => false), false);
  assert.equal(await viewer.page.getByLabel("Your name, to sign").isVisible().catch(() => false), false);
  for (const p of [organiser, phone, viewer]) {
    assert.deepEqual(p.page.errors, []);
    await p.context.close();
  }
});

test("a resident raises a request, the team resolves it, the resident confirms; residents comment on notices", async () => {
  const organiser = await newProfile(world.browser);
  await createSpace(organiser.page, world.relay.httpUrl, "Request Court", { me: "Team Lead" });
  await postNotice(organiser.page, "Water off on Tuesday", "From 9 to 12.");
  const link = await takePartLink(organiser.page);
  await waitUntilSaved(organiser.page);

  const resident = await newProfile(world.browser, PHONE);
  await resident.page.goto(link);
  await chooseName(resident.page, "Resident Gao");
  await openTab(resident.page, "Requests");
  const raise = resident.page.getByRole("form", { name: "Raise a request" });
  await raise.getByLabel("What needs doing?").fill("Broken lamp on floor 3");
  await raise.getByRole("button", { name: "Send request" }).click();
  await resident.page.locator(".request-row").filter({ hasText: "Broken lamp on floor 3" }).waitFor();

  await openTab(organiser.page, "Requests");
  const row = organiser.page.locator(".request-row").filter({ hasText: "Broken lamp on floor 3" });
  await row.getByRole("button", { name: "Claim “Broken lamp on floor 3”" }).click();
  await row.getByRole("button", { name: "Mark “Broken lamp on floor 3” resolved" }).click();

  await resident.page.getByRole("link", { name: "Broken lamp on floor 3" }).click();
  await resident.page.getByRole("button", { name: "Yes, resolved" }).click();
  await resident.page.getByText("You confirmed that this request was resolved.").waitFor();
  await resident.page.getByLabel("Add details to your request").fill("Thank you, it works.");
  await resident.page.getByRole("button", { name: "Add", exact: true }).click();

  await organiser.page.getByRole("link", { name: "Broken lamp on floor 3" }).click();
  await organiser.page.locator(".confirmation").filter({ hasText: "confirmed resolved" }).waitFor();
  await organiser.page.getByText("Thank you, it works.").waitFor();

  await openNotice(resident.page, "Water off on Tuesday");
  await resident.page.getByLabel("Add a comment").fill("Will there be water trucks?");
  await resident.page.getByRole("button", { name: "Send", exact: true }).click();
  await openNotice(organiser.page, "Water off on Tuesday");
  await organiser.page.locator(".comments").getByText("Will there be water trucks?").waitFor();
  assert.match(await organiser.page.locator(".comments li").first().innerText(), /Resident Gao/);
  for (const p of [organiser, resident]) {
    assert.deepEqual(p.page.errors, []);
    await p.context.close();
  }
});

test("a resident's crafted change to a notice is refused by the relay, a federated relay, and a browser over a direct link", async () => {
  const second = await startRelay({ site: false, peers: [world.relay.wsUrl] });
  try {
    const organiser = await newProfile(world.browser);
    const editLink = await createSpace(organiser.page, world.relay.httpUrl, "Guarded Lane");
    await postNotice(organiser.page, "Lift repair on Friday", "9:00 to 12:00.");
    const link = await takePartLink(organiser.page);
    await waitUntilSaved(organiser.page);
    const space = new URL(link).pathname.split("/s/")[1].split("/")[0];
    const key = new URL(link).hash.replace("#part=", "");

    // Over the wire to each relay: signed with a member key and the take-part key, and refused.
    for (const relay of [world.relay, second]) {
      const before = await metric(relay, "linli_changes_refused_total");
      const { stdout } = await run(CRAFTED_BIN, ["--url", relay.wsUrl, "--space", space, "--take-part", key]);
      assert.match(stdout, /^refused=.*changed by organisers/m, `the relay at ${relay.wsUrl} said why`);
      assert.ok((await metric(relay, "linli_changes_refused_total")) > before, "counted at /metrics");
    }

    // Over a direct link to a resident's browser, from a page that speaks the protocol.
    const resident = await newProfile(world.browser);
    await resident.page.goto(link);
    await chooseName(resident.page, "Resident Lu");
    await openNotice(resident.page, "Lift repair on Friday");
    const { stdout } = await run(CRAFTED_BIN, ["--url", world.relay.wsUrl, "--space", space, "--take-part", key, "--print-frames"]);
    const frames = Object.fromEntries(stdout.trim().split("\n").map(line => line.split("=")));
    await openTab(resident.page, "Settings");
    const direct = resident.page.getByRole("region", { name: "Connect two devices directly" });
    await direct.getByRole("button", { name: "Make an invitation" }).click();
    const invitation = await direct.getByLabel("Give this to the other device").inputValue();

    const hostile = await newProfile(world.browser);
    const answer = await hostile.page.evaluate(
      async ({ invitation, frames }) => {
        const bytes = hex => new Uint8Array(hex.match(/../g).map(b => parseInt(b, 16)));
        const offer = JSON.parse(invitation);
        const pc = new RTCPeerConnection();
        window.received = [];
        pc.ondatachannel = event => {
          const channel = event.channel;
          channel.binaryType = "arraybuffer";
          channel.onmessage = message => {
            window.received.push(Array.from(new Uint8Array(message.data)));
            if (window.received.length === 1) {
              channel.send(bytes(frames.peer));
              channel.send(bytes(frames.sync));
            }
          };
        };
        await pc.setRemoteDescription({ type: "offer", sdp: offer.sdp });
        await pc.setLocalDescription(await pc.createAnswer());
        while (pc.iceGatheringState !== "complete") await new Promise(r => setTimeout(r, 50));
        window.keep = pc;
        return JSON.stringify({ linli: "linli-rtc", kind: "answer", from: "hostile", to: offer.from, sdp: pc.localDescription.sdp });
      },
      { invitation, frames },
    );
    await direct.getByLabel("Paste an invitation or an answer").fill(answer);
    await direct.getByRole("button", { name: "Connect" }).click();
    const told = () =>
      hostile.page.evaluate(() =>
        window.received.some(frame => {
          const text = String.fromCharCode(...frame);
          return text.includes("linliRefused") && text.includes("changed by organisers");
        }),
      );
    await eventually(told, "the resident's browser telling the hostile peer it refused the change", 30_000);
    await openNotice(resident.page, "Lift repair on Friday");
    assert.match(await noticeCard(resident.page, "Lift repair on Friday").innerText(), /9:00 to 12:00/);
    assert.equal(await resident.page.getByRole("article", { name: "Crafted title" }).count(), 0);

    // Nobody anywhere has the crafted title: a newcomer reading from the federated relay's
    // neighbour, and the organiser.
    await openNotice(organiser.page, "Lift repair on Friday");
    const newcomer = await newProfile(world.browser);
    await newcomer.page.goto(editLink.replace(/[?#].*$/, ""));
    await openNotice(newcomer.page, "Lift repair on Friday");
    for (const p of [organiser, resident, newcomer]) {
      assert.deepEqual(p.page.errors, []);
      await p.context.close();
    }
    await hostile.context.close();
  } finally {
    await second.stop();
  }
});

test("an organiser hides a spammer's signatures and the kiosk stops counting them", async () => {
  const organiser = await newProfile(world.browser);
  await createSpace(organiser.page, world.relay.httpUrl, "Kiosk Court", { me: "Organiser Fang" });
  const posterLink = await startPledge(organiser.page, "Plant the courtyard", 20);
  await openTab(organiser.page, "Settings");
  const kioskForm = organiser.page.getByRole("form", { name: "Notice-board kiosk" });
  await kioskForm.getByLabel("Seconds per slide").fill("3");
  await kioskForm.getByRole("button", { name: "Save" }).click();
  await kioskForm.getByText("Saved.").waitFor();
  const kioskLink = await organiser.page.locator("a.kiosk-link").getAttribute("href");
  assert.match(kioskLink, /\/k\/[1-9A-HJ-NP-Za-km-z]+#part=/, "the kiosk link lets its QR codes sign");
  await waitUntilSaved(organiser.page);

  const kiosk = await newProfile(world.browser);
  await kiosk.page.goto(kioskLink);
  const pledgeSlide = kiosk.page.locator('.kiosk-slide[data-slide="pledge"]');

  const spammer = await newProfile(world.browser, PHONE);
  await spammer.page.goto(posterLink);
  const sheet = spammer.page.getByRole("article", { name: "Plant the courtyard" });
  await sheet.getByLabel("Your name, to sign").fill("Spam Bot");
  await sheet.getByRole("button", { name: "Sign", exact: true }).click();
  await sheet.getByText("You signed this pledge.").waitFor();
  await pledgeSlide.filter({ hasText: "1 of 20 signed" }).waitFor({ timeout: 30_000 });
  assert.match(await pledgeSlide.getByRole("img", { name: "QR code that opens this on a phone" }).getAttribute("data-link"), /#part=/);

  await organiser.page.goto(posterLink.replace(/#.*$/, ""));
  organiser.page.once("dialog", dialog => dialog.accept());
  await organiser.page.locator(".signers li").filter({ hasText: "Spam Bot" }).getByRole("button", { name: "Hide everything from Spam Bot" }).click();
  await organiser.page.getByText("0 of 20 signed").waitFor();
  await pledgeSlide.filter({ hasText: "0 of 20 signed" }).waitFor({ timeout: 30_000 });
  await openTab(organiser.page, "Settings");
  await organiser.page.getByRole("region", { name: "Hidden members" }).getByRole("button", { name: "Show Spam Bot again" }).waitFor();
  for (const p of [organiser, kiosk, spammer]) {
    assert.deepEqual(p.page.errors, []);
    await p.context.close();
  }
});

test("a relay slows a take-part link that floods a space with new members, and the resident's device says so", async () => {
  const relay = await startRelay({ flags: ["--joins-per-minute", "1"] });
  try {
    const organiser = await newProfile(world.browser);
    await createSpace(organiser.page, relay.httpUrl, "Busy Gate", { me: "Organiser Ma" });
    const posterLink = await startPledge(organiser.page, "Keep the gate shut");
    await waitUntilSaved(organiser.page);
    const sign = async name => {
      const phone = await newProfile(world.browser, PHONE);
      await phone.page.goto(posterLink);
      const sheet = phone.page.getByRole("article", { name: "Keep the gate shut" });
      await sheet.getByLabel("Your name, to sign").fill(name);
      await sheet.getByRole("button", { name: "Sign", exact: true }).click();
      await sheet.getByText("You signed this pledge.").waitFor();
      return phone;
    };
    const first = await sign("First Neighbour");
    await organiser.page.getByText("1 of 10 signed").waitFor();
    const second = await sign("Second Neighbour");
    await second.page.locator(".refusal-note").filter({ hasText: /too many people joined/i }).waitFor();
    assert.ok((await metric(relay, "linli_joins_limited_total")) >= 1);
    assert.equal(await organiser.page.getByText("1 of 10 signed").count(), 1, "the second signature waits");
    for (const p of [organiser, first, second]) await p.context.close();
  } finally {
    await relay.stop();
  }
});

test("a resident links a tablet to their phone: both sign as one member", async () => {
  const organiser = await newProfile(world.browser);
  await createSpace(organiser.page, world.relay.httpUrl, "Linked Lane", { me: "Organiser Ye" });
  const posterLink = await startPledge(organiser.page, "Walk the dogs on leads");
  await waitUntilSaved(organiser.page);

  const phone = await newProfile(world.browser, PHONE);
  await phone.page.goto(posterLink);
  const sheet = phone.page.getByRole("article", { name: "Walk the dogs on leads" });
  await sheet.getByLabel("Your name, to sign").fill("Resident Qi");
  await sheet.getByRole("button", { name: "Sign", exact: true }).click();
  await sheet.getByText("You signed this pledge.").waitFor();
  await openTab(phone.page, "Settings");
  const linking = phone.page.getByRole("region", { name: "Link another device" });
  await linking.getByRole("button", { name: "Show the code" }).click();
  const deviceLink = await linking.getByRole("img", { name: "QR code that links another device to you" }).getAttribute("data-link");
  assert.match(deviceLink, /\/link#member=[1-9A-HJ-NP-Za-km-z]+&name=Resident%20Qi$/);

  const tablet = await newProfile(world.browser);
  await tablet.page.goto(deviceLink);
  await tablet.page.getByRole("button", { name: "Link this device" }).click();
  await tablet.page.waitForURL(`${world.relay.httpUrl}/`);
  await tablet.page.goto(posterLink);
  await tablet.page.getByRole("article", { name: "Walk the dogs on leads" }).getByText("You signed this pledge.").waitFor();
  await organiser.page.getByText("1 of 10 signed").waitFor();
  assert.deepEqual(await organiser.page.locator(".signers li .name").allInnerTexts(), ["Resident Qi"], "one signer, not two");
  for (const p of [organiser, phone, tablet]) {
    assert.deepEqual(p.page.errors, []);
    await p.context.close();
  }
});
