// Replays Butler 16.0.4's recorded REST answers (rest.json: KV, files, schedules, MQTT publish, ping, method
// override) against Steward in order. Each step answers as Butler did, or is an intended difference (docs/switching-from-butler.md,
// "Differences from Butler"), whose own answer is checked instead.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import mqtt from "mqtt";
import { createTestApp, type TestApp } from "../helpers/app";
import { startMosquitto, type TestService } from "../helpers/services";
import { createTempDir, type TempDir } from "../helpers/temp-dir";
import { waitFor } from "../helpers/wait-for";
import { compareWithButler, loadCorpus, readAnswer, requestInit, substitute } from "./corpus";
import { differenceFor } from "./butler-differences";

const STEPS = loadCorpus("rest");
let dir: TempDir;
let broker: TestService;
let t: TestApp;
let sub: mqtt.MqttClient;
const published: Array<{ topic: string; text: string }> = [];
const vars: Record<string, string> = {};

beforeAll(async () => {
  dir = createTempDir("steward-conf-");
  const F = join(dir.path, "site");
  vars.F = F;
  for (const d of ["src", "dst", "outside", "mvsrc", "mvdst", "del/subdir", "qvd", "newdir"]) mkdirSync(join(F, d), { recursive: true });
  for (const f of [
    "src/a.txt",
    "src/a#b.txt",
    "outside/x.txt",
    "mvsrc/m.txt",
    "mvsrc/m2.txt",
    "mvsrc/m3.txt",
    "del/d.txt",
    "del/d2.txt",
    "del/subdir/inner.txt",
  ]) {
    writeFileSync(join(F, f), `content of ${f}\n`);
  }
  broker = await startMosquitto();
  // Butler's recording config, in Steward's words: the same folders, KV with 1000 keys per namespace, MQTT, scheduler.
  t = createTestApp(
    `files:\n  copy: [{ from: ${F}/src, to: ${F}/dst }]\n  move: [{ from: ${F}/mvsrc, to: ${F}/mvdst }]\n  delete: [${F}/del]\n` +
      `  createDir: [${F}/newdir]\n  qvdRoot: ${F}/qvd\n` +
      `kv:\n  maxKeysPerNamespace: 1000\n` +
      `mqtt:\n  url: ${broker.url}\n  reconnect: { initialDelayMs: 100, maxDelayMs: 400 }\n`,
  );
  await t.app.start();
  await waitFor(async () => ((await (await t.request("/ready")).json()) as { components: Record<string, { ok: boolean }> }).components.mqtt?.ok, {
    what: "mqtt connected",
  });
  sub = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
  sub.on("message", (topic, payload) => published.push({ topic, text: payload.toString("utf8") }));
  await sub.subscribeAsync("compat/#", { qos: 1 });
}, 60_000);

afterAll(async () => {
  await sub?.endAsync(true);
  await t?.close();
  await broker?.stop();
  dir?.remove();
});

let ttlSetAt = 0;
/** Every step Butler answered with an error body, with Steward's answer (checked at the end). */
const errorAnswers: Array<{ step: number; butler: Record<string, unknown>; status: number; steward: Record<string, unknown> | undefined }> = [];

for (const raw of STEPS) {
  test(`rest ${raw.step}: ${raw.name}`, async () => {
    const step = substitute(raw, vars);
    // Butler's recording took about 0.7 s a step: the key set with a 2000 ms TTL in step 10 had expired by step 35.
    if (raw.step === 35) await Bun.sleep(Math.max(0, ttlSetAt + 2100 - Date.now()));
    const got = await readAnswer(await t.request(step.path, requestInit(step)));
    if (raw.step === 10) ttlSetAt = Date.now();
    if (raw.step === 97 || raw.step === 98) vars[raw.step === 97 ? "SID" : "SID2"] = (got.json as { id: string }).id;
    const b = step.butler.json as Record<string, unknown> | undefined;
    if (typeof step.butler.status === "number" && step.butler.status >= 400 && b && typeof b === "object") {
      errorAnswers.push({ step: raw.step, butler: b, status: got.status, steward: got.json as Record<string, unknown> | undefined });
    }
    const diff = differenceFor("rest", raw.step);
    const problems = diff
      ? got.status === diff.status
        ? (diff.check?.(got, step.butler) ?? [])
        : [`intended difference: expected Steward's ${diff.status}, got ${got.status}: ${got.text.slice(0, 300)}`]
      : compareWithButler(step.butler, got);
    expect(problems).toEqual([]);
  });
}

test("the MQTT messages Butler published were published: string, number as text, through the override", async () => {
  await waitFor(() => published.length >= 3, { what: "3 messages on compat/test" });
  expect(published.map((m) => m.text)).toEqual(["hello", "42", "via override"]);
});

/**
 * How Steward's error bodies differ from Butler's, as the differences table in docs/switching-from-butler.md says:
 * `statusCode` is kept; `error` holds Steward's message (Butler: the status text); `message` is Steward's wording;
 * `code` is always there and Steward's (Butler: only on Fastify's own errors, FST_ERR_VALIDATION and
 * FST_ERR_CTP_INVALID_JSON_BODY, both BAD_REQUEST here); `details` names the fields of a validation error.
 */
test("error bodies: statusCode kept, message and code Steward's, as documented", () => {
  const CODE_BY_STATUS: Record<number, string> = { 400: "BAD_REQUEST", 403: "PATH_NOT_ALLOWED", 404: "NOT_FOUND", 409: "CONFLICT" };
  const FASTIFY: Record<string, string> = { FST_ERR_VALIDATION: "BAD_REQUEST", FST_ERR_CTP_INVALID_JSON_BODY: "BAD_REQUEST" };
  const problems: string[] = [];
  const errors = errorAnswers.filter((e) => e.status >= 400);
  expect(errors.length).toBeGreaterThan(40);
  for (const { step, butler, status, steward: s } of errors) {
    const want = typeof butler.code === "string" ? FASTIFY[butler.code] : CODE_BY_STATUS[status];
    if (!s) problems.push(`rest ${step}: no JSON body`);
    else {
      if (s.statusCode !== status) problems.push(`rest ${step}: statusCode ${String(s.statusCode)}, status ${status}`);
      if (typeof s.message !== "string" || s.message === "" || s.error !== s.message)
        problems.push(`rest ${step}: error and message should be Steward's message: ${JSON.stringify(s)}`);
      if (s.code !== want) problems.push(`rest ${step}: Butler's code ${String(butler.code)} should be ${want}, got ${String(s.code)}`);
      // A validation error names its field.
      if (butler.code === "FST_ERR_VALIDATION" && !(Array.isArray(s.details) && s.details.length > 0))
        problems.push(`rest ${step}: validation error without details`);
    }
  }
  expect(problems).toEqual([]);
});
