// The file guard's check-then-use race: a separate process swaps sub-folders of the allowed folders for links
// to outside folders in a tight loop while copy, move, delete and mkdir requests run against them. Whatever
// the timing, nothing may be written, moved, deleted or created outside, and no outside file may be copied in.
// Bounded: a fixed number of requests (a few seconds), the swapper stops itself after a deadline.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startProcess, type RunningProcess } from "../../../helpers/child-process";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";

const tmp = createTempDir("steward-file-race-");
const A = join(tmp.path, "allowed");
const O = join(tmp.path, "outside");
const SECRET = "outside secret 51c9";
const ROUNDS = 300; // per operation kind
const CONCURRENCY = 6;
const SWAPPED = ["cin/sub", "cout/sub", "min/sub", "mout/sub", "del/sub", "mk/sub"];
let t: TestApp;
let swapper: RunningProcess;

const req = (method: string, path: string, body: unknown) =>
  t.request(path, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** Every entry below a folder with its type, size and content hash. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) {
        out.push(`${p}/`);
        walk(p);
      } else out.push(`${p} ${st.size} ${st.isFile() ? createHash("sha256").update(readFileSync(p)).digest("hex") : "link"}`);
    }
  };
  walk(dir);
  return out;
}

function filesWithSecretInside(): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && readFileSync(p, "utf8").includes(SECRET)) found.push(p);
    }
  };
  walk(A);
  return found;
}

// Renames each folder away, puts a link to its outside twin in its place, then puts it back, as fast as it can.
const SWAPPER = `
const { renameSync, symlinkSync, unlinkSync, existsSync } = require("node:fs");
const [pairsJson, budgetMs, stopFile] = process.argv.slice(-3);
const pairs = JSON.parse(pairsJson);
const deadline = Date.now() + Number(budgetMs);
let swaps = 0;
console.log("swapping");
while (Date.now() < deadline && !existsSync(stopFile)) {
  for (const [dir, outside] of pairs) {
    try {
      renameSync(dir, dir + ".away");
      symlinkSync(outside, dir);
      unlinkSync(dir);
      renameSync(dir + ".away", dir);
      swaps++;
    } catch {}
  }
}
console.log("swaps " + swaps);
`;

let outsideBefore: string[];

beforeAll(async () => {
  for (const d of SWAPPED) mkdirSync(join(A, d), { recursive: true });
  for (const d of SWAPPED) mkdirSync(join(O, d.replace("/", "-")), { recursive: true });
  writeFileSync(join(A, "cin", "sub", "s.txt"), "inside data");
  writeFileSync(join(O, "cin-sub", "s.txt"), SECRET);
  writeFileSync(join(A, "cin", "f.txt"), "inside data");
  for (let i = 0; i < ROUNDS; i++) {
    writeFileSync(join(A, "min", `m${i}.txt`), "to move");
    writeFileSync(join(A, "min", "sub", `n${i}.txt`), "to move");
    writeFileSync(join(O, "min-sub", `n${i}.txt`), SECRET);
    writeFileSync(join(A, "del", "sub", `d${i}.txt`), "to delete");
    writeFileSync(join(O, "del-sub", `d${i}.txt`), SECRET);
    mkdirSync(join(A, "del", "sub", `dd${i}`));
    writeFileSync(join(A, "del", "sub", `dd${i}`, "x.txt"), "to delete");
    mkdirSync(join(O, "del-sub", `dd${i}`));
    writeFileSync(join(O, "del-sub", `dd${i}`, "x.txt"), SECRET);
  }
  outsideBefore = snapshot(O);
  t = createTestApp(
    `files:\n  copy: [{ from: ${A}/cin, to: ${A}/cout }]\n  move: [{ from: ${A}/min, to: ${A}/mout }]\n  delete: [${A}/del]\n  createDir: [${A}/mk]\n  allowDirectoryDelete: true\n`,
    { dir: join(tmp.path, "steward") },
  );
  const pairs = SWAPPED.map((d) => [join(A, d), join(O, d.replace("/", "-"))]);
  const script = join(tmp.path, "swapper.cjs");
  writeFileSync(script, SWAPPER);
  swapper = startProcess(process.execPath, [script, JSON.stringify(pairs), "60000", join(tmp.path, "stop")]);
  await waitFor(() => swapper.stdout().includes("swapping"), { what: "the swapper", timeoutMs: 10_000 });
});

