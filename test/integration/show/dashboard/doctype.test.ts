// Every dashboard page starts with the HTML5 doctype, so browsers render it in standards mode, not quirks mode.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../../helpers/app";

let t: TestApp;
beforeAll(async () => {
  t = createTestApp("");
  await t.app.start();
});
afterAll(() => t.close());

test("dashboard pages begin with <!doctype html>", async () => {
  for (const path of ["/ui", "/ui/events", "/ui/deliveries", "/ui/schedules", "/ui/kv", "/ui/audit", "/ui/login"]) {
    const res = await t.request(path);
    const body = await res.text();
    expect({ path, start: body.slice(0, 15).toLowerCase() }).toEqual({ path, start: "<!doctype html>" });
  }
});
