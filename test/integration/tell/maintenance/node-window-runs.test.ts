// Issue 106: a maintenance window on one Qlik node holds the task runs that ran on that node. The simulator's site
// has two nodes; a window for sense2 lasts the whole test. The same reload task fails on sense2 (its run placed
// there, as a load-balancing rule would): the failure is recorded, held by the window, nobody mailed; then on sense1:
// mailed, at a real SMTP receiver.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { type Harness, startHarness } from "../../hear/intake/harness";
import { type SmtpReceiver, startSmtpReceiver } from "../notify/receivers";

const TASK = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const SITE = `
site: { name: Two nodes, buildVersion: 34.12.3 }
nodes:
  - { id: 11111111-1111-4111-8111-111111111111, name: Central, hostName: sense1.test.example, central: true }
  - { id: 22222222-2222-4222-8222-222222222222, name: Reload01, hostName: sense2.test.example }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna Svensson }
apps:
  - { id: 0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11, name: Sales dashboard, owner: CORP\\anna }
tasks:
  - { id: ${TASK}, name: Reload Sales dashboard, type: reload, app: Sales dashboard, scriptError: "Cannot open file: 'lib://Data/orders.qvd'" }
`;

let tmp: TempDir;
let smtp: SmtpReceiver;
let h: Harness;

beforeAll(async () => {
  tmp = createTempDir();
  smtp = await startSmtpReceiver();
  const start = new Date(Date.now() - 3_600_000).toISOString();
  const end = new Date(Date.now() + 3_600_000).toISOString();
  h = await startHarness({
    dir: tmp.path,
    site: SITE,
    extraYaml: `channels:
  ops: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [ops@corp.example] }
routes:
  - { on: [task.failed], to: [ops] }
maintenance:
  windows:
    - { name: sense2-patches, start: "${start}", end: "${end}", nodes: [sense2] }
`,
  });
  h.aim();
});

afterAll(async () => {
  await h?.close();
  await smtp?.stop();
  tmp?.remove();
});

type Delivery = { eventId: string; status: string; reason: string | null };
const deliveriesOf = async (eventId: string) => {
  const res = await h.t.request(`/v4/deliveries?eventId=${encodeURIComponent(eventId)}`);
  return ((await res.json()) as { deliveries: Delivery[] }).deliveries.filter((d) => d.eventId === eventId);
};

test("a failure on sense2 inside sense2's window is held; the same task failing on sense1 pages", async () => {
  const onB = await h.runWhenIdle(TASK, "fail", { nodeId: "22222222-2222-4222-8222-222222222222" });
  const held = await h.eventFor(onB);
  expect(held.kind).toBe("task.failed");
  expect(held.host).toBe("sense2.test.example");
  const suppressed = await waitFor(async () => (await deliveriesOf(held.id)).find((d) => d.status === "suppressed"), {
    what: "the failure on sense2 held by the window",
    timeoutMs: 15_000,
  });
  expect(suppressed.reason).toContain("maintenance window sense2-patches");

  const onA = await h.runWhenIdle(TASK, "fail", { nodeId: "11111111-1111-4111-8111-111111111111" });
  const paged = await h.eventFor(onA);
  expect(paged.host).toBe("sense1.test.example");
  await waitFor(() => smtp.mails.length >= 1, { what: "the failure on sense1 mailed", timeoutMs: 15_000 });
  expect(smtp.mails).toHaveLength(1);
  expect(smtp.mails[0]!.mail.text).toContain("sense1");
}, 60_000);
