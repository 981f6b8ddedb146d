// The Qlik Sense version endpoint (`https://host:9032/v1/systeminfo`, client certificate, no xrfkey; spec §2.7 s).
import type { CertSet } from "../certs/generate";
import type { SiteModel } from "../site/model";
import type { Faults } from "../traffic/faults";
import { pickHeaders, type RequestLog } from "../traffic/request-log";
import { empty, json, text } from "../util/http";
import { createListener, type Listener } from "../util/listener";
import { runtime } from "../../platform/runtime";

export interface VersionServerDeps {
  site: SiteModel;
  certs: CertSet;
  requestLog: RequestLog;
  faults: Faults;
  now: () => number;
  hostname: string;
  port: number;
  onError?: (err: Error) => void;
}

export function createVersionServer(deps: VersionServerDeps): Listener {
  const handle = async (req: Request, url: URL, nowMs: number): Promise<Response> => {
    const fault = deps.faults.take({ target: "qrs", method: req.method, path: url.pathname }, nowMs);
    if (fault) {
      await deps.faults.hold(fault);
      if (fault.status !== undefined) return text(fault.status, fault.body ?? "Internal Server Error");
    }
    if (req.method !== "GET" || url.pathname.toLowerCase() !== "/v1/systeminfo") return empty(404);
    const info = deps.site.info;
    return json(200, {
      productName: "Qlik Sense",
      deploymentType: "QlikSenseServer",
      version: info.productVersion,
      releaseLabel: info.releaseLabel,
      contentHash: "7e3d7bb1e0a95b5e5e4a8b7c6d5e4f3a",
      copyrightYearRange: "1993-2025",
    });
  };
  const serve = (port: number) =>
    runtime.serve({
      hostname: deps.hostname,
      port,
      tls: { cert: deps.certs.serverCert, key: deps.certs.serverKey, ca: deps.certs.ca, requestCert: true, rejectUnauthorized: true },
      fetch: async (req) => {
        const nowMs = deps.now();
        const url = new URL(req.url);
        const res = await handle(req, url, nowMs);
        deps.requestLog.add(
          {
            source: "version",
            method: req.method,
            path: url.pathname,
            query: Object.fromEntries(url.searchParams),
            headers: pickHeaders(req.headers),
            status: res.status,
          },
          nowMs,
        );
        return res;
      },
    });
  return createListener("version endpoint", deps.port, serve, deps.onError);
}
