// The doctor's probes: each configured dependency tried for real, the way Steward itself uses it (QRS and the Engine
// with the client certificates, SMTP with the channel's own settings, PostgreSQL with a query), or, where a try
// would send people a message, a dry connection to the channel's server (TCP and TLS), which finds the firewall, the
// proxy, the DNS name and the certificate, the usual causes.
import { createSocket } from "node:dgram";
import { connect as tcpConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { describeError } from "../../platform/core/errors";
import type { EngineClient } from "../../platform/qlik/engine-client";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { createSmtpTransport, smtpOptions } from "../../tell/notify/channels/email/transport";
import type { ChannelConfig } from "../../tell/notify/config";
import { whatToDo } from "../../watch/self/what-to-do";
import type { SqlDb } from "../../platform/store/sql";
import type { DoctorProbe } from "./types";

const GLOBAL_HANDLE = -1;

export function qrsProbe(qrs: QrsClient): DoctorProbe {
  return {
    check: "qrs",
    async run() {
      try {
        const about = await qrs.about({ timeoutMs: 8_000, retries: 0 });
        return { ok: true, detail: `${qrs.baseUrl} answers with the client certificate${about.buildVersion ? ` (QRS ${about.buildVersion})` : ""}` };
      } catch (err) {
        return { ok: false, detail: `${qrs.baseUrl}: ${describeError(err)}`, fix: whatToDo("qrs") };
      }
    },
  };
}

export function engineProbe(engine: EngineClient): DoctorProbe {
  return {
    check: "engine",
    async run() {
      const url = engine.url("");
      try {
        const session = await engine.openSession("");
        try {
          const r = await session.call<{ qVersion?: { qComponentVersion?: string } }>(GLOBAL_HANDLE, "EngineVersion", [], { timeoutMs: 8_000 });
          return { ok: true, detail: `${url} opens a session${r.qVersion?.qComponentVersion ? ` (Engine ${r.qVersion.qComponentVersion})` : ""}` };
        } finally {
          await session.close();
        }
      } catch (err) {
        return {
          ok: false,
          detail: `${url}: ${describeError(err)}`,
          fix: "Check qlik.enginePort (usually 4747), that this server reaches it, and the certificates in qlik.certDir; app reloads and data checks use the Engine.",
        };
      }
    },
  };
}

/** Where a channel sends to, for a dry connection; undefined for a channel with no address of its own. */
export function channelAddress(ch: ChannelConfig): string | undefined {
  const c = ch as { url?: string; webhookUrl?: string };
  return c.url ?? c.webhookUrl;
}

/** The New Relic APIs newrelic channels send to (config newRelic), which they do not name themselves. */
export interface NewRelicApis {
  eventUrl: string;
  logUrl: string;
}

export function channelProbe(name: string, ch: ChannelConfig, baseDir: string, newRelic?: NewRelicApis): DoctorProbe {
  const check = `channel ${name} (${ch.type})`;
  if (ch.type === "email")
    return {
      check,
      async run() {
        const transport = await createSmtpTransport({ ...smtpOptions(ch, baseDir), pool: false } as Parameters<typeof createSmtpTransport>[0]);
        try {
          await transport.verify();
          return { ok: true, detail: `${ch.smtp.host}:${ch.smtp.port ?? "default port"} accepts a connection and the login (no mail sent)` };
        } catch (err) {
          return {
            ok: false,
            detail: `${ch.smtp.host}: ${describeError(err)}`,
            fix: "Check smtp.host, smtp.port, smtp.security and the credentials with the mail team; a relay may accept only listed servers.",
          };
        } finally {
          transport.close();
        }
      },
    };
  if (ch.type === "alertmanager") return { check, run: () => everyMember(ch.urls) };
  if (ch.type === "newrelic" && newRelic) {
    const apis = [ch.event ? newRelic.eventUrl : undefined, ch.log ? newRelic.logUrl : undefined].filter((u): u is string => u !== undefined);
    if (apis.length) return { check, run: () => everyMember(apis) };
  }
  const address = channelAddress(ch);
  if (!address)
    return {
      check,
      run: async () => ({ ok: true, detail: `no address of its own to try; send it a test with POST /v4/alerts/test?channel=${name}` }),
    };
  return { check, run: () => dryConnection(address) };
}

/** Each Alertmanager of an HA pair: a member down is a failure to fix, although the others still take the alerts. */
async function everyMember(urls: readonly string[]): Promise<{ ok: boolean; detail: string; fix?: string }> {
  const results = await Promise.all(urls.map(dryConnection));
  const failed = results.find((r) => !r.ok);
  return { ok: !failed, detail: results.map((r) => r.detail).join("; "), ...(failed?.fix ? { fix: failed.fix } : {}) };
}

/**
 * Butler's /v4/newrelic routes, when configured, forward to the Metric API (newRelic.metricUrl) and the Event API
 * (newRelic.eventUrl): each tried like a channel's server, since no channel names the Metric API.
 */
export function newRelicRouteProbes(newRelic: NewRelicApis & { metricUrl: string; api: { metric?: unknown; event?: unknown } }): DoctorProbe[] {
  const routes = [
    { check: "newrelic metric api", url: newRelic.metricUrl, on: newRelic.api.metric !== undefined },
    { check: "newrelic event api", url: newRelic.eventUrl, on: newRelic.api.event !== undefined },
  ];
  return routes.filter((r) => r.on).map((r) => ({ check: r.check, run: () => dryConnection(r.url) }));
}

/** TCP (and TLS for https, mqtts, wss) to the URL's host and port: no request is sent. */
export async function dryConnection(address: string): Promise<{ ok: boolean; detail: string; fix?: string }> {
  const url = new URL(address);
  const secure = ["https:", "mqtts:", "wss:"].includes(url.protocol);
  const defaults: Record<string, number> = { "https:": 443, "http:": 80, "mqtt:": 1883, "mqtts:": 8883, "ws:": 80, "wss:": 443 };
  const port = url.port ? Number(url.port) : (defaults[url.protocol] ?? 443);
  const where = `${url.protocol}//${url.hostname}:${port}`; // never the path: a webhook's path is its secret
  try {
    await new Promise<void>((resolve, reject) => {
      const socket = secure
        ? tlsConnect({ host: url.hostname, port, servername: url.hostname }, () => {
            socket.end();
            resolve();
          })
        : tcpConnect({ host: url.hostname, port }, () => {
            socket.end();
            resolve();
          });
      socket.on("error", reject);
    });
    return { ok: true, detail: `${where} accepts a connection${secure ? " and its TLS certificate is trusted" : ""} (nothing sent)` };
  } catch (err) {
    return {
      ok: false,
      detail: `${where}: ${describeError(err)}`,
      fix: "Check the address, that this server may reach it (firewall, proxy) and, for TLS, that its certificate is trusted.",
    };
  }
}

/** Whether the Scheduler's datagrams can be received here: the UDP port is Steward's, or free for it. */
export function udpPortProbe(host: string, port: number, steward: { listening: boolean } | undefined): DoctorProbe {
  return {
    check: `udp ${host}:${port}`,
    async run() {
      if (steward?.listening) return { ok: true, detail: "Steward listens here for the Scheduler's datagrams" };
      if (steward)
        return {
          ok: false,
          detail: "this Steward is not listening",
          fix: "Look at the log for the UDP listener's start (a port taken by another program, an address not of this server).",
        };
      const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once("error", reject);
          socket.bind(port, host, () => resolve());
        });
        return { ok: true, detail: "free: Steward can listen here (it is not running now)" };
      } catch (err) {
        const inUse = (err as NodeJS.ErrnoException).code === "EADDRINUSE";
        return inUse
          ? { ok: true, detail: "in use: a running Steward (or another program) listens; GET /v4/doctor on the running Steward says which" }
          : { ok: false, detail: describeError(err), fix: "Check udp.host (an address of this server, or 0.0.0.0) and udp.port." };
      } finally {
        try {
          socket.close();
        } catch {
          // never bound
        }
      }
    },
  };
}

