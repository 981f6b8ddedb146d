// Butler 16.0.4's config template with each of its `enable` switches turned on alone (and service monitoring on):
// whatever else is off, no key of Butler's own template is reported as "not a Butler key Steward knows". Found in an
// admin's trial: service monitoring on with the Teams, Slack, webhook, MQTT and InfluxDB channels off reported
// `serviceMonitor.alertDestination.<channel>.enable` as unknown keys (issue 54).
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { convertButlerConfig } from "../../../src/platform/config/butler-import";

const TEMPLATE = readFileSync(join(resolve(import.meta.dir, "../../fixtures/butler"), "butler-16.0.4-template.yaml"), "utf8");
type Any = Record<string, any>;

/** The paths of every boolean `enable` in the template. */
function switches(doc: unknown, path: string[] = []): string[][] {
  if (!doc || typeof doc !== "object") return [];
  return Object.entries(doc).flatMap(([k, v]) => (k === "enable" && typeof v === "boolean" ? [[...path, k]] : switches(v, [...path, k])));
}

function setAt(doc: Any, path: string[], value: boolean): void {
  let o = doc;
  for (const k of path.slice(0, -1)) o = o[k];
  o[path.at(-1)!] = value;
}

const unknownKeys = (text: string) =>
  convertButlerConfig(text, "butler.yaml")
    .report.unmapped.filter((u) => u.reason.startsWith("not a Butler key"))
    .flatMap((u) => u.leaves);

describe("every key of Butler's own template is known, whichever switches are on", () => {
  const base = parse(TEMPLATE) as Any;
  const all = switches(base);
  test("the template has its switches (sanity)", () => {
    expect(all.length).toBeGreaterThan(40);
  });
  test("service monitoring on with every channel off: its alert destinations are off, not unknown", () => {
    const doc = parse(TEMPLATE) as Any;
    for (const p of all) setAt(doc, p, false);
    setAt(doc, ["Butler", "serviceMonitor", "enable"], true);
    for (const d of ["influxDb", "newRelic", "email", "mqtt", "teams", "slack", "webhook"])
      setAt(doc, ["Butler", "serviceMonitor", "alertDestination", d, "enable"], true);
    const r = convertButlerConfig(stringify(doc), "butler.yaml").report;
    expect(r.unmapped.filter((u) => u.reason.startsWith("not a Butler key"))).toEqual([]);
    for (const d of ["influxDb", "mqtt", "teams", "slack", "webhook"]) expect(r.off.map((o) => o.key)).toContain(`Butler.serviceMonitor.alertDestination.${d}`);
  });
  // One import per switch (about a second alone; several on a machine busy with other jobs).
  test("each switch on alone, with service monitoring on", { timeout: 60_000 }, () => {
    const found: string[] = [];
    // The template with every switch off and service monitoring on, parsed once; each switch turns on in a copy.
    const off = parse(TEMPLATE) as Any;
    for (const q of all) setAt(off, q, false);
    setAt(off, ["Butler", "serviceMonitor", "enable"], true);
    for (const p of all) {
      const doc = structuredClone(off);
      setAt(doc, p, true);
      for (const k of unknownKeys(stringify(doc))) found.push(`${p.join(".")} on: ${k}`);
    }
    expect(found).toEqual([]);
  });
});
