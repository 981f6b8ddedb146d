// Issue 103: the status routes answer the same for a promise that does not exist as for one the reader may not see
// (a promise none of whose apps the status page shows). Before, the feed answered 404 naming the promise asked for
// when it did not exist and 200 with its text when it did, so a reader could try names and learn the site's promises.
import { afterEach, expect, test } from "bun:test";
import { sha256Hex } from "../../../../src/platform/security/api-keys";
import { createTestApp, type TestApp } from "../../../helpers/app";

const SALES = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const PAYROLL = "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
const STATUS_KEY = "status-key-for-the-extension-0001";
const open: TestApp[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

async function app(): Promise<TestApp> {
  const t = createTestApp(
    `security:\n  apiKeys:\n    - { name: portal, hash: "sha256:${sha256Hex(STATUS_KEY)}", scopes: [status] }\n` +
      `freshness:\n  interval: 1h\n  promises:\n    sales-morning:\n      appIds: [${SALES}]\n      freshBy: "07:00"\n` +
      `    payroll-close:\n      appIds: [${PAYROLL}]\n      freshBy: "05:00"\n`,
  );
  open.push(t);
  // Steward has seen Sales load; Payroll never: its promise covers no app the status page shows.
  await t.app.freshness!.store.recordReload({ appId: SALES, appName: "Sales", stream: "Sales", tags: [], ok: true, atMs: Date.now(), task: "Reload Sales" });
  return t;
}

const read = async (t: TestApp, path: string) => {
  const r = await t.request(path, { headers: { "x-api-key": STATUS_KEY } });
  return { status: r.status, type: r.headers.get("content-type"), body: await r.text() };
};

test("the feed of a promise that does not exist and of one no shown app has: the same answer, naming neither", async () => {
  const t = await app();
  const page = await read(t, "/status");
  expect(page.status).toBe(200);
  expect(page.body).not.toContain("payroll-close");
  expect((await read(t, "/status/feed.atom?promise=sales-morning")).status).toBe(200);

  const hidden = await read(t, "/status/feed.atom?promise=payroll-close");
  const unknown = await read(t, "/status/feed.atom?promise=payroll-closing");
  expect(hidden.status).toBe(404);
  expect(unknown).toEqual(hidden);
  expect(hidden.body).not.toContain("payroll");
  expect(JSON.parse(hidden.body)).toMatchObject({ code: "NOT_FOUND" });
  // The same for an app: one no promise covers and one Steward never saw.
  const unseen = await read(t, `/status/feed.atom?appId=${PAYROLL}`);
  const none = await read(t, "/status/feed.atom?appId=00000000-0000-4000-8000-000000000000");
  expect(unseen.status).toBe(404);
  expect({ ...none, body: none.body.replace("00000000-0000-4000-8000-000000000000", PAYROLL) }).toEqual(unseen);
});
