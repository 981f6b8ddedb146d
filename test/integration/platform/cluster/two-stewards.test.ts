// Two whole Stewards on one PostgreSQL store (store.postgres): a key set through one is read through the
// other; /ready lists both members and who leads which duty; /metrics names the instance; a schedule created
// through the Steward that does not lead is run by the leader. A mail the server accepted just as PostgreSQL went
// away is recorded as delivered when it is back, not sent again.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Writable } from "node:stream";
import pino from "pino";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createOutboxStore } from "../../../../src/tell/notify/outbox-store";
import { createPostgresDb } from "../../../../src/platform/store/postgres-db";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { startSmtpReceiver } from "../../tell/notify/receivers";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { wallLimit } from "../../../helpers/time-limit";
import { waitFor } from "../../../helpers/wait-for";
import { pendingDelivery } from "../../../helpers/pending-delivery";

let pg: PostgresService;
let url: string;
const apps: TestApp[] = [];
beforeAll(async () => {
  pg = await startPostgres({ own: true });
  url = await pg.createDatabase("two_stewards");
});
afterAll(async () => {
  for (const a of apps.reverse()) await a.close().catch(() => {});
  await pg?.stop();
});

// A lease of a minute: a Steward whose event loop the machine's load holds up for a few seconds (the other one starting
// in the same process) keeps its duties (a 2 s lease passed to node-b under four busy loops), and node-b can take them
// within the test's wait only because node-a's clean stop gives them up, not because they ran out.
const config = (name: string) => `store:\n  postgres:\n    url: ${url}\n    instanceName: ${name}\n    leaseTtlMs: 60000\n    heartbeatIntervalMs: 300\n`;

async function steward(name: string): Promise<TestApp> {
  const t = createTestApp(config(name));
  apps.push(t);
  await t.app.start();
  return t;
}

interface Ready {
  ready: boolean;
  components: Record<string, { ok: boolean; detail: string; required: boolean }>;
}

test("a key set through one Steward is read through the other; both see the cluster", async () => {
  const a = await steward("node-a");
  const b = await steward("node-b");
  const set = await a.request("/v4/keyvalues/chain", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ key: "runDate", value: "2026-11-22", ttl: 60000 }),
  });
  expect(set.status).toBe(201);
  const got = await b.request("/v4/keyvalues/chain?key=runDate");
  expect(got.status).toBe(200);
  expect(await got.json()).toEqual({ namespace: "chain", key: "runDate", value: "2026-11-22" });
  expect(await (await b.request("/v4/keyvaluesnamespaces")).json()).toEqual(["chain"]);

  const ready = (await (await b.request("/ready")).json()) as Ready;
  expect(ready.ready).toBe(true);
  expect(ready.components["shared-store"]).toMatchObject({ ok: true, required: true });
  const cluster = ready.components.cluster!.detail;
  expect(cluster).toContain("2 members");
  expect(cluster).toContain("node-a (this one)".replace("node-a", "node-b"));
  // Without qlik: configured there is nothing to reconcile; the site-monitor lease is led for the reports (on by
  // default) even without a license or version monitor.
  expect(cluster).toMatch(/scheduler: node-a, reconcile: nobody, distribute: node-a, site-monitor: node-a/);

  // The dashboard's overview lists /ready's components, the cluster with its members and leaders among them.
  const ui = await (await b.request("/ui")).text();
  expect(ui).toContain("node-b (this one)");
  expect(ui).toContain("scheduler: node-a");

  const metrics = await (await b.request("/metrics")).text();
  expect(metrics).toContain('steward_instance_info{instance="node-b",mode="cluster"} 1');
  expect(metrics).toContain('steward_cluster_duty_held{duty="scheduler",instance="node-b"} 0');
  expect(metrics).toMatch(/steward_cluster_member_heartbeat_age_seconds\{member="node-a",instance="node-b"\} \d/);
});

test("the leader stops cleanly: the other Steward takes every duty at once", async () => {
  const [a, b] = apps as [TestApp, TestApp];
  expect(a.app.cluster.holds("scheduler")).toBe(true);
  await a.app.stop();
  await waitFor(() => b.app.cluster.holds("scheduler") && b.app.cluster.holds("distribute"), { what: "node-b leads", timeoutMs: 5_000 });
  const ready = (await (await b.request("/ready")).json()) as Ready;
  expect(ready.components.cluster!.detail).toMatch(/1 member .*scheduler: node-b, reconcile: nobody, distribute: node-b/);
});

