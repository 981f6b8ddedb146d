// Every YAML example in README.md, docs/ and bench/README.md passes `steward config check`, in a folder set up like
// a server's (the QMC certificate export in ./certs, an HTTPS pair, CA files, a template folder), with its
// ${env:…} values in the secrets file next to it. A block marked ```yaml fragment is part of a config: it is merged
// into a small base config (a Qlik connection and the channels the examples route to) and checked whole.
// Examples with Windows folders are checked as `config check` checks them on Windows.
// docs/configuration-reference.md is left to test/unit/platform/config/reference.test.ts, which puts each of its examples
// in place in config/full.yaml (they are single keys, not configs).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { checkConfigFile } from "../../../src/show/cli/config-commands";
import { cachedCertSet } from "../../helpers/sim-certs";
import { createTempDir, type TempDir } from "../../helpers/temp-dir";
import { codeBlocks, docFiles, read, rel } from "./markdown";

/** What a fragment is merged into. */
const BASE = {
  qlik: { host: "sense1.corp.example", certDir: "./certs" },
  channels: {
    "ops-mail": { type: "email", smtp: { host: "smtp.corp.example" }, from: "Qlik Sense <qliksense-noreply@corp.example>", to: ["qlik-ops@corp.example"] },
    "ops-slack": { type: "slack", webhookUrl: "https://hooks.slack.com/services/T000/B000/docs" },
    "ops-teams": { type: "teams", webhookUrl: "https://corp.webhook.office.com/workflows/docs/triggers/manual/paths/invoke" },
    metrics: { type: "influxdb", url: "http://influx.corp.example:8086", database: "senseops" },
  },
};

interface Example {
  file: string;
  line: number;
  fragment: boolean;
  text: string;
}

function examples(): Example[] {
  return docFiles()
    .filter((f) => !f.endsWith("docs/configuration-reference.md"))
    .flatMap((file) =>
      codeBlocks(read(file))
        .filter((b) => /^ya?ml(\s|$)/.test(b.info))
        .map((b) => ({ file, line: b.line, fragment: /\bfragment\b/.test(b.info), text: b.body })),
    );
}

/** Top-level sections: maps merge one level down (a fragment's channel replaces the base's of that name), lists add up. */
export function mergeFragment(base: Record<string, unknown>, fragment: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base);
  for (const [key, value] of Object.entries(fragment)) {
    const have = out[key];
    if (Array.isArray(have) && Array.isArray(value)) out[key] = [...have, ...value];
    else if (isMap(have) && isMap(value)) out[key] = { ...have, ...value };
    else out[key] = value;
  }
  return out;
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Values shaped like the real thing for the ${env:NAME} placeholders an example uses. */
function secretsFor(text: string): string {
  const names = [...new Set([...text.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!))];
  return names.map((n) => `${n}=${/URL|WEBHOOK/.test(n) ? `https://hooks.example.invalid/${n.toLowerCase()}` : `docs-example-${n.toLowerCase()}`}`).join("\n");
}

let server: TempDir;

beforeAll(() => {
  server = createTempDir("steward-docs-");
  const certs = join(server.path, "certs");
  mkdirSync(certs);
  // The test suite's cached set for these host names (test/helpers/sim-certs.ts): RSA keys made once, not per run.
  const set = cachedCertSet(["sense1.corp.example", "steward.corp.example"]);
  const files: Record<string, string> = {
    "client.pem": set.clientCert,
    "client_key.pem": set.clientKey,
    "root.pem": set.ca,
    "steward.pem": set.serverCert,
    "steward.key": set.serverKey,
    "clients-ca.pem": set.ca,
    "pg-ca.pem": set.ca,
    "mqtt-ca.pem": set.ca,
    "corp-root-ca.pem": set.ca,
  };
  for (const [name, pem] of Object.entries(files)) writeFileSync(join(certs, name), pem);
  mkdirSync(join(server.path, "alert-templates"));
});

afterAll(() => server?.remove());

describe("YAML examples in the docs", () => {
  const all = examples();

  test("there are examples, whole configs and fragments", () => {
    expect(all.filter((e) => !e.fragment).length).toBeGreaterThanOrEqual(2);
    expect(all.filter((e) => e.fragment).length).toBeGreaterThanOrEqual(15);
  });

  test("a fragment is merged into the base, not checked alone", () => {
    const merged = mergeFragment(BASE, { channels: { extra: { type: "slack" } }, routes: [{ on: ["task.failed"] }] });
    expect(Object.keys(merged.channels as object)).toEqual(["ops-mail", "ops-slack", "ops-teams", "metrics", "extra"]);
    expect(merged.routes).toEqual([{ on: ["task.failed"] }]);
  });

  test("the check catches a broken example", () => {
    writeFileSync(join(server.path, "broken.yaml"), "routes:\n  - { on: [task.failed], to: [nowhere] }\n");
    expect(() => checkConfigFile(join(server.path, "broken.yaml"))).toThrow(/no channel named "nowhere"/);
  });

  for (const ex of all) {
    test(`${rel(ex.file)}:${ex.line} ${ex.fragment ? "(fragment) " : ""}passes steward config check`, () => {
      const data = parse(ex.text) as Record<string, unknown> | null;
      expect(isMap(data) || (data === null && !ex.fragment)).toBe(true);
      const config = ex.fragment ? mergeFragment(BASE, data!) : ex.text;
      const name = `example-${ex.line}`;
      const file = join(server.path, `${name}.yaml`);
      writeFileSync(file, typeof config === "string" ? config : stringify(config));
      writeFileSync(join(server.path, `${name}.env`), secretsFor(ex.text));
      // D:\… folders are Windows folders: checked by Windows' rules, as `config check` on the Windows server does.
      const flavour = /\b[A-Za-z]:\\/.test(ex.text) ? "win32" : "posix";
      expect(() => checkConfigFile(file, { flavour })).not.toThrow();
    });
  }
});
