// The probes for a config: QRS and the Engine when qlik is set, each Qlik Cloud tenant, each channel, Steward's own MQTT broker, the
// cluster's PostgreSQL, the UDP port, and the alerts sent in the plain form because a template failed (from the store). `live` is the running Steward's own parts (GET /v4/doctor), so the probes
// use its clients; without it (`steward doctor` beside or instead of a running Steward) they are built here.
import type { Logger } from "pino";
import type { Config } from "../cli/steward-config";
import { keylessAccessNote } from "../cli/config-check";
import { createDirectory } from "../../platform/security/sso/directory";
import { inboundWebhookWarnings } from "../../tell/notify/inbound-reach";
import { systemClock } from "../../platform/core/clock";
import { createEngineClient } from "../../platform/qlik/engine-client";
import { createQrsClient, type QrsClient } from "../../platform/qlik";
import { postgresTlsOptions } from "../../platform/store/cluster-store";
import { createPostgresDb } from "../../platform/store/postgres-db";
import type { SqlDb } from "../../platform/store/sql";
import { channelProbe, dryConnection, engineProbe, newRelicRouteProbes, postgresProbe, qrsProbe, udpPortProbe } from "./probes";
import { type SourcesState, udpSourcesProbe } from "./udp-sources-probe";
import type { DoctorProbe } from "./types";
import { cloudTenantProbe } from "./cloud-probe";
import { templateFallbackProbe, type TemplateProbeDeps } from "./template-probe";
import { storedFallbackProbe } from "./stored-fallbacks";
import { type EarsSources, earsProbes } from "./ears-probe";
import { slackGroupProbes } from "./slack-group-probe";

export interface LiveSteward {
  qrs?: QrsClient;
  /** The cluster's PostgreSQL as the running Steward uses it. */
  clusterDb?: SqlDb;
  /** Whether its UDP listener is bound (the port is then in use by Steward itself). */
  udpListening?: boolean;
  /** Alerts it sent in the plain form because a template failed, from its store. */
  templates?: TemplateProbeDeps;
  /** Who its UDP listener admits. */
  udpSources?: SourcesState;
  /** Whether its ears hear every node: the Engine's lines and the Scheduler's datagrams. */
  ears?: EarsSources;
}

export interface DoctorProbes {
  probes: DoctorProbe[];
  /** Closes what was opened for the probes (not the live Steward's clients). */
  close(): void;
}

export function doctorProbes(config: Config, baseDir: string, log: Logger, live?: LiveSteward): DoctorProbes {
  const probes: DoctorProbe[] = [];
  const toClose: Array<() => void> = [];
  if (config.qlik) {
    let qrs = live?.qrs;
    if (!qrs) {
      const own = createQrsClient(config.qlik, { log, clock: systemClock, baseDir });
      toClose.push(() => own.close());
      qrs = own;
    }
    probes.push(qrsProbe(qrs), engineProbe(createEngineClient(config.qlik, { baseDir, log, clock: systemClock })));
  }
  if (config.qlikCloud?.enabled)
    for (const t of config.qlikCloud.tenants) probes.push(cloudTenantProbe(t, baseDir, Date.now, { watchdogOn: config.watchdog?.enabled === true }));
  for (const [name, ch] of Object.entries(config.channels)) probes.push(channelProbe(name, ch, baseDir, config.newRelic));
  // Not tried (the vendor's side cannot be reached from here): a webhook the vendor cannot call, said as a failure.
  for (const w of inboundWebhookWarnings(config))
    probes.push({ check: `channel ${w.path[1]} webhook`, run: async () => ({ ok: false, detail: `${w.path.join(".")}: ${w.problem}`, fix: w.fix }) });
  if (config.newRelic) probes.push(...newRelicRouteProbes(config.newRelic));
  probes.push(...slackGroupProbes(config.oncall));
  if (config.mqtt?.enabled) {
    const url = config.mqtt.url;
    probes.push({ check: "mqtt broker", run: () => dryConnection(url) });
  }
  const pg = config.store.postgres;
  if (pg) {
    const open = live?.clusterDb
      ? () => live.clusterDb!
      : () =>
          createPostgresDb({
            url: pg.url,
            maxConnections: 1,
            connectTimeoutMs: pg.connectTimeoutMs,
            tls: postgresTlsOptions(pg, baseDir),
            applicationName: "steward doctor",
            statementTimeoutMs: 8_000,
          });
    probes.push(postgresProbe(open, { leaseTtlMs: pg.leaseTtlMs, closeAfter: !live?.clusterDb }));
  }
  const templates = live ? (live.templates ? templateFallbackProbe(live.templates) : undefined) : storedFallbackProbe(config, baseDir);
  if (templates) probes.push(templates);
  const access = keylessAccessNote(config);
  // Not a dependency to try: what the first API key changes (or changed), said where an admin looks before making one.
  if (access) probes.push({ check: "access", run: async () => ({ ok: true, detail: access.replace(/^Access: /, "") }) });
  const sso = config.security.sso;
  // The directory's discovery and signing keys, fetched as a sign-in would: the usual failure is a wrong issuer URL
  // or a proxy between this server and the directory.
  if (sso) probes.push({ check: "single sign-on", run: () => createDirectory(sso, { timeoutSeconds: 8 }).check() });
  if (live?.ears) probes.push(...earsProbes(live.ears));
  if (config.udp.enabled) {
    probes.push(udpPortProbe(config.udp.host, config.udp.port, live ? { listening: live.udpListening === true } : undefined));
    probes.push(udpSourcesProbe(config.udp.allowedSources, config.qlik?.host, live?.udpSources));
  }
  return {
    probes,
    close: () => {
      for (const c of toClose) c();
    },
  };
}
