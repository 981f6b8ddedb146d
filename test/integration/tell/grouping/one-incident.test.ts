// One incident per cause, on one Steward with SQLite and on two Stewards sharing PostgreSQL: the task incidents a cause
// holds name it (GET /v4/incidents), and acknowledging any one of them, or the cause itself, acknowledges the cause and
// every incident it holds, read the same from the other Steward; an incident of another cause is left alone.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import type { ParentView } from "../../../../src/tell/grouping";
import type { IncidentView } from "../../../../src/tell/incidents/routes";
import type { TestApp } from "../../../helpers/app";
import { type StoreStewards, startStoreStewards } from "../../../helpers/store-stewards";
import { waitFor } from "../../../helpers/wait-for";
import type { HttpReceiver } from "../notify/receivers";
import { launchChromium } from "../../show/dashboard/chromium";
import { createLinkStore } from "../../../../src/tell/ack-links/link-store";
import { linkQuery, newNonce, signLink } from "../../../../src/tell/ack-links/signature";
import { emitFailure, failedRun } from "../../../helpers/failed-runs";

for (const backend of ["sqlite", "postgres"] as const) {
  describe(`one incident per cause on ${backend}`, () => {
    let site: StoreStewards | undefined;
    let rx: HttpReceiver;
    let apps: TestApp[] = [];

    beforeAll(async () => {
      // The cause is decided where an alert is routed: the documented route for failures.
      site = await startStoreStewards(
        backend,
        "one_incident",
        (url) => `channels:
  hook: { type: webhook, url: "${url}/hook" }
routes:
  - { on: [task.failed, task.recovered], to: [hook] }
actionLinks: { publicBaseUrl: "https://steward.corp.example" }
`,
      );
      ({ rx, apps } = site);
    }, 120_000);
    afterAll(() => site?.stop());

    const a = () => apps[0]!;
    const b = () => apps[apps.length - 1]!;
    const json = async <T>(t: TestApp, path: string, init?: RequestInit) => (await (await t.request(path, init)).json()) as T;
    const post = (body: unknown = {}) => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const openIncidents = async (t: TestApp) => (await json<{ incidents: IncidentView[] }>(t, "/v4/incidents?status=open")).incidents;
    /** The one model: every open incident in exactly one group, under the cause it names (none: a cause of its own). */
    const byCauseAgrees = async (t: TestApp) => {
      const { causes: groups } = await json<{ causes: Array<{ cause: { id: number; title: string } | null; incidents: IncidentView[] }> }>(
        t,
        "/v4/incidents/by-cause",
      );
      const grouped = groups.flatMap((g) => g.incidents.map((i) => ({ id: i.id, group: g.cause?.id ?? null, named: i.cause?.id ?? null })));
      for (const x of grouped) expect(x.group).toBe(x.named);
      expect(grouped.map((x) => x.id).sort()).toEqual((await openIncidents(t)).map((i) => i.id).sort());
      for (const g of groups) if (g.cause === null) expect(g.incidents).toHaveLength(1);
      const { causes } = await json<{ causes: ParentView[] }>(t, "/v4/causes?status=open");
      expect(
        groups
          .filter((g) => g.cause)
          .map((g) => g.cause!.id)
          .sort(),
      ).toEqual(causes.map((c) => c.id).sort());
      return groups;
    };
    const openCause = async (t: TestApp, title: string) =>
      (await json<{ causes: ParentView[] }>(t, "/v4/causes?status=open")).causes.find((c) => c.title === title);

    test("an incident names its cause; acknowledging one incident acknowledges the cause and every incident it holds", async () => {
      for (let i = 1; i <= 3; i++) await emitFailure(apps[i % apps.length]!, failedRun(i, { source: "DWH" }));
      for (let i = 11; i <= 12; i++) await emitFailure(apps[i % apps.length]!, failedRun(i, { source: "ERP" }));
      // Each cause's page went out; the others are its symptoms.
      await waitFor(() => rx.requests.length >= 2 || undefined, { what: "the two causes' pages" });
      const { dwh, erp } = await waitFor(
        async () => {
          const [d, e] = [await openCause(b(), "connection errors from DWH"), await openCause(b(), "connection errors from ERP")];
          return d?.stillFailing === 3 && e?.stillFailing === 2 ? { dwh: d, erp: e } : undefined;
        },
        { what: "the DWH cause with three tasks and the ERP cause with two" },
      );
      expect(dwh.acknowledgedBy).toBeNull();
      const incidents = await openIncidents(b());
      const ofDwh = incidents.filter((i) => i.cause?.id === dwh.id);
      const ofErp = incidents.filter((i) => i.cause?.id === erp.id);
      expect(ofDwh.map((i) => i.title).sort()).toEqual(["Load 1", "Load 2", "Load 3"]);
      expect(ofErp.map((i) => i.title).sort()).toEqual(["Load 11", "Load 12"]);
      expect(ofDwh[0]!.cause).toEqual({ id: dwh.id, title: "connection errors from DWH" });

      // A task failing for a reason of its own is a cause of one, beside the two causes.
      const own = { ...failedRun(7, { source: "DWH" }), errorClass: "script", errorLine: "Field 'OrderKey' not found", scriptLog: undefined };
      const [annotated] = await a().app.incidents!.annotate(own as TaskEvent);
      await a().app.bus.emit(annotated!.kind, annotated!);
      await waitFor(() => rx.requests.length >= 3 || undefined, { what: "the own failure's page" });
      const groups = await byCauseAgrees(b());
      expect(
        groups
          .find((g) => g.cause?.id === dwh.id)!
          .incidents.map((i) => i.title)
          .sort(),
      ).toEqual(["Load 1", "Load 2", "Load 3"]);
      expect(groups.filter((g) => g.cause === null).map((g) => g.incidents[0]!.title)).toEqual(["Load 7"]);

      const res = await a().request(`/v4/incidents/${ofDwh[1]!.id}/acknowledge`, post({ note: "DWH is being restarted" }));
      expect(res.status).toBe(200);

      // Read from the other Steward: the cause and all three of its incidents, with who and the note; ERP untouched.
      const after = await openIncidents(b());
      for (const i of after.filter((x) => x.cause?.id === dwh.id)) expect([i.title, i.acknowledgedNote]).toEqual([i.title, "DWH is being restarted"]);
      for (const i of after.filter((x) => x.cause?.id === erp.id)) expect([i.title, i.acknowledgedAt]).toEqual([i.title, null]);
      const acked = (await openCause(b(), "connection errors from DWH"))!;
      expect(acked.acknowledgedNote).toBe("DWH is being restarted");
      expect(acked.acknowledgedBy).not.toBeNull();
      expect((await openCause(b(), "connection errors from ERP"))!.acknowledgedAt).toBeNull();
      const ownAfter = (await openIncidents(b())).find((i) => i.title === "Load 7")!;
      expect([ownAfter.cause, ownAfter.acknowledgedAt]).toEqual([null, null]);
      await byCauseAgrees(a());
    });

    test("acknowledging the cause itself acknowledges its incidents; a closed or unknown cause is a 409 naming the id", async () => {
      const erp = (await openCause(a(), "connection errors from ERP"))!;
      const res = await b().request(`/v4/causes/${erp.id}/acknowledge`, post());
      expect(res.status).toBe(200);
      const body = (await res.json()) as { cause: { id: number }; incidents: IncidentView[] };
      expect(body.cause.id).toBe(erp.id);
      expect(body.incidents.map((i) => i.title).sort()).toEqual(["Load 11", "Load 12"]);
      const after = await openIncidents(a());
      for (const i of after.filter((x) => x.cause?.id === erp.id)) expect(i.acknowledgedAt).not.toBeNull();
      expect((await openCause(a(), "connection errors from ERP"))!.acknowledgedAt).not.toBeNull();

      const missing = await a().request("/v4/causes/999999/acknowledge", post());
      expect(missing.status).toBe(409);
      expect(await missing.json()).toMatchObject({ code: "CONFLICT", details: { field: "id" } });
    });

    test("a snooze from the page of one incident of a cause holds every incident of that cause", async () => {
      for (let i = 31; i <= 33; i++) await emitFailure(apps[i % apps.length]!, failedRun(i, { source: "SAP" }));
      const sap = await waitFor(
        async () => {
          const c = await openCause(a(), "connection errors from SAP");
          return c?.stillFailing === 3 ? c : undefined;
        },
        { what: "the SAP cause with three tasks" },
      );
      const members = (await openIncidents(a())).filter((i) => i.cause?.id === sap.id);
      const now = Date.now();
      const { secret } = await createLinkStore(a().app.sharedStore.sql).key(now);
      const p = { incidentId: members[0]!.id, action: "snooze" as const, recipient: "anna@corp.example", expiresAt: now + 60_000, nonce: newNonce() };
      const link = `/act/incident/${p.incidentId}?${linkQuery(p, signLink(secret, p))}`;
      const res = await b().request(link, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "choice=1h" });
      expect(res.status).toBe(200);
      const { silences } = await json<{ silences: Array<{ matcher: { incidentIds?: number[] }; author: string }> }>(a(), "/v4/silences?state=active");
      const snooze = silences.find((x) => x.author === "anna@corp.example")!;
      expect([...snooze.matcher.incidentIds!].sort((x, y) => x - y)).toEqual(members.map((i) => i.id).sort((x, y) => x - y));
    });

    test("the dashboard: an incident links its cause; the Causes page's Acknowledge acknowledges the cause and its incidents", async () => {
      for (let i = 21; i <= 22; i++) await emitFailure(apps[i % apps.length]!, failedRun(i, { source: "CRM" }));
      const crm = await waitFor(
        async () => {
          const c = await openCause(a(), "connection errors from CRM");
          return c?.stillFailing === 2 ? c : undefined;
        },
        { what: "the CRM cause with two tasks" },
      );
      const browser = await launchChromium();
      try {
        const page = browser.page;
        await page.goto(`${a().app.server!.url()}/ui/incidents`);
        const member = (await openIncidents(a())).find((i) => i.title === "Load 21")!;
        expect(await page.textContent(`tr[data-incident="${member.id}"] [data-role="cause"]`)).toContain("part of connection errors from CRM");
        // The Incidents page groups them under the cause's heading.
        expect(await page.textContent(`tbody[data-group="cause-${crm.id}"] tr[data-cause="${crm.id}"]`)).toContain("connection errors from CRM");
        expect(await page.locator(`tbody[data-group="cause-${crm.id}"] tr[data-incident]`).count()).toBe(2);
        await page.goto(`${a().app.server!.url()}/ui/causes`);
        page.once("dialog", (d) => void d.accept("CRM vendor called"));
        await page.click(`tr[data-cause="${crm.id}"] button[data-action="ack-cause"]`);
        await page.waitForSelector(`tr[data-cause="${crm.id}"] [data-role="ack"] b`);
        expect(await page.textContent(`tr[data-cause="${crm.id}"] [data-role="ack"]`)).toContain("CRM vendor called");
      } finally {
        await browser.close();
      }
      const members = (await openIncidents(b())).filter((i) => i.cause?.id === crm.id);
      expect(members.map((i) => [i.title, i.acknowledgedNote]).sort()).toEqual([
        ["Load 21", "CRM vendor called"],
        ["Load 22", "CRM vendor called"],
      ]);
    }, 60_000);
  });
}
