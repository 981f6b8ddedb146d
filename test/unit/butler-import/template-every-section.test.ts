// Butler 16.0.4's config template (its production_template.yaml) with every section switched on: each leaf key is
// counted once as converted, reported with a reason, or off in Butler, and "converted" is true: the value of each
// converted text key is in the converted config. New Relic blocks that name no account keep their headers and
// attributes (a disabled channel, a REST route that answers 503) instead of losing them.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { convertButlerConfig, renderConfig, type ConvertResult } from "../../../src/platform/config/butler-import";
import { parseConfigText } from "../../../src/composition/config";
import { createTempDir } from "../../helpers/temp-dir";

const TEMPLATE = readFileSync(join(resolve(import.meta.dir, "../../fixtures/butler"), "butler-16.0.4-template.yaml"), "utf8");
const tmp = createTempDir();
afterAll(() => tmp.remove());

type Any = Record<string, any>;

/** Every `enable` and every REST route of the template switched on, and one New Relic account (the template names none). */
function everySectionOn(): string {
  const doc = parse(TEMPLATE) as Any;
  const walk = (v: unknown) => {
    if (!v || typeof v !== "object") return;
    for (const [k, x] of Object.entries(v)) {
      if (k === "enable" && typeof x === "boolean") (v as Any)[k] = true;
      else walk(x);
    }
  };
  walk(doc);
  // Each REST route has its own switch (restServerEndpointsEnable.<route>, no `enable` key).
  const routesOn = (o: Any) => {
    for (const [k, x] of Object.entries(o))
      if (typeof x === "boolean") o[k] = true;
      else if (x && typeof x === "object") routesOn(x);
  };
  routesOn(doc.Butler.restServerEndpointsEnable);
  doc.Butler.thirdPartyToolsCredentials.newRelic = [{ accountName: "Prod NR", insertApiKey: "nr-key", accountId: 4711 }];
  return stringify(doc);
}

/** Leaf paths and values as Butler's tree names them (`Butler.a.b[0].c`). */
function leaves(doc: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (v: unknown, path: string) => {
    if (v !== null && typeof v === "object") {
      const entries = Array.isArray(v)
        ? v.map((x, i) => [`${path}[${i}]`, x] as const)
        : Object.entries(v).map(([k, x]) => [path ? `${path}.${k}` : k, x] as const);
      if (entries.length === 0) out.set(path, v);
      for (const [p, x] of entries) walk(x, p);
    } else out.set(path, v);
  };
  walk(doc, "");
  return out;
}

/** Keys whose text the import turns into Steward's form, so the text itself is not in the output. */
const TRANSLATED = [
  /\.frequency$/, // "every 30 seconds" becomes an interval (30s)
  /^Butler\.emailNotification\.\w+\.priority$/, // Butler's priority words become Steward's high / normal
  /^Butler\.config(QRS|Engine)\.headers\.static\[0\]\.(name|value)$/, // X-Qlik-User becomes qlik.userDirectory and userId
  /^Butler\.configQRS\.authentication$/, // "certificates": the certificate files are converted
  /^Butler\.uptimeMonitor\.logLevel$/, // Butler's level names become Steward's (verbose → debug)
];

const text = everySectionOn();
const r: ConvertResult = convertButlerConfig(text, "butler.yaml");

