// A flood of silences is bounded: past MAX_OPEN_SILENCES active or coming ones, another is refused with a 409 (every
// event is matched against each), and an ended one makes room again.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { MAX_OPEN_SILENCES } from "../../../../src/tell/silences/service";
import { createTestApp, type TestApp } from "../../../helpers/app";

let t: TestApp;
beforeAll(async () => {
  t = createTestApp("");
  await t.app.start();
});
afterAll(() => t?.close());

const create = (i: number) =>
  t.request("/v4/silences", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ matcher: { taskNames: [`flood-${i}`] }, reason: "flood", duration: "1h" }),
  });

test("past the cap a silence is refused, and ending one makes room", async () => {
  for (let i = 0; i < MAX_OPEN_SILENCES; i++) expect((await create(i)).status).toBe(201);
  const refused = await create(MAX_OPEN_SILENCES);
  expect(refused.status).toBe(409);
  expect(((await refused.json()) as { error: string }).error).toContain(`${MAX_OPEN_SILENCES} active or coming silences`);
  expect((await t.request("/v4/silences/1", { method: "DELETE" })).status).toBe(200);
  expect((await create(MAX_OPEN_SILENCES + 1)).status).toBe(201);
}, 60_000);
