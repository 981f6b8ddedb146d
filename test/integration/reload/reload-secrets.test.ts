// An invalid config submitted by reload is reported with the key and line, but a secret value in it is masked
// in the HTTP answer (the error handler masks every error body with the config's secrets).
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createApp } from "../../../src/app";
import { loadConfigFile } from "../../../src/composition/config";
import { createSilentLogger } from "../../../src/platform/core/logger";
import { inProcessEnv } from "../../../src/platform/http/types";
import { createTempDir } from "../../helpers/temp-dir";

const tmp = createTempDir();
afterAll(() => tmp.remove());

describe("reload errors", () => {
  test("a rejected reload names the key but not the secret value", async () => {
    const file = join(tmp.path, "steward.yaml");
    const base = ["dataDir: ./data", "http: { host: 127.0.0.1, port: 0 }", "udp: { host: 127.0.0.1, port: 0 }", "channels:"];
    writeFileSync(file, [...base, '  hook: { type: webhook, url: "http://127.0.0.1:9/x", hmac: { secret: "long-enough-secret" } }', ""].join("\n"));
    const app = createApp(loadConfigFile(file), { log: createSilentLogger() });
    await app.start();
    try {
      writeFileSync(file, [...base, '  hook: { type: webhook, url: "http://127.0.0.1:9/x", hmac: { secret: "s3cr" } }', ""].join("\n"));
      const r = await app.http.hono.request("/v4/admin/reload", { method: "POST" }, inProcessEnv());
      expect(r.status).toBe(400);
      const text = await r.text();
      expect(text).toContain("channels.hook.hmac.secret");
      expect(text).not.toContain("s3cr");
      expect(text).toContain("[REDACTED]");
    } finally {
      await app.stop();
    }
  });
});
