// File-route attacks beyond the hostile-path corpus: over-long names, Unicode look-alikes (NFC/NFD on Linux,
// case-folding look-alikes on Windows), a symbolic link moved to a folder where it points elsewhere, a parent
// folder swapped for a link between two requests, and an allowed folder that is a link re-pointed after start.
// A folder swapped for a link *during* one request: test/unit/keep/files/check-then-use.test.ts (deterministic) and
// test/integration/platform/security/file-race.test.ts (a swapper process in a tight loop).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import type { AppError } from "../../../../src/platform/core/errors";
import { normaliseRequestPath } from "../../../../src/keep/files/path-rules";
import { resolveInside, type ResolverFs } from "../../../../src/keep/files/path-resolve";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createTempDir } from "../../../helpers/temp-dir";

const tmp = createTempDir("steward-attacks-files-");
const A = join(tmp.path, "allowed");
const O = join(tmp.path, "outside");
const CAFE = "caf\u00e9"; // NFC
let t: TestApp;
const errors: string[] = [];

const req = (method: string, path: string, body: unknown) =>
  t.request(path, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

beforeAll(() => {
  for (const d of ["in", "out", "min/a/b", "mout", "del", "mk", CAFE]) mkdirSync(join(A, d), { recursive: true });
  mkdirSync(O, { recursive: true });
  writeFileSync(join(A, "in", "f.txt"), "data");
  writeFileSync(join(A, "min", "f.txt"), "inside min");
  // Inside min it points to min/f.txt; moved to mout it would point two folders above mout.
  symlinkSync("../../f.txt", join(A, "min", "a", "b", "lnk"));
  writeFileSync(join(A, CAFE, "f.txt"), "nfc");
  const stream = new Writable({ write: (chunk, _e, cb) => (String(chunk).includes('"level":50') && errors.push(String(chunk)), cb()) });
  t = createTestApp(
    `files:\n  copy: [{ from: ${A}/in, to: ${A}/out }, { from: ${A}/${CAFE}, to: ${A}/out }]\n  move: [{ from: ${A}/min, to: ${A}/mout }]\n  delete: [${A}/del]\n  createDir: [${A}/mk]\n`,
    { dir: join(tmp.path, "steward"), log: pino({ level: "info" }, stream) },
  );
});
afterAll(async () => {
  await t.close();
  tmp.remove();
});

describe("file routes under attack", () => {
  test("an over-long name is a 400, not an internal error", async () => {
    const long = "n".repeat(300);
    const attempts = [
      req("PUT", "/v4/filecopy", { fromFile: `${A}/in/${long}`, toFile: `${A}/out/x.txt` }),
      req("PUT", "/v4/filecopy", { fromFile: `${A}/in/f.txt`, toFile: `${A}/out/${long}` }),
      req("PUT", "/v4/filemove", { fromFile: `${A}/min/${long}`, toFile: `${A}/mout/x.txt` }),
      req("DELETE", "/v4/filedelete", { deleteFile: `${A}/del/${long}` }),
      req("POST", "/v4/createdir", { directory: `${A}/mk/${long}/sub` }),
      req("PUT", "/v4/filecopy", { fromFile: `${A}/in/f.txt`, toFile: `${A}/out/${"d/".repeat(2100)}x` }),
    ];
    const statuses = await Promise.all(attempts.map(async (p) => (await p).status));
    expect(statuses).toEqual([400, 400, 400, 400, 400, 400]);
    expect(errors).toEqual([]);
  });

  test("Unicode look-alikes of an allowed folder (NFD of an NFC name, fullwidth, dot leaders) are other names", async () => {
    const nfd = "cafe\u0301";
    expect(nfd.normalize("NFC")).toBe(CAFE);
    for (const from of [`${A}/${nfd}/f.txt`, `${A}/\uff49n/f.txt`, `${A}/in\u200b/f.txt`, `${A}/in/\u2025/${CAFE}/f.txt`]) {
      const r = await req("PUT", "/v4/filecopy", { fromFile: from, toFile: `${A}/out/u.txt` });
      expect({ from, status: r.status }).toEqual({ from, status: r.status === 404 ? 404 : 403 });
    }
    expect(existsSync(join(A, "out", "u.txt"))).toBe(false);
    expect((await req("PUT", "/v4/filecopy", { fromFile: `${A}/${CAFE}/f.txt`, toFile: `${A}/out/u.txt` })).status).toBe(201);
  });

  test("a symbolic link is not moved (a relative one would point elsewhere from its new folder)", async () => {
    const r = await req("PUT", "/v4/filemove", { fromFile: `${A}/min/a/b/lnk`, toFile: `${A}/mout/lnk` });
    expect(r.status).toBe(403);
    expect((await r.json()).error).toContain("symbolic link");
    expect(lstatSync(join(A, "min", "a", "b", "lnk")).isSymbolicLink()).toBe(true);
    expect(readdirSync(join(A, "mout"))).toEqual([]);
    // The file itself moves.
    expect((await req("PUT", "/v4/filemove", { fromFile: `${A}/min/f.txt`, toFile: `${A}/mout/f.txt` })).status).toBe(201);
  });

  test("a FIFO planted under a file's name neither hangs a copy nor receives one", async () => {
    execFileSync("mkfifo", [join(A, "in", "pipe"), join(A, "out", "pipe")]);
    const from = await req("PUT", "/v4/filecopy", { fromFile: `${A}/in/pipe`, toFile: `${A}/out/from-pipe.txt` });
    expect(from.status).toBe(400);
    expect(await from.json()).toMatchObject({ error: "fromFile: is not a regular file" });
    const to = await req("PUT", "/v4/filecopy", { fromFile: `${A}/in/f.txt`, toFile: `${A}/out/pipe`, overwrite: true });
    expect(to.status).toBe(409);
    expect(existsSync(join(A, "out", "from-pipe.txt"))).toBe(false);
  }, 5000);

  test("a folder swapped for a link to outside between two requests is noticed by the second", async () => {
    mkdirSync(join(A, "out", "sub"));
    expect((await req("PUT", "/v4/filecopy", { fromFile: `${A}/in/f.txt`, toFile: `${A}/out/sub/1.txt` })).status).toBe(201);
    renameSync(join(A, "out", "sub"), join(A, "out", "sub-old"));
    symlinkSync(O, join(A, "out", "sub"));
    expect((await req("PUT", "/v4/filecopy", { fromFile: `${A}/in/f.txt`, toFile: `${A}/out/sub/2.txt` })).status).toBe(403);
    expect(readdirSync(O)).toEqual([]);
  });
});

describe("an allowed folder that is itself a link", () => {
  test("keeps the target it had at start; re-pointed later, requests are refused and nothing reaches the new target", async () => {
    const first = join(tmp.path, "qvd-1");
    const other = join(tmp.path, "qvd-2");
    const linked = join(tmp.path, "qvd-link");
    mkdirSync(first);
    mkdirSync(other);
    symlinkSync(first, linked);
    const app = createTestApp(`files:\n  createDir: [${linked}]\n  copy: [{ from: ${A}/in, to: ${linked} }]\n`, { dir: join(tmp.path, "steward-linked") });
    try {
      const mk = (d: string) =>
        app.request("/v4/createdir", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ directory: d }) });
      expect((await mk(`${linked}/a`)).status).toBe(201);
      expect(existsSync(join(first, "a"))).toBe(true);
      unlinkSync(linked);
      symlinkSync(other, linked);
      const r = await mk(`${linked}/b`);
      expect(r.status).toBe(403);
      expect((await r.json()).error).toContain("restart Steward");
      const copy = await app.request("/v4/filecopy", {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ fromFile: `${A}/in/f.txt`, toFile: `${linked}/f.txt` }),
      });
      expect(copy.status).toBe(403);
      expect(readdirSync(other)).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe("Windows case folding", () => {
  // An in-memory Windows file system where nothing below the root exists yet (every lstat is ENOENT).
  const emptyFs: ResolverFs = {
    lstat: async () => {
      throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
    },
    readlink: async () => "",
    realpath: async (p) => p,
  };
  const roots = [
    { configured: "C:\\Qlik\\Stock", real: "C:\\Qlik\\Stock" },
    { configured: "C:\\Qlik\\\u0130nbox", real: "C:\\Qlik\\\u0130nbox" },
  ];
  const resolve = async (raw: string) => {
    try {
      return (await resolveInside(normaliseRequestPath(raw, "p", "win32", false), roots, "p", "win32", emptyFs)).real;
    } catch (err) {
      return (err as AppError).status;
    }
  };

  test("letters that only JavaScript lower-cases to the root's letters are other names on NTFS", async () => {
    // KELVIN SIGN lower-cases to "k", DOTTED CAPITAL I to "i̇", OHM SIGN to "ω": NTFS keeps them distinct.
    for (const raw of [
      "C:\\Qlik\\Stoc\u212a\\x.qvd",
      "C:\\Qlik\\\u212astock\\x.qvd",
      "C:\\Qlik\\i\u0307nbox\\x.qvd",
      "C:\\Qlik\\STOC\u212a\\..\\Stoc\u212a\\x",
    ]) {
      expect({ raw, got: await resolve(raw) }).toEqual({ raw, got: 403 });
    }
  });

  test("plain ASCII case differences still name the allowed folder, resolved to its real spelling", async () => {
    expect(await resolve("C:\\QLIK\\stock\\Sub\\x.qvd")).toBe("C:\\Qlik\\Stock\\Sub\\x.qvd");
    expect(await resolve("c:/qlik/STOCK/x.qvd")).toBe("C:\\Qlik\\Stock\\x.qvd");
    expect(await resolve("C:\\Qlik\\\u0130nbox\\x.qvd")).toBe("C:\\Qlik\\\u0130nbox\\x.qvd");
  });
});
