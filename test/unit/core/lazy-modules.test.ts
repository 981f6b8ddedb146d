// `steward run` loads only what it uses: the simulator, the demo (its SMTP server, the certificate generator) and
// the Butler import stay unloaded, and nodemailer loads with the first mail, not at start. Each case runs in a
// fresh process, so the module registry shows exactly what that start loaded.
import { afterAll, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { createTempDir } from "../../helpers/temp-dir";

const ROOT = resolve(import.meta.dir, "../../..");
const tmp = createTempDir();
afterAll(() => tmp.remove());

const LAZY = ["/src/sim/", "/src/demo/", "/src/config/butler-import/", "node_modules/nodemailer/", "node_modules/node-forge/", "node_modules/smtp-server/"];

/** Starts and stops the app the way `steward run` does, on `yaml`; returns the loaded modules that are in LAZY. */
async function lazyModulesLoaded(name: string, yaml: string): Promise<string[]> {
  const script = `
    await import(${JSON.stringify(join(ROOT, "src/main.ts"))});
    const { createApp } = await import(${JSON.stringify(join(ROOT, "src/app.ts"))});
    const { parseConfigText } = await import(${JSON.stringify(join(ROOT, "src/config/load.ts"))});
    const { loggerFor } = await import(${JSON.stringify(join(ROOT, "src/cli/logging.ts"))});
    const loaded = parseConfigText(${JSON.stringify(yaml)}, "steward.yaml", ${JSON.stringify(join(tmp.path, name))});
    const app = createApp(loaded, { log: loggerFor(loaded.config, {}, loaded.secrets) });
    await app.start();
    await app.stop(1000);
    const lazy = ${JSON.stringify(LAZY)};
    const hits = [...new Set(Object.keys(require.cache).flatMap((k) => lazy.filter((l) => k.includes(l))))];
    console.error("LOADED " + JSON.stringify(hits));
  `;
  const proc = Bun.spawn([process.execPath, "-e", script], { cwd: ROOT, stdout: "ignore", stderr: "pipe" });
  const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  const line = /^LOADED (.*)$/m.exec(err);
  if (code !== 0 || !line) throw new Error(`the start failed (exit ${code}): ${err.slice(-2000)}`);
  return JSON.parse(line[1]!) as string[];
}

const BASE = "logging: { level: silent, format: json }\nhttp: { host: 127.0.0.1, port: 0 }\nudp: { host: 127.0.0.1, port: 0 }\n";

test("a default config loads none of the optional modules", async () => {
  expect(await lazyModulesLoaded("plain", BASE)).toEqual([]);
}, 60_000);

test("a config with an email channel does not load nodemailer until a mail is sent", async () => {
  const yaml = BASE + "channels:\n  ops: { type: email, smtp: { host: 127.0.0.1, port: 2525, security: none }, from: s@example.com, to: [o@example.com] }\n";
  expect(await lazyModulesLoaded("mail", yaml)).toEqual([]);
}, 60_000);
