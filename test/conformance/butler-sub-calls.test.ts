// Replays the 38 load-script sub calls Butler 16.0.4 answered (test/fixtures/butler-16.0.4/subs.json, built by
// record/subs-calls.ts as butler_subs.qvs builds them) against Steward on the config the importer makes of Butler's
// recording config: same status and body, and the same QRS task starts. Intended differences are rows "subs N" of
// docs/switching-from-butler.md's table, checked as Steward's own answer.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../helpers/wait-for";
import { differenceFor } from "./butler-differences";
import { compareWithButler, loadCorpus, readAnswer, requestInit, substitute } from "./corpus";
import { startImportedSite, type ImportedSite } from "./imported-site";
import { prepareSubsFolder, qrsStartsSince } from "./record/subs-site";

const STEPS = loadCorpus("subs");
let site: ImportedSite;

beforeAll(async () => {
  site = await startImportedSite({ durationMs: 200, prepare: prepareSubsFolder });
  await waitFor(async () => ((await (await site.t.request("/ready")).json()) as { components: Record<string, { ok: boolean }> }).components.mqtt?.ok, {
    what: "mqtt connected",
  });
}, 90_000);

afterAll(async () => {
  await site?.close();
});

for (const step of STEPS) {
  test(`subs ${step.step}: ${step.name}`, async () => {
    const vars = { F: site.F };
    const seq = site.sim.requests.list().at(-1)?.seq ?? 0;
    const got = await readAnswer(await site.t.request(substitute(step.path, vars), substitute(requestInit(step), vars)));
    const butler = substitute(step.butler, vars);
    const diff = differenceFor("subs", step.step);
    const problems = diff
      ? got.status === diff.status
        ? (diff.check?.(got, butler) ?? [])
        : [`intended difference: expected Steward's ${diff.status}, got ${got.status}: ${got.text.slice(0, 300)}`]
      : compareWithButler(butler, got);
    const want = [...(butler.qrsTaskStarts ?? [])].sort();
    if (want.length)
      await waitFor(() => qrsStartsSince(site.sim, seq).length >= want.length, { what: "the task starts", timeoutMs: 10_000 }).catch(() => undefined);
    const starts = qrsStartsSince(site.sim, seq);
    if (!diff && JSON.stringify(starts) !== JSON.stringify(want))
      problems.push(`QRS starts: Butler ${JSON.stringify(want)}, Steward ${JSON.stringify(starts)}`);
    expect(problems).toEqual([]);
  });
}

test("what the calls did: the files copied and moved, the folders made, the key stored with its TTL", async () => {
  for (const f of ["dst/a.txt", "dst/b.txt", "mvdst/m.txt", "mvdst/m2.txt", "qvd/made", "qvd/staging/2026"]) expect(existsSync(join(site.F, f))).toBe(true);
  for (const f of ["mvsrc/m.txt", "del/d.txt", "del/d2.txt"]) expect(existsSync(join(site.F, f))).toBe(false);
  expect(await site.t.app.kv!.get("chain", "step")).toMatchObject({ value: "2", ttl: 60000 });
  expect(site.messages.filter((m) => m.topic === "qliksense/subs").map((m) => m.text)).toEqual(["reload done"]);
  expect(site.hook.requests.filter((r) => r.path === "/slack-rest").length).toBe(1);
});
