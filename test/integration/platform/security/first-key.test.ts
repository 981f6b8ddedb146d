// The first API key breaks nothing it does not mean to (issue 75, K1). A site converted from Butler, whose load
// scripts call Steward with Butler's subs (butler_subs.qvs) and no key, gets its first key while running, as
// docs/assistants.md says (a read key for the assistant, POST /v4/admin/apikeys). Then, over the network from the
// Qlik node (the simulator is the site, on 127.0.0.1): every sub call is still answered as Butler answered it; /status
// opens to the read key; a browser without a key asking for the dashboard or /status gets an HTML sign-in page while
// an API client keeps the JSON 401; and a caller without a key from an address that is not a node is refused.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { differenceFor } from "../../../conformance/butler-differences";
import { compareWithButler, loadCorpus, readAnswer, requestInit, substitute } from "../../../conformance/corpus";
import { startImportedSite, type ImportedSite } from "../../../conformance/imported-site";
import { prepareSubsFolder, qrsStartsSince } from "../../../conformance/record/subs-site";
import { waitFor } from "../../../helpers/wait-for";

const STEPS = loadCorpus("subs");
let site: ImportedSite;
let base: string;
let readKey: string;

const html = { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };

beforeAll(async () => {
  site = await startImportedSite({ durationMs: 200, prepare: prepareSubsFolder });
  base = site.t.app.server!.url().replace(/\/$/, "");
  await waitFor(async () => ((await (await fetch(`${base}/ready`)).json()) as { components: Record<string, { ok: boolean }> }).components.mqtt?.ok, {
    what: "mqtt connected",
  });
}, 90_000);

afterAll(async () => {
  await site?.close();
});

describe("a Butler site adds its first API key while running", () => {
  test("before it: the dashboard opens without a key; the key is created without one", async () => {
    const ui = await fetch(`${base}/ui`, { headers: html, redirect: "manual" });
    expect(ui.status).toBe(200);
    const r = await fetch(`${base}/v4/admin/apikeys`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "claude-desktop", scopes: ["read"] }),
    });
    expect(r.status).toBe(201);
    const created = (await r.json()) as { key: string; note: string };
    readKey = created.key;
    expect(created.note).toContain(
      "This is the first key: authentication is on now. Callers without a key keep tasks, apps, kv.read, kv.write, files, mqtt from the Qlik nodes (security.anonymous)",
    );
    // Authentication is on now: a keyless read of what Steward knows is refused.
    const incidents = await fetch(`${base}/v4/incidents`);
    expect(incidents.status).toBe(401);
    expect(incidents.headers.get("content-type")).toContain("application/json");
  });

  test("after it: every call of Butler's load-script subs, without a key, is answered as Butler answered it", async () => {
    const problems: string[] = [];
    for (const step of STEPS) {
      const vars = { F: site.F };
      const seq = site.sim.requests.list().at(-1)?.seq ?? 0;
      const got = await readAnswer(await fetch(`${base}${substitute(step.path, vars)}`, substitute(requestInit(step), vars)));
      const butler = substitute(step.butler, vars);
      const diff = differenceFor("subs", step.step);
      const found = diff
        ? got.status === diff.status
          ? (diff.check?.(got, butler) ?? [])
          : [`expected Steward's ${diff.status}, got ${got.status}: ${got.text.slice(0, 300)}`]
        : compareWithButler(butler, got);
      const want = [...(butler.qrsTaskStarts ?? [])].sort();
      if (want.length)
        await waitFor(() => qrsStartsSince(site.sim, seq).length >= want.length, { what: "the task starts", timeoutMs: 10_000 }).catch(() => undefined);
      const starts = qrsStartsSince(site.sim, seq);
      if (!diff && JSON.stringify(starts) !== JSON.stringify(want)) found.push(`QRS starts: Butler ${JSON.stringify(want)}, Steward ${JSON.stringify(starts)}`);
      problems.push(...found.map((p) => `subs ${step.step} ${step.name}: ${p}`));
    }
    expect(problems).toEqual([]);
    expect(await site.t.app.kv!.get("chain", "step")).toMatchObject({ value: "2", ttl: 60000 });
  }, 60_000);

  test("/status opens to the read key; without a key a browser gets an HTML sign-in page, an API client the JSON 401", async () => {
    const withKey = await fetch(`${base}/status`, { headers: { ...html, "x-api-key": readKey } });
    expect(withKey.status).toBe(200);
    expect(withKey.headers.get("content-type")).toContain("text/html");
    const browser = await fetch(`${base}/status`, { headers: html });
    expect(browser.status).toBe(401);
    expect(browser.headers.get("content-type")).toContain("text/html");
    const page = await browser.text();
    expect(page).toContain("Sign in to see the status");
    expect(page).toContain('href="/ui/login"');
    const client = await fetch(`${base}/status`, { headers: { accept: "application/json" } });
    expect(client.status).toBe(401);
    expect(((await client.json()) as { code: string }).code).toBe("UNAUTHORIZED");
  });

  test("the dashboard asks a browser without a key for one with an HTML page", async () => {
    const ui = await fetch(`${base}/ui/incidents`, { headers: html, redirect: "manual" });
    expect(ui.status).toBe(303);
    const login = await fetch(new URL(ui.headers.get("location")!, base), { headers: html });
    expect(login.status).toBe(200);
    expect(login.headers.get("content-type")).toContain("text/html");
    expect(await login.text()).toContain('<form id="login"');
  });

  test("the grant is narrow: a caller without a key from an address that is not a Qlik node is refused, and told why", async () => {
    const from = (ip: string, path: string, init: RequestInit = {}) => Promise.resolve(site.t.app.http.hono.request(path, init, { remoteAddress: ip }));
    const kv = await from("192.0.2.40", "/v4/keyvaluesnamespaces");
    expect(kv.status).toBe(401);
    const body = (await kv.json()) as { message: string };
    expect(body.message).toContain("security.anonymous");
    expect(body.message).toContain("address 192.0.2.40 is not one of them");
    const seq = site.sim.requests.list().at(-1)?.seq ?? 0;
    const start = await from("192.0.2.40", `/v4/reloadtask/${"7552d9fc-d1bb-4975-9a38-18357de531ea"}/start`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-http-method-override": "PUT" },
      body: "[]",
    });
    expect(start.status).toBe(401);
    expect(qrsStartsSince(site.sim, seq)).toEqual([]);
    // The same call from the node is answered.
    expect((await from("127.0.0.1", "/v4/keyvaluesnamespaces")).status).toBe(200);
  });
});
