// The file routes over a real socket, sent paths that leave the approved folders: dot segments (plain, encoded in
// JSON, mixed with backslashes), UNC and drive forms, a symbolic link inside an approved folder pointing out, and
// the approved folder's name in other letter case (this host's file system tells cases apart). Every one is a 4xx
// saying why, nothing outside changes and nothing from outside lands inside. (file-api.test.ts sends a larger
// corpus in-process; this is the same question asked the way a load script asks it.)
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { type AttackSite, serverErrors, startAttackSite } from "./attack-site";

let site: AttackSite;
let F: string;
let O: string;
beforeAll(async () => {
  site = await startAttackSite();
  F = join(site.dir.path, "files");
  O = join(site.dir.path, "outside");
  for (const root of ["in", "out", "del", "mk"]) {
    symlinkSync(O, join(F, root, "link-out"));
    symlinkSync(join(O, "secret.txt"), join(F, root, "secret-link.txt"));
  }
});
afterAll(async () => {
  await site?.close();
});

const escapes = (root: string) => [
  `${root}/../../outside/secret.txt`,
  `${root}/sub/../../../outside/secret.txt`,
  `${root}\\..\\..\\outside\\secret.txt`,
  `${root}/..\\../outside/secret.txt`,
  `${root}/\u002e\u002e/\u002e\u002e/outside/secret.txt`,
  `${root}/link-out/secret.txt`,
  `${root}/secret-link.txt`,
  `${root.toUpperCase()}/a.txt`,
  `${root}/../${root.split("/").pop()!.toUpperCase()}/a.txt`,
  "\\\\sense1\\share\\secret.txt",
  "//sense1/share/secret.txt",
  "C:\\Windows\\win.ini",
  "/etc/passwd",
  `${O}/secret.txt`,
  "../outside/secret.txt",
];

/** Regular files below `dir` (links not followed) that hold the outside file's text. */
function inside(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return inside(p);
    return e.isFile() && readFileSync(p, "utf8") === "outside" ? [p] : [];
  });
}

test("paths out of the approved folders are refused on every file route, whichever way they are spelled", async () => {
  const outsideBefore = readdirSync(O).sort();
  const bodies: Array<[string, string, Record<string, unknown>]> = [];
  for (const bad of escapes(join(F, "in"))) {
    bodies.push(["PUT", "/v4/filecopy", { fromFile: bad, toFile: join(F, "out", "copied.txt"), overwrite: true }]);
    bodies.push(["PUT", "/v4/filecopy", { fromFile: join(F, "in", "a.txt"), toFile: bad.replace("/in/", "/out/"), overwrite: true }]);
    bodies.push(["PUT", "/v4/filemove", { fromFile: bad, toFile: join(F, "out", "moved.txt"), overwrite: true }]);
  }
  for (const bad of escapes(join(F, "del"))) bodies.push(["DELETE", "/v4/filedelete", { deleteFile: bad }]);
  for (const bad of escapes(join(F, "mk"))) bodies.push(["POST", "/v4/createdir", { directory: `${bad}/new-dir` }]);
  for (const bad of ["../outside/x", "..\\outside\\x", "sub/../../outside/x", "\\\\sense1\\share\\x"])
    bodies.push(["POST", "/v4/createdirqvd", { directory: bad }]);
  const accepted: string[] = [];
  for (const [method, path, body] of bodies) {
    const r = await fetch(`${site.url}${path}`, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const answer = (await r.json()) as { error?: unknown };
    // Refused for the path, naming the field: 403 (outside, or through a link) or 400 (a form this host cannot take).
    const why = typeof answer.error === "string" && /^(fromFile|toFile|deleteFile|directory): |^no files\.(copy|move) entry/.test(answer.error);
    if (!(r.status === 403 || r.status === 400) || !why) accepted.push(`${method} ${path} ${JSON.stringify(body)}: ${r.status} ${String(answer.error)}`);
  }
  expect(accepted).toEqual([]);
  expect(readdirSync(O).sort()).toEqual(outsideBefore);
  expect(readFileSync(join(O, "secret.txt"), "utf8")).toBe("outside");
  // Only the planted links read "outside" (they are no files); no copy of it arrived in any approved folder.
  expect(inside(F)).toEqual([]);
  expect(await serverErrors(site.url)).toEqual([]);
});
