// Opens Engine (QIX) sessions: WebSocket over TLS to qlik.host:enginePort with the QMC client certificate
// and the X-Qlik-User header, as enigma.js would. Each session is short-lived and closed by its user.
import { type Clock, wallClock } from "../core/clock";
import { inFlight } from "../core/stepped-clock";
import type { Logger } from "pino";
import type { QlikConfig } from "./config";
import { AppError } from "../core/errors";
import { loadQlikCerts } from "./qrs-certs";
import { createEngineSession, type EngineSession } from "./engine-session";
import { runtime, type ClientTls } from "../runtime";

export interface EngineClientDeps {
  /** Folder relative certificate paths are resolved against (the config file's folder). */
  baseDir: string;
  log: Logger;
  /** Default per-call timeout (DoReload overrides it). */
  callTimeoutMs?: number;
  /**
   * Steward's clock: on a stepped clock (a simulation) opening a session and each call with a timeout are work in
   * flight, so time does not jump while an answer is on its way (see engine-session.ts for DoReload).
   */
  clock?: Clock;
}

export interface EngineClient {
  /**
   * Opens a session on `path`: `/app/{appId}` to work on one app, `/app/engineData` for a session whose
   * OpenDoc names the app, or "" for global calls (GetDocList).
   */
  openSession(path: string): Promise<EngineSession>;
  /** The URL a path maps to (for logs and errors). */
  url(path: string): string;
}

export function createEngineClient(cfg: QlikConfig, deps: EngineClientDeps): EngineClient {
  const log = deps.log.child({ module: "engine" });
  const base = `wss://${cfg.host.includes(":") && !cfg.host.startsWith("[") ? `[${cfg.host}]` : cfg.host}:${cfg.enginePort}`;
  const callTimeoutMs = deps.callTimeoutMs ?? cfg.timeoutMs;
  let tlsOptions: ClientTls | undefined;
  // Read on first use, like the QRS client, so a missing file is reported where it matters.
  const tls = () => {
    if (!tlsOptions) {
      const certs = loadQlikCerts(cfg, deps.baseDir);
      tlsOptions = {
        cert: certs.cert.toString("utf8"),
        key: certs.key.toString("utf8"),
        ca: certs.ca.toString("utf8"),
        ...(certs.passphrase ? { passphrase: certs.passphrase } : {}),
        rejectUnauthorized: cfg.rejectUnauthorized,
      };
    }
    return tlsOptions;
  };
  const headers = { "X-Qlik-User": `UserDirectory=${cfg.userDirectory}; UserId=${cfg.userId}` };
  const url = (path: string) => base + path;

  return {
    url,
    async openSession(path) {
      const target = url(path);
      const tlsNow = tls();
      const opening = new Promise<EngineSession>((resolve, reject) => {
        let ws: WebSocket;
        try {
          ws = runtime.openWebSocket(target, { headers, tls: tlsNow });
        } catch (err) {
          reject(new AppError("ENGINE_UNAVAILABLE", `cannot open an Engine session to ${target}: ${(err as Error).message}`, { cause: err }));
          return;
        }
        let settled = false;
        const timer = wallClock.setTimeout(() => {
          fail(`no connection within ${cfg.timeoutMs} ms`);
          ws.close();
        }, cfg.timeoutMs);
        const fail = (why: string) => {
          if (settled) return;
          settled = true;
          wallClock.clearTimeout(timer);
          log.warn({ url: target, reason: why }, "engine connection failed");
          reject(new AppError("ENGINE_UNAVAILABLE", `cannot open an Engine session to ${target}: ${why}${hint(why)}`));
        };
        ws.addEventListener("open", () => {
          if (settled) return;
          settled = true;
          wallClock.clearTimeout(timer);
          resolve(createEngineSession(ws, callTimeoutMs, target, deps.clock));
        });
        ws.addEventListener("error", (ev) => fail((ev as ErrorEvent).message || "connection error"));
        ws.addEventListener("close", (ev) => fail(`closed during the handshake (${ev.code}${ev.reason ? ` ${ev.reason}` : ""})`));
      });
      return deps.clock ? inFlight(deps.clock, opening, `an Engine session to ${target}`) : opening;
    },
  };
}

function hint(why: string): string {
  if (/certificate|handshake|TLS|SSL/i.test(why)) {
    return ". Check that qlik.certDir holds this site's QMC export (client.pem, client_key.pem, root.pem) and that qlik.host matches the server certificate";
  }
  return "";
}
