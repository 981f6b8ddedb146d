// QRS transport and request checks: client certificate required, xrfkey rules, X-Qlik-User, Qlik's error texts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import https from "node:https";
import { wallLimit } from "../../helpers/time-limit";
import { startTestSim, USER, XRF, type TestSim } from "./helpers";

let t: TestSim;
beforeAll(async () => {
  t = await startTestSim();
});
afterAll(() => t.stop());

const XSRF = "XSRF prevention check failed. Possible XSRF discovered.";

function nodeGet(url: string, opts: https.RequestOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, opts, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.setTimeout(5_000, () => req.destroy(new Error("timeout")));
  });
}

describe("sim QRS: client certificate", () => {
  test("fetch without a client certificate is refused in the TLS handshake", async () => {
    const url = `${t.sim.urls.qrs}/qrs/about?xrfkey=${XRF}`;
    let error: unknown;
    try {
      await fetch(url, { headers: { "X-Qlik-Xrfkey": XRF, "X-Qlik-User": USER }, tls: { ca: t.sim.certs.ca } } as RequestInit);
    } catch (e) {
      error = e;
    }
    expect(error).toBeDefined();
    expect(t.sim.requests.list({ source: "qrs" }).some((r) => r.path === "/qrs/about" && r.query.xrfkey === XRF && r.status === 200)).toBe(false);
  });

  test("node:https without a certificate fails; with the exported client.pem/client_key.pem it works", async () => {
    const url = `${t.sim.urls.qrs}/qrs/about?xrfkey=${XRF}`;
    const headers = { "X-Qlik-Xrfkey": XRF, "X-Qlik-User": USER };
    await expect(nodeGet(url, { ca: t.sim.certs.ca, headers })).rejects.toThrow(/CERTIFICATE_REQUIRED|handshake|socket hang up|ECONNRESET/i);
    const ok = await nodeGet(url, { ca: t.sim.certs.ca, cert: t.sim.certs.clientCert, key: t.sim.certs.clientKey, headers });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).schemaPath).toBe("AboutService");
  });

  // A certificate set made here (about 0.3 CPU s): past the default 5 s beside four busy loops at load 30.
  test(
    "a certificate from another CA is refused",
    async () => {
      const { generateCertSet } = await import("../../../src/sim");
      const other = generateCertSet();
      const url = `${t.sim.urls.qrs}/qrs/about?xrfkey=${XRF}`;
      await expect(
        nodeGet(url, { ca: t.sim.certs.ca, cert: other.clientCert, key: other.clientKey, headers: { "X-Qlik-Xrfkey": XRF, "X-Qlik-User": USER } }),
      ).rejects.toThrow();
    },
    wallLimit(30_000),
  );
});

describe("sim QRS: xrfkey", () => {
  test("missing query key or header → 403 with Qlik's text", async () => {
    const noQuery = await fetch(`${t.sim.urls.qrs}/qrs/about`, { headers: { "X-Qlik-Xrfkey": XRF, "X-Qlik-User": USER }, tls: t.qrs.tls } as RequestInit);
    expect(noQuery.status).toBe(403);
    expect(await noQuery.text()).toBe(XSRF);
    const noHeader = await t.qrs.request("GET", "about", { headers: { "X-Qlik-Xrfkey": "" } });
    expect(noHeader.status).toBe(403);
    expect(noHeader.text).toBe(XSRF);
  });
  test("mismatch, wrong length and non-alphanumeric keys → 403", async () => {
    const mismatch = await t.qrs.request("GET", "about", { headers: { "X-Qlik-Xrfkey": "ABCDEFGHIJKLMNOP" } });
    expect(mismatch.status).toBe(403);
    for (const bad of ["short", "abcdefghijklmnopq", "abcdefgh-jklmnop"]) {
      const r = await t.qrs.request("GET", "about", { xrfkey: bad });
      expect(r.status).toBe(403);
      expect(r.text).toBe(XSRF);
    }
  });
  test("the query parameter name is case-insensitive (Xrfkey, XRFKEY)", async () => {
    for (const name of ["Xrfkey", "XRFKEY"]) {
      const res = await fetch(`${t.sim.urls.qrs}/qrs/about?${name}=${XRF}`, {
        headers: { "X-Qlik-Xrfkey": XRF, "X-Qlik-User": USER },
        tls: t.qrs.tls,
      } as RequestInit);
      expect(res.status).toBe(200);
    }
  });
  test("the key follows the caller's own query parameters", async () => {
    const r = await t.qrs.get("task/count?filter=taskType%20eq%200");
    expect(r.status).toBe(200);
    expect(r.json().value).toBe(15);
  });
});

describe("sim QRS: X-Qlik-User", () => {
  test("missing or unparseable → 403", async () => {
    for (const bad of ["", "sa_repository", "UserDirectory=INTERNAL", "UserId=x", "garbage; more"]) {
      const r = await t.qrs.request("GET", "about", { headers: { "X-Qlik-User": bad } });
      expect(r.status).toBe(403);
    }
  });
  test("parsed tolerantly: spaces, order, case, trailing ;", async () => {
    for (const ok of ["UserDirectory=Internal;UserId=sa_repository", " userid = anna ; userdirectory = CORP ; ", "UserDirectory=CORP; UserId=anna;"]) {
      const r = await t.qrs.request("GET", "about", { headers: { "X-Qlik-User": ok } });
      expect(r.status).toBe(200);
    }
  });
  test("the user who starts a task is recorded as DIRECTORY\\userid in the run's log and UDP context", async () => {
    const r = await t.qrs.request("POST", "task/7552d9fc-d1bb-4975-9a38-18357de531ea/start", {
      body: {},
      headers: { "X-Qlik-User": "UserDirectory=CORP; UserId=anna" },
    });
    expect(r.status).toBe(204);
    expect(t.sim.tasks.runningSessions().find((s) => s.taskId === "7552d9fc-d1bb-4975-9a38-18357de531ea")?.user).toBe("CORP\\anna");
  });
});

describe("sim QRS: error surface", () => {
  test("unknown path → 404; non-GUID id → 400; unknown id → 404; wrong method → 405", async () => {
    expect((await t.qrs.get("nosuchthing")).status).toBe(404);
    const bad = await t.qrs.get("app/not-a-guid");
    expect(bad.status).toBe(400);
    expect((await t.qrs.get("app/00000000-0000-4000-8000-000000000001")).status).toBe(404);
    expect((await t.qrs.request("POST", "task/full", { body: {} })).status).toBe(405);
    expect((await t.qrs.post("task/00000000-0000-4000-8000-000000000001/start")).status).toBe(404);
  });
  test("a raw & inside a filter value → 400 Missing parameter value(s)", async () => {
    const r = await t.qrs.get("task?filter=name eq 'A&B'".replace(/ /g, "%20"));
    expect(r.status).toBe(400);
    expect(r.text).toBe("Missing parameter value(s)");
  });
  test("JSON responses carry charset=utf-8", async () => {
    const r = await t.qrs.get("about");
    expect(r.headers.get("content-type")).toBe("application/json; charset=utf-8");
  });
  test("every request is in the request log with method, path, query and header subset", async () => {
    await t.qrs.get("tag?privileges=true");
    const entry = t.sim.requests.list({ source: "qrs", pathContains: "/qrs/tag" }).at(-1)!;
    expect(entry.method).toBe("GET");
    expect(entry.query).toEqual({ privileges: "true", xrfkey: XRF });
    expect(entry.headers.xrfkey).toBe(XRF);
    expect(entry.headers.user).toBe(USER);
    expect(entry.status).toBe(200);
  });
});
