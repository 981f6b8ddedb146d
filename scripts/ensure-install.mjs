// npm pre-script: installs dependencies on a fresh clone (or after package-lock.json changed), so that
// `npm run demo` and `npm test` work as the very first command. Plain Node: Bun is not there yet.
import { existsSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";

const marker = "node_modules/.package-lock.json";
const lock = "package-lock.json";
// Both runtimes come from npm (bun, deno); their binaries arrive through optional platform packages.
const fresh =
  existsSync(marker) &&
  existsSync("node_modules/.bin/bun") &&
  existsSync("node_modules/.bin/deno") &&
  (!existsSync(lock) || statSync(marker).mtimeMs >= statSync(lock).mtimeMs);
if (!fresh) {
  // npm ci prints nothing until it ends: say what is happening and how long it usually takes.
  console.error("[steward] first run: installing dependencies with npm ci (about 1-2 minutes; the Bun and Deno runtimes are the largest part) …");
  const started = Date.now();
  const cmd = existsSync(lock) ? ["ci", "--no-fund", "--no-audit"] : ["install", "--no-fund", "--no-audit"];
  const r = spawnSync(process.platform === "win32" ? "npm.cmd" : "npm", cmd, { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
  console.error(`[steward] dependencies installed in ${Math.round((Date.now() - started) / 1000)} s`);
}
