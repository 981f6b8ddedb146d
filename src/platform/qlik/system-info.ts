// The repository's version endpoint, https://host:9032/v1/systeminfo: not QRS (no xrfkey), but the same QMC
// client certificate. node:https, as for QRS, because Bun's own TLS client fails under Wine. Its schema is built on
// first use (z.lazy), like those in qrs-schemas.ts.
import https from "node:https";
import { z } from "zod";
import type { QlikConfig } from "./config";
import { AppError, describeError } from "../core/errors";
import { loadQlikCerts } from "./qrs-certs";

export const SystemInfoSchema = z.lazy(() =>
  z.looseObject({
    productName: z.string().nullish(),
    deploymentType: z.string().nullish(),
    version: z.string(),
    releaseLabel: z.string().nullish(),
    deprecatedProductVersion: z.string().nullish(),
    contentHash: z.string().nullish(),
    senseId: z.string().nullish(),
    copyrightYearRange: z.string().nullish(),
  }),
);
export type SystemInfo = z.infer<typeof SystemInfoSchema>;

export interface SystemInfoClient {
  read(signal?: AbortSignal): Promise<SystemInfo>;
  close(): void;
}

const MAX_BODY = 64 * 1024;

export function createSystemInfoClient(cfg: QlikConfig, port: number, baseDir: string): SystemInfoClient {
  const certs = loadQlikCerts(cfg, baseDir);
  // Read once an hour or so: a connection kept open between two reads would only keep a timer of Bun's ticking every
  // second (qrs-transport.ts, QRS_IDLE_CLOSE_MS).
  const agent = new https.Agent({
    keepAlive: false,
    maxSockets: 1,
    cert: certs.cert,
    key: certs.key,
    ca: certs.ca,
    passphrase: certs.passphrase,
    rejectUnauthorized: cfg.rejectUnauthorized,
  });
  const url = `https://${cfg.host}:${port}/v1/systeminfo`;
  return {
    read(signal) {
      return new Promise<SystemInfo>((done, fail) => {
        const req = https.get(url, { agent, signal: signal ?? AbortSignal.timeout(cfg.timeoutMs) }, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            size += c.length;
            if (size <= MAX_BODY) chunks.push(c);
          });
          res.on("end", () => {
            if (res.statusCode !== 200) return fail(new AppError("QRS_UNAVAILABLE", `${url} answered HTTP ${res.statusCode}`));
            try {
              const parsed = SystemInfoSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString("utf8")));
              if (!parsed.success) return fail(new AppError("QRS_UNAVAILABLE", `${url} answered an unexpected shape: ${parsed.error.issues[0]?.message}`));
              done(parsed.data);
            } catch (err) {
              fail(new AppError("QRS_UNAVAILABLE", `${url} answered invalid JSON: ${describeError(err)}`));
            }
          });
          res.on("error", fail);
        });
        req.on("error", (err) => fail(new AppError("QRS_UNAVAILABLE", `${url}: ${describeError(err)}`, { cause: err })));
      });
    },
    close: () => agent.destroy(),
  };
}
