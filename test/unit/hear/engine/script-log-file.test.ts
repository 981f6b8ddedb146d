// The script log of a reload outside the Scheduler, read from the node's Log\Script folder: the app's file written
// around the reload (by the stamp in its name, else its time on disk), only its end, nothing outside the folder.
import { afterAll, expect, test } from "bun:test";
import { utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readReloadScriptLog, scriptLogDirFor } from "../../../../src/hear/engine/script-log-file";
import { createTempDir } from "../../../helpers/temp-dir";

const APP = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const dir = createTempDir("steward-script-logs-");
afterAll(() => dir.remove());
const END = Date.parse("2026-11-24T10:00:20Z");

test("the folder of a node: by full name, short name, or *", () => {
  const dirs = { "*": "any", sense2: "short", "sense3.corp.example": "full" };
  expect(scriptLogDirFor(dirs, "SENSE2.corp.example")).toBe("short");
  expect(scriptLogDirFor(dirs, "sense3.corp.example")).toBe("full");
  expect(scriptLogDirFor(dirs, "sense9")).toBe("any");
  expect(scriptLogDirFor({}, "sense9")).toBeUndefined();
});

test("the app's log that began around the reload; another app's, an older one and a later one are not it", async () => {
  writeFileSync(join(dir.path, `${APP}.20261124T100000.000+0000.log`), "\uFEFFExecution started.\r\nError: Field 'x' not found\r\n");
  writeFileSync(join(dir.path, `${APP}.20261123T100000.000+0000.log`), "yesterday");
  writeFileSync(join(dir.path, `${APP}.20261124T120000.000+0000.log`), "later");
  writeFileSync(join(dir.path, `5d7ae888-61cd-4539-97b2-6cf5baaa6f9d.20261124T100005.000+0000.log`), "other app");
  const r = await readReloadScriptLog(dir.path, { appId: APP, startMs: END - 20_000, endMs: END }, 1_000_000);
  expect(r).toMatchObject({ ok: true, truncated: false, text: "Execution started.\r\nError: Field 'x' not found\r\n" });
});

test("a name without a stamp: the file's time decides; only the end of a big log is read, from a whole line", async () => {
  const sub = createTempDir("steward-script-logs-");
  try {
    const file = join(sub.path, `${APP}.log`);
    writeFileSync(file, `${"line\r\n".repeat(10_000)}Error: last\r\n`);
    utimesSync(file, new Date(END), new Date(END));
    const r = await readReloadScriptLog(sub.path, { appId: APP, endMs: END }, 100);
    expect(r.ok && r.truncated).toBe(true);
    expect(r.ok && r.text.endsWith("Error: last\r\n")).toBe(true);
    expect(r.ok && r.text.startsWith("line")).toBe(true);
  } finally {
    sub.remove();
  }
});

test("no log, or no folder: a reason, not an error", async () => {
  expect(await readReloadScriptLog(dir.path, { appId: "11111111-2222-4333-8444-555555555555", endMs: END }, 100)).toMatchObject({ ok: false });
  const r = await readReloadScriptLog(join(dir.path, "missing"), { appId: APP, endMs: END }, 100);
  expect(r.ok ? "" : r.reason).toContain("ENOENT");
});