/** The cluster's PostgreSQL: a query, then each member's last heartbeat by the database's clock (a member silent past the lease is gone). */
export function postgresProbe(openDb: () => Promise<SqlDb> | SqlDb, o: { leaseTtlMs: number; closeAfter: boolean }): DoctorProbe {
  return {
    check: "postgresql",
    async run() {
      let db: SqlDb | undefined;
      try {
        db = await openDb();
        await db.get("SELECT 1 AS one");
        let members: Array<{ name: string; host: string; age: number | string }> = [];
        try {
          members = await db.all(
            "SELECT name, host, CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) - heartbeat_at AS age FROM cluster_members ORDER BY name",
          );
        } catch {
          return { ok: true, detail: "answers; no Steward has joined the cluster yet" };
        }
        const gone = members.filter((m) => Number(m.age) > o.leaseTtlMs);
        const list = members.map((m) => `${m.name} (${m.host}, ${Math.max(0, Math.round(Number(m.age) / 1000))} s ago)`).join(", ");
        if (gone.length > 0)
          return {
            ok: false,
            detail: `answers; members: ${list}; silent past the lease: ${gone.map((m) => m.name).join(", ")}`,
            fix: "A member silent past store.postgres.leaseTtlMs has stopped or lost PostgreSQL: look at its service and log; the others took its duties.",
          };
        return { ok: true, detail: members.length ? `answers; members: ${list}` : "answers; no member yet" };
      } catch (err) {
        return { ok: false, detail: describeError(err), fix: whatToDo("shared-store") };
      } finally {
        if (o.closeAfter) await db?.close().catch(() => undefined);
      }
    },
  };
}