test("a delivery for a channel only one Steward has is left to that one: the other does not dead-letter it", async () => {
  const b = apps[1]!; // node-b: node-a stopped
  const smtp = await startSmtpReceiver();
  const c = createTestApp(`${config("node-mailer")}channels:
  mail:
    type: email
    smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }
    from: steward@corp.example
    to: [ops@corp.example]
`);
  // Queued as a Steward with the channel would queue it, while node-b (without it) is the only Steward looking, alone
  // in the cluster at least once a second. In the next test node-b's look raced node-mail's own claim this way.
  const db = createPostgresDb({ url, maxConnections: 1, connectTimeoutMs: 2_000, tls: false, applicationName: "queue-by-hand" });
  try {
    const event = syntheticTaskEvent({ outcome: "failed", taskName: "Elsewhere" });
    const now = Date.now();
    await createOutboxStore(db, { instanceId: "by-hand" }).transaction(async (tx) => {
      await tx.saveEvent(event, now);
      await tx.insert(pendingDelivery(event.id, now, { channel: "mail", recipient: "ops@corp.example", route: "by-hand", kind: event.kind }));
    });
    // node-b would claim it now (and give it up: "channel mail is no longer configured"); it failed so before each
    // Steward claimed only its own channels' deliveries.
    await Bun.sleep(3_000);
    apps.push(c);
    await c.app.start();
    await waitFor(() => smtp.mails.length === 1, { what: "the mail, sent by node-mailer", timeoutMs: wallLimit(30_000) });
    expect(smtp.mails[0]!.mail.subject).toContain("Elsewhere");
    const status = async () => {
      const res = await b.request("/v4/deliveries?limit=10");
      const rows = ((await res.json()) as { deliveries: Array<{ status: string; route: string }> }).deliveries;
      return rows
        .filter((d) => d.route === "by-hand")
        .map((d) => d.status)
        .join();
    };
    await waitFor(async () => (await status()) === "delivered", { what: "the delivery recorded as delivered, not dead", timeoutMs: wallLimit(30_000) });
  } finally {
    await db.close();
    await c.app.stop();
    apps.splice(apps.indexOf(c), 1);
    await smtp.stop();
  }
});

test("a mail accepted just as PostgreSQL went away is recorded as delivered when it is back, and not sent again", async () => {
  const warnings: string[] = [];
  const log = pino({ level: "warn" }, new Writable({ write: (c, _e, cb) => (warnings.push((JSON.parse(String(c)) as { msg: string }).msg), cb()) }));
  let haltNext = true;
  const smtp = await startSmtpReceiver({
    async beforeAccept() {
      if (!haltNext) return;
      haltNext = false;
      await pg.halt(); // the server has the mail; Steward learns it accepted it only now
    },
  });
  try {
    const c = createTestApp(
      `${config("node-mail")}channels:
  mail:
    type: email
    smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }
    from: steward@corp.example
    to: [ops@corp.example]
routes:
  - { on: [task.failed], to: [mail], renotify: every }
`,
      { log },
    );
    apps.push(c);
    await c.app.start();
    await c.app.bus.emit("task.failed", syntheticTaskEvent({ outcome: "failed", taskName: "Outage" }));
    // Real work on a busy machine, each bound a generous one for this machine, scaled by the suite's time scale: the
    // event queued, claimed and built from the store, nodemailer loaded, the SMTP conversation up to the mail's data
    // (4 to 13 s beside four busy loops at a load of 30: a flat 15 s for this and the stop below failed in CI) ...
    await waitFor(() => !haltNext, { what: "the mail at the SMTP server", timeoutMs: wallLimit(30_000) });
    // ... PostgreSQL's fast shutdown (SIGKILL after 10 s), then the acknowledgement ...
    await waitFor(() => smtp.mails.length === 1, { what: "the mail acknowledged once PostgreSQL is gone", timeoutMs: wallLimit(30_000) });
    // ... and Steward finding the store gone when it records the delivery, which is what this test is about.
    const unreachable = "delivered; the store is unreachable, recording it when it is back";
    await waitFor(() => warnings.includes(unreachable), { what: `Steward's warning "${unreachable}"`, timeoutMs: wallLimit(30_000) });
    await pg.resume();
    const status = async () => {
      const res = await c.request("/v4/deliveries?limit=10");
      return res.status === 200
        ? ((await res.json()) as { deliveries: Array<{ status: string; route: string }> }).deliveries.filter((d) => d.route !== "by-hand").map((d) => d.status)
        : undefined;
    };
    await waitFor(async () => (await status())?.join() === "delivered", { what: "the delivery recorded as delivered", timeoutMs: wallLimit(30_000) });
    await Bun.sleep(1_000); // a second send would come now
    expect(smtp.mails).toHaveLength(1);
  } finally {
    await smtp.stop();
  }
});
