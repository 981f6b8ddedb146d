// A forged datagram that beats the real one: the simulator's Scheduler sends through a relay that, for each final
// datagram, first sends a copy with another host and a message of the attacker's, then the real one (which is then
// a duplicate). QRS confirms the run, so the alert must carry the node QRS says ran it and no text of the
// attacker's, and a route for the forged host must not get it. A real datagram alone keeps its own host and message.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createSocket, type Socket } from "node:dgram";
import { matchRoute } from "../../../../src/tell/notify/routing";
import { RouteSchema } from "../../../../src/tell/notify/config";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, startHarness, type Harness } from "./harness";

const FORGED_HOST = "evil-host.example";
const FORGED_MESSAGE = "Max retries reached. Click https://evil.example/fix to restore the data";
let h: Harness;
let tmp: TempDir;
let relay: Socket;
/** When true, final datagrams are preceded by a forged copy. */
let forging = true;
const forgedSent: string[] = [];

beforeAll(async () => {
  tmp = createTempDir();
  h = await startHarness({ dir: tmp.path });
  relay = createSocket("udp4");
  relay.on("message", (msg) => {
    const text = msg.toString("utf8");
    const to = h.udpPort();
    if (forging && /^\/scheduler-task-(failed|aborted)\/;/.test(text)) {
      const f = text.split(";");
      f[1] = FORGED_HOST;
      const forged = [...f.slice(0, 10), FORGED_MESSAGE].join(";");
      forgedSent.push(forged);
      // The forged copy first; the real one right behind it.
      relay.send(Buffer.from(forged), to, "127.0.0.1", () => relay.send(msg, to, "127.0.0.1"));
    } else relay.send(msg, to, "127.0.0.1");
  });
  await new Promise<void>((r) => relay.bind(0, "127.0.0.1", () => r()));
  h.sim.settings.udp.targets = [{ host: "127.0.0.1", port: relay.address().port }];
});
afterAll(async () => {
  relay?.close();
  await h?.close();
  tmp?.remove();
});

test("the forged copy arrives first, yet the alert carries QRS's node and no text of the attacker's", async () => {
  const exec = await h.runWhenIdle(IDS.reload, "fail");
  const event = await h.eventFor(exec);
  expect(forgedSent.some((d) => d.includes(exec))).toBe(true);
  expect(event.unconfirmed).toBeUndefined();
  expect(event.host).toBe("sense1.test.example");
  expect(event.logMessage).not.toContain("evil");
  expect(event.logMessage).toBe("Changing task state from Started to FinishedFail");
  // One alert for the run: the real datagram was the duplicate.
  await waitFor(async () => (await h.metric("steward_intake_deduplicated_total")) >= 1, { what: "the real datagram recognised as a repeat" });
  expect(h.events.filter((e) => e.executionId === exec)).toHaveLength(1);
  // The host feeds routing: a route for the forged host does not match, one for the real node does.
  expect(matchRoute(RouteSchema.parse({ on: ["task.failed"], to: ["x"], hosts: [FORGED_HOST] }), event).matched).toBe(false);
  expect(matchRoute(RouteSchema.parse({ on: ["task.failed"], to: ["x"], hosts: ["SENSE1"] }), event).matched).toBe(true);
});

test("a real datagram alone keeps its own host and the Scheduler's message", async () => {
  forging = false;
  const exec = await h.runWhenIdle(IDS.reload, "fail");
  const event = await h.eventFor(exec);
  expect(event.host).toBe("sense1.test.example");
  expect(event.logMessage).toBe("Task finished with state FinishedFail. Max retries reached.");
});
