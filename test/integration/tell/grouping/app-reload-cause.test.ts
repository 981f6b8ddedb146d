// Failed reloads of one app outside the Scheduler are one cause (issue 75, E1), on one Steward with SQLite and on two
// Stewards sharing PostgreSQL: 30 app.reload_failed of one app, handed to either Steward at once, give one page on the
// webhook route (not 30), the other 29 held as its symptoms; another app's failure pages on its own; the app's next
// successful reload ends the cause with its recovered page.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { engineReloadEvent } from "../../../../src/hear/engine/reload-event";
import type { FinishedReload } from "../../../../src/hear/engine/reload-tracker";
import type { TaskEvent } from "../../../../src/platform/events/types";
import type { ParentView } from "../../../../src/tell/grouping";
import type { TestApp } from "../../../helpers/app";
import { type StoreStewards, startStoreStewards } from "../../../helpers/store-stewards";
import { waitFor } from "../../../helpers/wait-for";
import type { HttpReceiver } from "../notify/receivers";

const SALES = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const OTHER = "5d7ae888-61cd-4539-97b2-6cf5baaa6f9d";
const T0 = Date.parse("2026-11-26T08:00:00Z");

function reload(appId: string, i: number, outcome: "failed" | "succeeded" = "failed"): TaskEvent {
  const run: FinishedReload = {
    key: `SENSE1|${appId}|s${i}|${T0 + i}`,
    node: "SENSE1",
    appId,
    sessionId: `s${i}`,
    user: "CORP\\mallory",
    proxySessionId: "p1",
    endMs: T0 + i,
    outcome,
    lines: outcome === "failed" ? [`Reload failed: forged ${i}`] : [],
    loggers: ["Service.Engine"],
  };
  const app = { id: appId, name: appId === SALES ? "Sales" : "Other", stream: "Everyone", published: true, tags: [], customProperties: [] };
  return engineReloadEvent({ run, app, missing: [], reason: "a published app", nowMs: T0 + i });
}

for (const backend of ["sqlite", "postgres"] as const) {
  describe(`one app's reloads outside the Scheduler on ${backend}`, () => {
    let site: StoreStewards | undefined;
    let rx: HttpReceiver;
    let apps: TestApp[] = [];

    beforeAll(async () => {
      site = await startStoreStewards(
        backend,
        "appreload",
        (url) => `channels:
  hook: { type: webhook, url: "${url}/hook" }
routes:
  - { on: [app.reload_failed], to: [hook] }
`,
      );
      ({ rx, apps } = site);
    }, 120_000);
    afterAll(() => site?.stop());

    const on = (i: number) => apps[i % apps.length]!;
    const sent = () => rx.requests.map((r) => JSON.parse(r.body) as { kind: string; appName: string });

    test("30 failures of one app are one page; the cause lists them; another app pages on its own; a success ends it", async () => {
      await Promise.all(Array.from({ length: 30 }, (_, i) => reload(SALES, i)).map((e, i) => on(i).app.bus.emit(e.kind, e)));
      const other = reload(OTHER, 99);
      await on(0).app.bus.emit(other.kind, other);
      await waitFor(() => rx.requests.length >= 2, { what: "the two pages" });
      await Bun.sleep(1_000);
      expect(sent().map((s) => `${s.kind} ${s.appName}`)).toEqual(["app.reload_failed Sales", "app.reload_failed Other"]);
      const { causes } = (await (await on(1).request("/v4/causes?status=open")).json()) as { causes: ParentView[] };
      expect(causes.map((c) => c.title).sort()).toEqual(["Reloads of Other failing outside the Scheduler", "Reloads of Sales failing outside the Scheduler"]);
      // The other 29 are held as the cause's, each with the reason.
      const held = (await (await on(1).request("/v4/deliveries?status=suppressed&limit=100")).json()) as { deliveries: Array<{ reason: string }> };
      expect(held.deliveries).toHaveLength(29);
      for (const d of held.deliveries) expect(d.reason).toContain("(Reloads of Sales failing outside the Scheduler): listed there, not sent on its own");

      const ok = reload(SALES, 200, "succeeded");
      await on(1).app.bus.emit(ok.kind, ok);
      await waitFor(() => rx.requests.length >= 3, { what: "the recovered page" });
      expect(sent()[2]).toMatchObject({ kind: "app.reload_succeeded", appName: "Sales" });
      const open = (await (await on(0).request("/v4/causes?status=open")).json()) as { causes: ParentView[] };
      expect(open.causes.map((c) => c.title)).toEqual(["Reloads of Other failing outside the Scheduler"]);
    }, 60_000);
  });
}