afterAll(async () => {
  writeFileSync(join(tmp.path, "stop"), "");
  if (!swapper.hasExited()) await swapper.stop();
  await t.close();
  tmp.remove();
});

describe("a folder swapped for a link to outside while requests run", () => {
  test("copy, move, delete and mkdir never reach outside the allowed folders", async () => {
    const statuses: Record<string, Record<number, number>> = {};
    const serverErrorBodies: string[] = [];
    const jobs: Array<[string, () => Promise<Response>]> = [];
    for (let i = 0; i < ROUNDS; i++) {
      jobs.push(["copy-to", () => req("PUT", "/v4/filecopy", { fromFile: `${A}/cin/f.txt`, toFile: `${A}/cout/sub/c${i}/c.txt`, overwrite: true })]);
      jobs.push(["copy-from", () => req("PUT", "/v4/filecopy", { fromFile: `${A}/cin/sub/s.txt`, toFile: `${A}/cout/s${i}.txt`, overwrite: true })]);
      jobs.push(["move-to", () => req("PUT", "/v4/filemove", { fromFile: `${A}/min/m${i}.txt`, toFile: `${A}/mout/sub/m${i}.txt` })]);
      jobs.push(["move-from", () => req("PUT", "/v4/filemove", { fromFile: `${A}/min/sub/n${i}.txt`, toFile: `${A}/mout/n${i}.txt` })]);
      jobs.push(["delete", () => req("DELETE", "/v4/filedelete", { deleteFile: `${A}/del/sub/d${i}.txt` })]);
      jobs.push(["delete-dir", () => req("DELETE", "/v4/filedelete", { deleteFile: `${A}/del/sub/dd${i}` })]);
      jobs.push(["mkdir", () => req("POST", "/v4/createdir", { directory: `${A}/mk/sub/k${i}/deeper` })]);
    }
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const [kind, run] = jobs[next++]!;
        const res = await run();
        const status = res.status;
        if (status >= 500 && serverErrorBodies.length < 10) serverErrorBodies.push(`${kind}: ${await res.text()}`);
        (statuses[kind] ??= {})[status] = (statuses[kind]![status] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    writeFileSync(join(tmp.path, "stop"), "");
    await swapper.exited;
    const swaps = Number(/swaps (\d+)/.exec(swapper.stdout())?.[1] ?? 0);
    console.log(`file race: ${jobs.length} requests, ${swaps} swap rounds`, JSON.stringify(statuses));

    // The race was really run: the swapper kept swapping and every kind of request succeeded sometimes.
    expect(swaps).toBeGreaterThan(100);
    for (const kind of ["copy-to", "copy-from", "move-to", "move-from", "delete", "delete-dir", "mkdir"])
      expect({ kind, ok: (statuses[kind]?.[201] ?? 0) + (statuses[kind]?.[204] ?? 0) > 0 }).toEqual({ kind, ok: true });
    // Zero escapes: the outside folders are exactly as they were, and no outside file was copied or moved in.
    const after = snapshot(O);
    const escapes = { added: after.filter((e) => !outsideBefore.includes(e)), removed: outsideBefore.filter((e) => !after.includes(e)) };
    console.log(`file race: ${escapes.added.length} entries appeared outside, ${escapes.removed.length} changed or vanished`);
    expect(escapes).toEqual({ added: [], removed: [] });
    expect(filesWithSecretInside()).toEqual([]);
    // No internal errors either: every refusal is a 4xx.
    const serverErrors = Object.entries(statuses).flatMap(([kind, s]) =>
      Object.keys(s)
        .filter((code) => Number(code) >= 500)
        .map((code) => `${kind} ${code}`),
    );
    expect({ serverErrors, serverErrorBodies }).toEqual({ serverErrors: [], serverErrorBodies: [] });
    expect(existsSync(join(A, "mk", "sub"))).toBe(true);
  }, 120_000);
});
