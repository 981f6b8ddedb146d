// Posts to New Relic's ingest APIs (Event, Metric, Log) for one account: the insert key as Api-Key, JSON
// bodies, bounded time. Used by the /v4/newrelic routes and the newrelic channel.
import type { NewRelicAccount, NewRelicConfig } from "./config";
import { createHttpClient, type HttpResponse } from "../../platform/http/http-client";

export type NewRelicApi = "event" | "metric" | "log";

export interface NewRelicClient {
  post(api: NewRelicApi, account: NewRelicAccount, body: unknown, opts: { headers?: Record<string, string>; signal?: AbortSignal }): Promise<HttpResponse>;
  account(name: string): NewRelicAccount | undefined;
  close(): void;
}

export function newRelicUrl(cfg: NewRelicConfig, api: NewRelicApi, account: NewRelicAccount): string {
  if (api === "event") return `${cfg.eventUrl.replace(/\/+$/, "")}/v1/accounts/${account.accountId}/events`;
  return api === "metric" ? cfg.metricUrl : cfg.logUrl;
}

export function createNewRelicClient(cfg: NewRelicConfig): NewRelicClient {
  const http = createHttpClient();
  const byName = new Map(cfg.accounts.map((a) => [a.name, a]));
  return {
    account: (name) => byName.get(name),
    post(api, account, body, opts) {
      const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(cfg.timeout)]) : AbortSignal.timeout(cfg.timeout);
      return http.request(newRelicUrl(cfg, api, account), {
        method: "POST",
        headers: { ...opts.headers, "Content-Type": "application/json; charset=utf-8", "Api-Key": account.insertApiKey },
        body: JSON.stringify(body),
        signal,
      });
    },
    close: () => http.close(),
  };
}
