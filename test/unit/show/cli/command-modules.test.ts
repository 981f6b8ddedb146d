// A command loads what it uses: the commands that talk to a running Steward or read its config (silence, report,
// noise, checks, alert, schedules, doctor, apikey, config explain) never load the app (src/app.ts and every wing's
// runtime behind it), and those that only ask the running Steward do not load the config's full check (templates,
// files, folders: config-problems.ts). Each start of such a command is an administrator waiting, and a test paying
// for the whole service it does not start (issue 89). Each command runs in a fresh process, so the module registry
// shows exactly what that command loaded. `run` loads the app once the config is accepted, not to refuse one.
// The eleven processes are independent, so they run at once (test.concurrent): run one after another, a file beside
// a busy suite spent most of its wall time waiting on each in turn.
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createTempDir } from "../../../helpers/temp-dir";

const ROOT = resolve(import.meta.dir, "../../../..");
const tmp = createTempDir();
afterAll(() => tmp.remove());
const APP = "/src/app.ts";
const CHECKED_CONFIG = "/src/show/cli/config-problems.ts";

/** Runs `steward <argv>` through main() in a fresh process; returns the loaded modules among `watched`. */
async function loadedBy(argv: string[], watched: string[]): Promise<string[]> {
  const script = `
    const { main } = await import(${JSON.stringify(join(ROOT, "src/main.ts"))});
    console.log = () => {};
    await main(${JSON.stringify(argv)}).catch(() => 1);
    const watched = ${JSON.stringify(watched)};
    console.error("LOADED " + JSON.stringify(watched.filter((w) => Object.keys(require.cache).some((k) => k.endsWith(w)))));
  `;
  const proc = Bun.spawn([process.execPath, "-e", script], {
    cwd: ROOT,
    stdout: "ignore",
    stderr: "pipe",
    // No config of this machine's is read, and no Steward is asked (nothing listens on port 9 of loopback).
    env: { ...process.env, STEWARD_CONFIG: join(ROOT, "config/demo.yaml"), STEWARD_URL: "http://127.0.0.1:9" },
  });
  const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  const line = /^LOADED (.*)$/m.exec(err);
  if (code !== 0 || !line) throw new Error(`steward ${argv.join(" ")} failed (exit ${code}): ${err.slice(-2000)}`);
  return JSON.parse(line[1]!) as string[];
}

const ASKING = [
  ["silence", "list"],
  ["report", "--help"],
  ["noise", "--help"],
  ["checks", "--help"],
];
const READING = [
  ["alert", "--help"],
  ["schedules", "--help"],
  ["doctor", "--help"],
  ["apikey", "--help"],
  ["config", "explain", "notify.timeZone"],
];

for (const argv of ASKING)
  test.concurrent(`steward ${argv.join(" ")} loads neither the app nor the config's full check`, async () => {
    expect(await loadedBy(argv, [APP, CHECKED_CONFIG])).toEqual([]);
  });

for (const argv of READING)
  test.concurrent(`steward ${argv.join(" ")} does not load the app`, async () => {
    expect(await loadedBy(argv, [APP])).toEqual([]);
  });

test.concurrent("steward run on a config it refuses tells so without loading the app", async () => {
  const refused = join(tmp.path, "refused.yaml");
  writeFileSync(refused, "http: { port: nope }\n");
  expect(await loadedBy(["run", "--config", refused], [APP])).toEqual([]);
});

test.concurrent("the check sees a command that loads the app", async () => {
  expect(await loadedBy(["config", "check", "config/demo.yaml"], [APP, CHECKED_CONFIG])).toEqual([APP, CHECKED_CONFIG]);
});
