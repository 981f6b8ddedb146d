// InfluxDB 1.x over its HTTP API: CREATE DATABASE / RETENTION POLICY through /query when missing (checked
// again after ensureInterval or a failed write), then line protocol POSTed to /write.
import type { ChannelDeps } from "../../types";
import { deliveryError } from "../../../../platform/http/delivery-error";
import { createHttpClient, expectOk } from "../../../../platform/http/http-client";
import type { InfluxDbChannelConfig } from "./schema";
import type { FieldTypeConflict } from "../../../influx-conflicts";

/** What a refused write says when InfluxDB named a field type conflict. */
export function conflictMessage(conflicts: readonly FieldTypeConflict[], database: string): string {
  const what = conflicts.map((c) => `field ${c.field} of ${c.measurement} is ${c.storedType} in ${database}, Steward wrote ${c.writtenType}`).join("; ");
  return `InfluxDB refused the points (field type conflict: ${what}); see /help/switching-from-butler#when-influxdb-refuses-a-point-field-type-conflicts (docs/switching-from-butler.md)`;
}

const ident = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

export function createInfluxV1Writer(cfg: InfluxDbChannelConfig, deps: ChannelDeps) {
  const client = createHttpClient({ ca: cfg.ca, rejectUnauthorized: cfg.rejectUnauthorized, baseDir: deps.baseDir });
  const base = cfg.url.replace(/\/+$/, "");
  const headers: Record<string, string> = {};
  if (cfg.username) headers.Authorization = `Basic ${Buffer.from(`${cfg.username}:${cfg.password ?? ""}`).toString("base64")}`;
  const ensured = new Map<string, number>();

  async function query(q: string, signal: AbortSignal): Promise<unknown> {
    const res = await client.request(`${base}/query`, {
      method: "POST",
      headers: { ...headers, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ q }).toString(),
      signal,
    });
    expectOk(res, "InfluxDB /query");
    const body = JSON.parse(res.text || "{}") as { results?: Array<{ error?: string; series?: Array<{ values?: unknown[][] }> }> };
    const error = body.results?.find((r) => r.error)?.error;
    if (error) throw deliveryError(`InfluxDB: ${error} (${q.split(" ").slice(0, 3).join(" ")} …)`);
    return body;
  }

  async function ensure(database: string, signal: AbortSignal): Promise<void> {
    const at = ensured.get(database);
    if (at !== undefined && deps.clock.now() - at < cfg.ensureInterval) return;
    await query(`CREATE DATABASE ${ident(database)}`, signal);
    const rp = cfg.retentionPolicy;
    if (rp) {
      const shown = (await query(`SHOW RETENTION POLICIES ON ${ident(database)}`, signal)) as { results?: Array<{ series?: Array<{ values?: unknown[][] }> }> };
      const names = (shown.results?.[0]?.series?.[0]?.values ?? []).map((v) => String(v[0]));
      if (!names.includes(rp.name)) {
        await query(`CREATE RETENTION POLICY ${ident(rp.name)} ON ${ident(database)} DURATION ${rp.duration} REPLICATION ${rp.replication} DEFAULT`, signal);
        deps.log.info({ channel: deps.name, database, retentionPolicy: rp.name }, "created InfluxDB retention policy");
      }
    }
    ensured.set(database, deps.clock.now());
  }

  return {
    async write(lines: string[], database: string, signal: AbortSignal): Promise<void> {
      if (lines.length === 0) return;
      await ensure(database, signal);
      const q = new URLSearchParams({ db: database, precision: "ns" });
      if (cfg.retentionPolicy) q.set("rp", cfg.retentionPolicy.name);
      const res = await client.request(`${base}/write?${q}`, {
        method: "POST",
        headers: { ...headers, "Content-Type": "text/plain; charset=utf-8" },
        body: lines.join("\n"),
        signal,
      });
      if (res.status === 404) ensured.delete(database);
      const target = { channel: deps.name, url: base, database };
      if (res.status >= 200 && res.status < 300) deps.influxConflicts?.accepted(target, lines);
      else if (res.status === 400) {
        const conflicts = deps.influxConflicts?.refused(target, res.text, lines) ?? [];
        if (conflicts.length) throw deliveryError(conflictMessage(conflicts, database), { permanent: true, status: res.status });
      }
      expectOk(res, "InfluxDB /write");
    },
    close: () => client.close(),
  };
}
