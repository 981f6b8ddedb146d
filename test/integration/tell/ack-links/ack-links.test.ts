// Acknowledge and snooze links read out of real messages (an SMTP receiver for mail, an HTTP receiver for Teams and
// Slack), used on two Stewards sharing PostgreSQL: a GET (a mail scanner's prefetch) never acts, forged, altered,
// expired, other-incident and replayed links (also on the other Steward) are refused, and the confirmation acts
// once, audited as the person the link was made for; a snooze holds the incident's next alert.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createLinkStore } from "../../../../src/tell/ack-links/link-store";
import { linkQuery, newNonce, signLink } from "../../../../src/tell/ack-links/signature";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import type { TestApp } from "../../../helpers/app";
import { startTwoStewards, type TwoStewards } from "../../../helpers/two-stewards";
import { waitFor } from "../../../helpers/wait-for";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "../notify/receivers";

const BASE = "https://steward.corp.example:8443";
const LINK = /https:\/\/steward\.corp\.example:8443(\/act\/incident\/\d+\?[^\s"<>]+)/g;

function linksIn(text: string): string[] {
  return [...text.matchAll(LINK)].map((m) => m[1]!);
}

async function failRun(t: TestApp, name: string): Promise<TaskEvent> {
  // As heard from the Scheduler: a test event (source "test") reads the history but opens no incident.
  const e: TaskEvent = { ...syntheticTaskEvent({ outcome: "failed", taskName: name, taskId: `id-${name.replace(/\W/g, "")}` }), source: "udp" };
  const [annotated] = await t.app.incidents!.annotate(e);
  await t.app.bus.emit(annotated!.kind, annotated!);
  return annotated!;
}

const post = (form: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(form).toString(),
});

describe("acknowledge and snooze links on two Stewards sharing PostgreSQL", () => {
  let smtp: SmtpReceiver;
  let rx: HttpReceiver;
  let both: TwoStewards | undefined;
  let a: TestApp;
  let b: TestApp;
  let incidentA: number;
  let mailLinks: Map<string, string[]>;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    rx = startHttpReceiver();
    both = await startTwoStewards(
      "acklinks",
      `channels:
  mail:
    type: email
    smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }
    from: steward@corp.example
    to: [anna@corp.example, bob@corp.example]
  teams: { type: teams, webhookUrl: "${rx.url}/teams" }
  slack: { type: slack, webhookUrl: "${rx.url}/slack" }
routes:
  - { on: [task.failed], to: [mail, teams, slack] }
actionLinks:
  publicBaseUrl: ${BASE}/
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`,
    );
    ({ a, b } = both);
    const e = await failRun(a, "Sales load");
    incidentA = e.incident!.id;
    await waitFor(() => smtp.mails.length >= 2 && rx.requests.length >= 2, { what: "two mails, a Teams and a Slack message" });
    mailLinks = new Map(smtp.mails.map((m) => [m.envelopeTo[0]!, linksIn(m.mail.text ?? "")]));
  }, 120_000);
  afterAll(async () => {
    await both?.close();
    await rx?.stop();
    await smtp?.stop();
  });

  const incident = async (t: TestApp, id: number) => (await (await t.request(`/v4/incidents/${id}`)).json()) as { acknowledgedBy: string | null };

  test("every message carries an acknowledge and a snooze link made for its recipient", () => {
    for (const who of ["anna@corp.example", "bob@corp.example"]) {
      const links = mailLinks.get(who)!;
      expect(links).toHaveLength(2);
      expect(new URLSearchParams(links[0]!.split("?")[1]).get("r")).toBe(who);
      expect(new URLSearchParams(links[0]!.split("?")[1]).get("a")).toBe("ack");
      expect(new URLSearchParams(links[1]!.split("?")[1]).get("a")).toBe("snooze");
      expect(links[0]!.startsWith(`/act/incident/${incidentA}?`)).toBe(true);
    }
    const html = smtp.mails[0]!.mail.html ?? "";
    expect(html).toContain(`${BASE}/act/incident/${incidentA}?`);
    for (const path of ["/teams", "/slack"]) {
      const body = rx.requests.find((r) => r.path === path)!.body;
      const links = linksIn(JSON.parse(JSON.stringify(body)).replaceAll("\\u0026", "&"));
      expect(links.length).toBeGreaterThanOrEqual(2);
      expect(new URLSearchParams(links[0]!.split("?")[1]).get("r")).toBe(`channel:${path.slice(1)}`);
    }
  });

  test("a GET (a mail scanner's prefetch) shows the page and does not act", async () => {
    const ack = mailLinks.get("anna@corp.example")![0]!;
    for (let i = 0; i < 3; i++) {
      const res = await a.request(ack);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<form method="post">');
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'"); // no clickjacking of the button
    }
    expect((await incident(a, incidentA)).acknowledgedBy).toBeNull();
  });

  test("forged, altered and other-incident links are refused and do not act", async () => {
    const ack = mailLinks.get("anna@corp.example")![0]!;
    const [path, qs] = ack.split("?") as [string, string];
    const change = (k: string, v: string) => {
      const q = new URLSearchParams(qs);
      q.set(k, v);
      return `${path}?${q}`;
    };
    const forged = change("s", "A".repeat(43));
    const otherPerson = change("r", "mallory@corp.example");
    const longer = change("x", String(Number(new URLSearchParams(qs).get("x")) + 86_400_000));
    const toSnooze = change("a", "snooze");
    const b2 = await failRun(a, "HR load");
    await waitFor(() => smtp.mails.length >= 4, { what: "the second incident's mails" });
    const otherIncident = `/act/incident/${b2.incident!.id}?${qs}`;
    // "Use the dashboard", the refusal says: with a link to it, on a phone there is no other way there.
    expect(await (await a.request(forged)).text()).toContain('<a href="/ui/incidents">Open the Incidents page</a>');
    for (const link of [forged, otherPerson, longer, toSnooze, otherIncident]) {
      expect((await a.request(link, post({ choice: "1h" }))).status).toBe(403);
      expect((await b.request(link)).status).toBe(403);
    }
    expect((await a.request(`${path}?a=ack&r=x`, post())).status).toBe(400);
    expect((await incident(a, incidentA)).acknowledgedBy).toBeNull();
    expect((await incident(a, b2.incident!.id)).acknowledgedBy).toBeNull();
    await a.app.audit.flush(); // written in order, queued
    // A forged or altered link names nobody: not audited (anybody could flood the audit log with them).
    const audit = (await (await b.request("/v4/audit?action=incident.link&limit=50")).json()) as { entries: unknown[] };
    expect(audit.entries).toHaveLength(0);
  });

  test("an expired link is refused", async () => {
    const now = Date.now();
    const { secret } = await createLinkStore(a.app.sharedStore.sql).key(now);
    const p = { incidentId: incidentA, action: "ack" as const, recipient: "anna@corp.example", expiresAt: now - 1000, nonce: newNonce() };
    const expired = `/act/incident/${incidentA}?${linkQuery(p, signLink(secret, p))}`;
    expect((await a.request(expired)).status).toBe(410);
    expect((await b.request(expired, post())).status).toBe(410);
    await b.app.audit.flush();
    const audit = (await (await a.request("/v4/audit?action=incident.link&limit=50")).json()) as {
      entries: Array<{ actor: { kind: string; name: string }; result: string; details: { reason: string } }>;
    };
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]).toMatchObject({ actor: { kind: "link", name: "anna@corp.example" }, result: "denied" });
    expect(audit.entries[0]!.details.reason).toContain("expired");
    // The same link, valid: accepted (so the refusal was the expiry).
    const fresh = { ...p, expiresAt: now + 60_000 };
    expect((await a.request(`/act/incident/${incidentA}?${linkQuery(fresh, signLink(secret, fresh))}`)).status).toBe(200);
  });

  test("the confirmation acknowledges once, as the recipient; a replay on either Steward is refused", async () => {
    const ack = mailLinks.get("anna@corp.example")![0]!;
    const res = await a.request(ack, post());
    expect(res.status).toBe(200);
    const done = await res.text();
    expect(done).toContain("acknowledged by anna@corp.example");
    expect(done).toContain('<a href="/ui/incidents">Open the Incidents page</a>');
    expect((await incident(b, incidentA)).acknowledgedBy).toBe("anna@corp.example");
    expect((await b.request(ack, post())).status).toBe(409);
    expect((await a.request(ack, post())).status).toBe(409);
    expect((await b.request(ack)).status).toBe(409);
    await a.app.audit.flush();
    const audit = (await (await b.request("/v4/audit?action=incident.acknowledge&limit=10")).json()) as {
      entries: Array<{ actor: { kind: string; name: string }; target: string; result: string }>;
    };
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]).toMatchObject({ actor: { kind: "link", name: "anna@corp.example" }, target: String(incidentA), result: "ok" });
  });

  test("the same link confirmed on both Stewards at the same moment acts once", async () => {
    const hr = smtp.mails.find((m) => m.envelopeTo[0] === "anna@corp.example" && (m.mail.text ?? "").includes("HR load"))!;
    const ack = linksIn(hr.mail.text ?? "")[0]!;
    const statuses = (await Promise.all([a.request(ack, post()), b.request(ack, post()), a.request(ack, post()), b.request(ack, post())])).map((r) => r.status);
    expect(statuses.sort()).toEqual([200, 409, 409, 409]);
    await Promise.all([a.app.audit.flush(), b.app.audit.flush()]);
    const audit = (await (await a.request(`/v4/audit?action=incident.acknowledge&target=${ack.split("/")[3]!.split("?")[0]}`)).json()) as {
      entries: unknown[];
    };
    expect(audit.entries).toHaveLength(1);
  });

  test("a snooze holds the incident's next alert until it ends, as a silence by the recipient", async () => {
    const snooze = mailLinks.get("bob@corp.example")![1]!;
    const page = await (await b.request(snooze)).text();
    expect(page).toContain('value="1h"');
    expect(page).toContain('value="tomorrow"');
    expect((await b.request(snooze, post({ choice: "2h" }))).status).toBe(400); // not offered
    const res = await b.request(snooze, post({ choice: "1h" }));
    expect(res.status).toBe(200);
    // Read on the other Steward, without ?state=active: its clock may be a few ms behind the silence's start.
    const silences = (await (await a.request("/v4/silences")).json()) as {
      silences: Array<{ author: string; matcher: { incidentIds?: number[] } }>;
    };
    expect(silences.silences[0]).toMatchObject({ author: "bob@corp.example", matcher: { incidentIds: [incidentA] } });
    const before = smtp.mails.length;
    const annotated = await failRun(a, "Sales load");
    expect(annotated.incident!.id).toBe(incidentA);
    const held = await waitFor(async () => {
      const d = (await (await a.request(`/v4/deliveries?eventId=${encodeURIComponent(annotated.id)}&limit=10`)).json()) as {
        deliveries: Array<{ status: string; reason: string }>;
      };
      return d.deliveries.length >= 4 && d.deliveries;
    });
    for (const d of held) expect(d.status).toBe("suppressed");
    expect(smtp.mails.length).toBe(before);
    expect((await a.request(snooze, post({ choice: "1h" }))).status).toBe(409);
  });

  test("after the key is rotated (on either Steward) every earlier link is refused", async () => {
    const ack = mailLinks.get("bob@corp.example")![0]!;
    expect((await a.request(ack)).status).toBe(200);
    expect((await b.request("/v4/action-links/rotate", { method: "POST" })).status).toBe(200);
    expect((await a.request(ack)).status).toBe(403);
    expect((await a.request(ack, post())).status).toBe(403);
  });
});
