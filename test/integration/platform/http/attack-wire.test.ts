// The REST API under attacks on the wire, for every operation /openapi.json lists with a body: 50 MB sent in chunks
// and with a Content-Length (http.bodyLimitBytes is 1 MiB), a connection reset in the middle of the body, and
// senders one byte at a time. Each is refused or dropped without a 5xx, without writing anything, with the body
// never read far past its limit, and Steward answers afterwards.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type AttackSite, fill, rawExchange, serverErrors, startAttackSite, streamBody, trickle } from "./attack-site";
import { wallLimit } from "../../../helpers/time-limit";

let site: AttackSite;
beforeAll(async () => {
  site = await startAttackSite();
});
afterAll(async () => {
  await site?.close();
});

const MiB = 1024 * 1024;
const withBody = () => site.ops.filter((op) => op.method !== "GET" && op.path !== "/v4/admin/reload");

test(
  "50 MB bodies, chunked or announced, are refused with 413 after at most a few MiB, to every operation",
  async () => {
    const before = site.files();
    const rssBefore = process.memoryUsage().rss;
    const wrong: string[] = [];
    let attempts = 0;
    let resets = 0;
    for (const op of withBody()) {
      for (const chunked of [true, false]) {
        attempts++;
        const a = await streamBody(site.port, op.method, fill(op, "x1"), { total: 50 * 1000 * 1000, chunked });
        // The runtime refuses a body past the limit as it arrives (its 413 has no JSON body); Steward's own check
        // answers {error, code: PAYLOAD_TOO_LARGE} when the runtime let it through.
        // The server may also close on a body it will not read while bytes are still coming: its kernel then resets the
        // connection, and the reset can overtake the 413 (seen beside busy loops; no answer at all, after 3.75 MiB).
        // That is a refusal too; serverErrors below still holds every answer Steward gave to no 5xx.
        const refused = a.status === 413 || (a.status === 0 && a.closedBy === "server");
        if (a.status === 0) resets++;
        if (!refused || a.sent > 8 * MiB) wrong.push(`${op.method} ${op.path} chunked=${chunked}: ${a.status} after ${a.sent} bytes`);
        if (a.body && JSON.parse(a.body).code !== "PAYLOAD_TOO_LARGE") wrong.push(`${op.method} ${op.path}: ${a.body.slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
    // Most refusals are the 413 itself: a listener that only ever dropped the connection would not pass. (Resets grow
    // with the machine's load: 30 of 120 in a loaded clean-clone run, where a quarter was the bound.)
    expect(resets).toBeLessThan(attempts / 2);
    // A chunked body is refused by the listener while the route reads it: that read failing is the 413 too, not a 500.
    expect(await serverErrors(site.url)).toEqual([]);
    expect(site.files()).toEqual(before);
    // Nothing was held: well over a hundred 50 MB bodies went to the same process as this test.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * MiB);
    expect((await site.h.t.app.kv!.namespaces()) ?? []).toEqual([]);
    expect((await fetch(`${site.url}/health`)).status).toBe(200);
  },
  wallLimit(30_000),
);

test(
  "a connection reset in the middle of the body is no server error: nothing stored, no 5xx counted or audited",
  async () => {
    const before = site.files();
    for (const op of withBody()) {
      const a = await streamBody(site.port, op.method, fill(op, "x1"), { total: 800_000, chunked: false, resetAt: 400_000 });
      expect(a.closedBy).toBe("us");
    }
    // Each route has read, failed and answered (to nobody) by the time the next exchange was over, but give the
    // last one a moment.
    await Bun.sleep(200);
    expect(await serverErrors(site.url)).toEqual([]);
    const audit = (await (await fetch(`${site.url}/v4/audit?limit=500`)).json()) as { entries: Array<{ target: string; details?: { status?: number } }> };
    // 503 is a feature that is not configured here (license release), whatever the body.
    const failed = audit.entries.filter((e) => (e.details?.status ?? 0) >= 500 && e.details?.status !== 503);
    expect(failed.map((e) => e.target)).toEqual([]);
    expect(site.files()).toEqual(before);
    expect((await site.h.t.app.kv!.namespaces()) ?? []).toEqual([]);
    expect((await fetch(`${site.url}/health`)).status).toBe(200);
  },
  wallLimit(30_000),
);

test(
  "a sender of one byte a second is cut off (headers or body), and others are answered meanwhile",
  async () => {
    // Each would take minutes to finish; the listener's deadline (10 s, on a 4 s tick) ends both long before.
    const headers = `GET /v4/butlerping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ${"p".repeat(300)}\r\n\r\n`;
    const body = JSON.stringify({ key: "slow", value: "v".repeat(300) });
    const bodyHead = `POST /v4/keyvalues/slow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const slowHeaders = trickle(site.port, headers, 1000, 25_000);
    const slowBody = trickle(site.port, body, 1000, 25_000, bodyHead);
    await Bun.sleep(1500);
    expect((await fetch(`${site.url}/v4/butlerping`)).status).toBe(200);
    const [h, b] = await Promise.all([slowHeaders, slowBody]);
    expect(h.closedAfterMs).toBeDefined();
    expect(h.sent).toBeLessThan(headers.length);
    expect(h.answer).toBe("");
    expect(b.closedAfterMs).toBeDefined();
    expect(b.sent).toBeLessThan(body.length);
    expect(await site.h.t.app.kv!.keys("slow")).toBeUndefined();
    expect(await serverErrors(site.url)).toEqual([]);
  },
  wallLimit(30_000),
);

test("CONNECT (a proxy's method, with an authority for its target) is a 400 naming the method, never a 500", async () => {
  for (const target of ["127.0.0.1:22", "sense1.corp.example:4242", "[::1]:9998", "/v4/butlerping"]) {
    const a = await rawExchange(site.port, `CONNECT ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    expect(a.status).toBe(400);
    expect(JSON.parse(a.body)).toMatchObject({ code: "BAD_REQUEST", details: [{ field: "method" }] });
  }
  expect(await serverErrors(site.url)).toEqual([]);
});
