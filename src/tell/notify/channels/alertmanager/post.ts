// Posts alerts to every Alertmanager of the channel (an HA cluster gossips what one member heard, but a member
// that is down must not lose them): accepted when at least one answers 2xx, as Prometheus counts it.
import type { Logger } from "pino";
import type { HttpClient } from "../../../../platform/http/http-client";
import { expectOk } from "../../../../platform/http/http-client";
import type { PostableAlert } from "./alert";
import type { AlertmanagerChannelConfig } from "./schema";

export type AlertPoster = (alerts: PostableAlert[], signal: AbortSignal, target?: string) => Promise<void>;

export function alertsUrl(base: string): string {
  return `${base.replace(/\/+$/, "")}/api/v2/alerts`;
}

function authHeader(cfg: AlertmanagerChannelConfig): Record<string, string> {
  if (cfg.basicAuth) return { Authorization: `Basic ${Buffer.from(`${cfg.basicAuth.username}:${cfg.basicAuth.password}`).toString("base64")}` };
  return {};
}

export function createAlertPoster(cfg: AlertmanagerChannelConfig, client: HttpClient, log: Logger): AlertPoster {
  const headers = { "Content-Type": "application/json", ...cfg.headers, ...authHeader(cfg) };
  return async (alerts, signal, target) => {
    const urls = target ? [target] : cfg.urls;
    const body = JSON.stringify(alerts);
    const results = await Promise.allSettled(
      urls.map(async (u) => expectOk(await client.request(alertsUrl(u), { method: "POST", headers, body, signal }), `Alertmanager ${new URL(u).host}`)),
    );
    const failed = results.flatMap((r, i) => (r.status === "rejected" ? [{ url: urls[i]!, err: r.reason as Error }] : []));
    if (failed.length === urls.length) throw failed[0]!.err;
    for (const f of failed)
      log.warn({ alertmanager: new URL(f.url).host, err: f.err.message }, "an Alertmanager of the channel refused the alerts; the others took them");
  };
}
