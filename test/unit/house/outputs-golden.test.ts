// What people and tools read of Steward stays byte-for-byte the same through a restructuring (issue 56: the seven
// wings moved every folder): the OpenAPI document, the editor JSON Schema, the configuration reference, the config
// errors of the invalid fixtures (key and file line), `config explain`, and the docs. Goldens in test/fixtures/golden;
// a deliberate change of any of them is written there with STEWARD_UPDATE_GOLDEN=1 and shows in the diff.
import { afterAll, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { configExplainCommand } from "../../../src/show/cli/config-explain";
import { configJsonSchema } from "../../../src/composition/config";
import { parseConfigText } from "../../../src/composition/config";
import { createTestApp } from "../../helpers/app";

const ROOT = resolve(import.meta.dir, "../../..");
const GOLDEN = join(ROOT, "test/fixtures/golden");
const update = process.env.STEWARD_UPDATE_GOLDEN === "1";
/** docs/development.md carries the map of the house itself: it changes with the house. */
const DOCS_THAT_CHANGE = new Set(["development.md"]);

function golden(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (update || !existsSync(file)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual).toBe(readFileSync(file, "utf8"));
}

const apps: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const a of apps) await a.close();
});

test("the OpenAPI document", async () => {
  const t = createTestApp("");
  apps.push(t);
  golden("openapi.json", `${JSON.stringify(await (await t.request("/openapi.json")).json(), null, 2)}\n`);
});

test("the editor JSON Schema and the configuration reference", () => {
  golden("config-schema.json", `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  golden(
    "configuration-reference.sha256",
    `${createHash("sha256")
      .update(readFileSync(join(ROOT, "docs/configuration-reference.md")))
      .digest("hex")}\n`,
  );
});

test("the config errors of the invalid fixtures, with their key and file line", () => {
  const dir = join(ROOT, "test/fixtures/config/invalid");
  const lines = readdirSync(dir)
    .sort()
    .map((f) => {
      try {
        parseConfigText(readFileSync(join(dir, f), "utf8"), f, dir, { env: {}, envOverrides: false });
        return `${f}: (valid)`;
      } catch (err) {
        return `${f}: ${(err as Error).message}`;
      }
    });
  golden("config-errors.txt", `${lines.join("\n")}\n`);
});

test("config explain", () => {
  const out: string[] = [];
  for (const key of ["notify.outbox.maxAttempts", "watchdog.runningLong", "qlik.certDir", "intake.confirm.alertUnconfirmed", "security.apiKeys"])
    configExplainCommand(key, (s) => out.push(s));
  golden("config-explain.txt", `${out.join("\n---\n")}\n`);
});

test("the docs (but the page that maps the house)", () => {
  const dir = join(ROOT, "docs");
  const lines = readdirSync(dir)
    .filter((f) => f.endsWith(".md") && !DOCS_THAT_CHANGE.has(f))
    .sort()
    .map(
      (f) =>
        `${createHash("sha256")
          .update(readFileSync(join(dir, f)))
          .digest("hex")}  ${f}`,
    );
  golden("docs.sha256", `${lines.join("\n")}\n`);
});
