// Issue 68, item 9: `steward run` on a port another program holds refuses to start with the one line config problems
// have (`file:line:col key: message`, exit 2), naming the key that chose the port: http.port, or udp.port.
import { afterAll, expect, test } from "bun:test";
import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { writeFileSync } from "node:fs";
import { createTempDir } from "../../../helpers/temp-dir";

const MAIN = resolve(import.meta.dir, "../../../../src/main.ts");
const tmp = createTempDir("steward-port-taken-");
afterAll(() => tmp.remove());

async function run(config: string): Promise<{ code: number; err: string }> {
  const p = Bun.spawn([process.execPath, MAIN, "run", "--config", config], { stdout: "ignore", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
  const [err, code] = await Promise.all([new Response(p.stderr).text(), p.exited]);
  return { code, err };
}

test("the HTTP port taken: one line at http.port", async () => {
  const holder = createServer();
  await new Promise<void>((r) => holder.listen(0, "127.0.0.1", () => r()));
  const port = (holder.address() as { port: number }).port;
  const file = join(tmp.path, "http.yaml");
  writeFileSync(file, `dataDir: ./data-http\nhttp:\n  host: 127.0.0.1\n  port: ${port}\nudp:\n  enabled: false\n`);
  try {
    expect(await run(file)).toEqual({
      code: 2,
      err: `${file}:4:9 http.port: port ${port} on 127.0.0.1 is in use by another program (Butler, not stopped yet? another Steward?), so the REST API and dashboard cannot listen: stop that program or choose another port\n`,
    });
  } finally {
    holder.close();
  }
}, 30_000);

test("the UDP port taken: one line at udp.port", async () => {
  const holder = createSocket("udp4");
  await new Promise<void>((r) => holder.bind(0, "127.0.0.1", () => r()));
  const port = holder.address().port;
  const file = join(tmp.path, "udp.yaml");
  writeFileSync(file, `dataDir: ./data-udp\nhttp:\n  host: 127.0.0.1\n  port: 0\nudp:\n  host: 127.0.0.1\n  port: ${port}\n`);
  try {
    expect(await run(file)).toEqual({
      code: 2,
      err: `${file}:7:9 udp.port: port ${port} on 127.0.0.1 is in use by another program (Butler, not stopped yet? another Steward?), so the UDP intake cannot listen: stop that program or choose another port\n`,
    });
  } finally {
    holder.close();
  }
}, 30_000);
