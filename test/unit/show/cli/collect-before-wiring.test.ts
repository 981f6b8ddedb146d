// `steward run` collects what its imports and the config parse left once, after reading the config and before wiring
// the app (runtime.collectBeforeWiring: JavaScriptCore does not move objects, so the wiring's objects fill the cells
// freed instead of new heap blocks; about 1 MiB of idle RSS, bench/README.md). Runs runCommand in a fresh process with
// Bun.gc counted, noting whether the store's database existed at the collection, until /ready answers.
import { afterAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { createTempDir } from "../../../helpers/temp-dir";
import { freeTcpPort } from "../../../helpers/free-port";
import { freshProcessReport } from "../../../helpers/fresh-process-report";

const ROOT = resolve(import.meta.dir, "../../../..");
const tmp = createTempDir();
afterAll(() => tmp.remove());

test("steward run collects once before the app is wired, not after", async () => {
  const port = await freeTcpPort();
  const dataDir = join(tmp.path, "data");
  const file = join(tmp.path, "steward.yaml");
  await Bun.write(
    file,
    `dataDir: ${JSON.stringify(dataDir)}\nlogging: { level: silent, format: json }\nhttp: { host: 127.0.0.1, port: ${port} }\nudp: { host: 127.0.0.1, port: 0 }\n`,
  );
  const script = `
    const { existsSync } = await import("node:fs");
    const events = [];
    const gc = Bun.gc;
    Bun.gc = (full) => { events.push(existsSync(${JSON.stringify(join(dataDir, "steward.db"))}) ? "collect, store open" : "collect"); return gc(full); };
    const { runCommand } = await import(${JSON.stringify(join(ROOT, "src/show/cli/run.ts"))});
    const done = runCommand({ config: ${JSON.stringify(file)} });
    for (let i = 0; i < 400; i++) {
      const ok = await fetch("http://127.0.0.1:${port}/ready").then((r) => r.ok, () => false);
      if (ok) break;
      await Bun.sleep(25);
    }
    events.push("ready");
    process.kill(process.pid, "SIGTERM");
    const code = await done;
    console.error("RAN " + JSON.stringify({ code, events }));
    process.exit(0);
  `;
  expect(await freshProcessReport(script)).toEqual({ code: 0, events: ["collect", "ready"] });
  expect(existsSync(join(dataDir, "steward.db"))).toBe(true); // the store was opened: the check above could see it
}, 60_000);
