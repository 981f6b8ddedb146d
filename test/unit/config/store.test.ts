// The store section: the embedded SQLite file stays the default; a PostgreSQL store is refused by name, with
// the modules that are not on it yet, until every module keeps its state there.
import { expect, test } from "bun:test";
import { parseConfigText } from "../../../src/config/load";
import { MODULES_NOT_ON_POSTGRES } from "../../../src/config/sections/store";

test("without a store section the store is the SQLite file in dataDir", () => {
  const { config } = parseConfigText("", "c.yaml", "/srv/steward");
  expect(config.store).toEqual({});
  expect(config.dataDir).toBe("/srv/steward/data");
});

test("store.postgres is refused with the modules still on SQLite, at its line", () => {
  expect(MODULES_NOT_ON_POSTGRES.length).toBeGreaterThan(0);
  const text = "dataDir: ./d\nstore:\n  postgres:\n    url: postgres://steward:${env:PGPW}@127.0.0.1:5432/steward\n";
  let message = "";
  try {
    parseConfigText(text, "c.yaml", "/x", { env: { PGPW: "secret-pw" } });
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toContain("store.postgres");
  expect(message).toMatch(/^c\.yaml:4:/);
  expect(message).toContain("cannot run on a PostgreSQL store yet");
  for (const m of MODULES_NOT_ON_POSTGRES) expect(message).toContain(m);
  expect(message).not.toContain("secret-pw");
});

test("a URL that is not postgres:// and a certFile without keyFile are errors naming the key", () => {
  expect(() => parseConfigText("store:\n  postgres:\n    url: mysql://x@y/z\n", "c.yaml", "/x")).toThrow(/store\.postgres\.url.*postgres:\/\//s);
  expect(() =>
    parseConfigText("store:\n  postgres:\n    url: postgres://x@y/z\n    tls:\n      certFile: a.pem\n", "c.yaml", "/x"),
  ).toThrow(/store\.postgres\.tls\.keyFile.*certFile and keyFile go together/s);
});
