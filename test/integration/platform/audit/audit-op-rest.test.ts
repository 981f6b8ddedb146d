// Issue 106: an override made over REST is audited as the request's api.write row (details.op
// oncall.override.create); GET /v4/audit?action=oncall.override.create and the dashboard's audit page filtered by it
// find that row, on the real app.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type RotaSite, startRotaSite } from "../../../helpers/rota-site";

let site: RotaSite;
beforeAll(async () => {
  site = await startRotaSite("");
});
afterAll(async () => {
  await site?.stop();
});

test("a filter by an operation finds the REST write that did it, in the API and on the dashboard", async () => {
  const made = await site.t.request("/v4/oncall/overrides", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ schedule: "primary", person: "carl@corp.example", from: "2026-11-26T00:00:00+01:00", until: "2026-11-27T00:00:00+01:00" }),
  });
  expect(made.status).toBe(201);

  const res = await site.t.request("/v4/audit?action=oncall.override.create");
  expect(res.status).toBe(200);
  const { entries } = (await res.json()) as { entries: Array<{ action: string; result: string; details?: Record<string, unknown> }> };
  expect(entries).toHaveLength(1);
  expect(entries[0]).toMatchObject({ action: "api.write", result: "ok", details: { op: "oncall.override.create", person: "carl@corp.example" } });
  expect(((await (await site.t.request("/v4/audit?action=oncall.*")).json()) as { entries: unknown[] }).entries).toHaveLength(1);
  expect(((await (await site.t.request("/v4/audit?action=oncall.override.cancel")).json()) as { entries: unknown[] }).entries).toHaveLength(0);

  const page = await (await site.t.request("/ui/audit?action=oncall.override.create")).text();
  expect(page).toContain('<div class="muted" data-role="op">oncall.override.create</div>');
  expect(page).not.toContain("No audit entries match");
}, 60_000);