describe("Butler 16.0.4's template with every section on", () => {
  test("each leaf key is converted, reported with a reason, or off, exactly once; none is unknown", () => {
    const all = [...leaves(parse(text)).keys()];
    const unmapped = r.report.unmapped.flatMap((u) => u.leaves);
    expect(r.report.unmapped.filter((u) => u.reason.startsWith("not a Butler key"))).toEqual([]);
    expect(new Set(unmapped).size).toBe(unmapped.length);
    expect(r.report.mapped + unmapped.length + r.report.off.reduce((n, o) => n + o.leaves, 0)).toBe(all.length);
    for (const u of r.report.unmapped) expect(u.reason.length).toBeGreaterThan(10);
    expect(all.length).toBeGreaterThan(600);
  });

  test("the result is a valid Steward config: the template's placeholder recipients are reported, not copied", () => {
    const c = parseConfigText(renderConfig(r, "butler.yaml"), "converted.yaml", tmp.path, { env: {} }).config as Any;
    expect(c.routes.find((x: Any) => x.name === "email-reload-task-failure").recipients.addresses).toEqual([]);
    const reason = r.report.unmapped.find((u) => u.leaves.includes("Butler.emailNotification.reloadTaskFailure.recipients[0]"))?.reason;
    expect(reason).toContain("placeholder of Butler's template");
  });

  test("a converted key's text value is in the converted config (or its notes), unless the import translates it", () => {
    const out = JSON.stringify([r.config, r.report.review, r.report.actions]);
    const unmapped = new Set(r.report.unmapped.flatMap((u) => u.leaves));
    const offKeys = r.report.off.map((o) => o.key);
    const isOff = (leaf: string) => offKeys.some((k) => leaf === k || leaf.startsWith(`${k}.`) || leaf.startsWith(`${k}[`));
    // Texts that are settings, not data: placeholders, switches, units and enum words the import translates.
    const data = (v: unknown): v is string => typeof v === "string" && v.trim().length > 2 && !/^<.*>$/.test(v.trim()) && !/^(true|false|yes|no)$/i.test(v);
    const lost = [...leaves(parse(text))].filter(
      ([leaf, v]) => data(v) && !unmapped.has(leaf) && !isOff(leaf) && !TRANSLATED.some((t) => t.test(leaf)) && !out.includes(JSON.stringify(v).slice(1, -1)),
    );
    expect(lost.map(([leaf, v]) => `${leaf} = ${String(v)}`)).toEqual([]);
  });

  test("New Relic blocks that name no account keep Butler's headers and attributes", () => {
    // The incident blocks as the template ships them send to no account (both sendToAccount switches off).
    const doc = parse(text) as Any;
    for (const block of ["reloadTaskFailure", "reloadTaskAborted"])
      for (const dest of ["event", "log"]) {
        const to = doc.Butler.incidentTool.newRelic[block].destination[dest].sendToAccount;
        to.always.enable = false;
        to.byCustomProperty.enable = false;
      }
    const idle = convertButlerConfig(stringify(doc), "butler.yaml");
    const c = parseConfigText(renderConfig(idle, "butler.yaml"), "idle.yaml", tmp.path, { env: {} }).config as Any;
    // Disabled channels with Butler's settings, already in the routes.
    const failedEvent = c.channels["newrelic-failed-event"];
    expect(failedEvent).toMatchObject({
      enabled: false,
      accounts: [],
      headers: { "X-My-Header": "Header value 1" },
      attributes: { service: "butler", environment: "prod", "event-specific-attribute 1": "abc 123" },
    });
    expect(c.channels["newrelic-aborted-log"]).toMatchObject({ enabled: false, headers: { "X-My-Header": "Header value 2" } });
    expect(c.routes.find((x: Any) => x.name === "newrelic-failed").to).toContain("newrelic-failed-event");
    // The REST routes name no destinationAccount: kept, and answered 503 until one is named.
    expect(c.newRelic.api.metric).toEqual({ accounts: [], headers: { "X-My-Header": "Header value" }, attributes: { env: "prod" } });
    expect(c.newRelic.api.event).toEqual({ accounts: [], headers: { "X-My-Header": "Header value" }, attributes: { env: "prod" } });
    expect(idle.report.actions.some((a) => a.includes("newrelic-failed-event keeps Butler's headers and attributes but is disabled"))).toBe(true);
    // Counted as converted because they are in the output.
    expect(idle.report.unmapped.flatMap((u) => u.leaves).filter((l) => l.includes("newRelic") && /header|attribute\.static/.test(l))).toEqual([]);
  });

  test("without any New Relic account the New Relic keys are reported, not counted as converted nor as off", () => {
    const doc = parse(text) as Any;
    doc.Butler.thirdPartyToolsCredentials.newRelic = null;
    const none = convertButlerConfig(stringify(doc), "butler.yaml");
    const reason = (leaf: string) => none.report.unmapped.find((u) => u.leaves.includes(leaf))?.reason;
    expect(reason("Butler.incidentTool.newRelic.reloadTaskFailure.sharedSettings.header[0].value")).toContain("names no New Relic account");
    expect(reason("Butler.restServerEndpointsConfig.newRelic.postNewRelicMetric.header[0].value")).toContain("names no New Relic account");
    expect(none.config.newRelic).toBeUndefined();
  });
});
