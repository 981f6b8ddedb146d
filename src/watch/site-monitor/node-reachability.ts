// Each node's Repository and Scheduler as QRS sees them (servicestatus/full: what the QMC shows as service status).
// A service seen unreachable on every read for `after` raises service.stopped (state UNREACHABLE), which opens the
// node's cause like a stopped Windows service; the first read that sees it running again raises service.started.
// A QRS that does not answer at all is the Repository of qlik.host unreachable. What was raised is kept in the store,
// so a restart or another Steward taking the duty over still announces the recovery, and never twice.
import { z } from "zod";
import type { GroupingConfig } from "../../tell/grouping/config";
import type { Clock } from "../../platform/core/clock";
import { isAppError } from "../../platform/core/errors";
import type { ServiceEvent } from "../../platform/events/types";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import type { MonitorState } from "./state";

type Watched = GroupingConfig["nodeDown"]["unreachable"]["services"][number];

/** QRS serviceType → the Windows service it is, as the service monitor would name it. */
const SERVICES: Record<number, { key: Watched; name: string; displayName: string }> = {
  0: { key: "repository", name: "QlikSenseRepositoryService", displayName: "Qlik Sense Repository Service" },
  1: { key: "proxy", name: "QlikSenseProxyService", displayName: "Qlik Sense Proxy Service" },
  2: { key: "scheduler", name: "QlikSenseSchedulerService", displayName: "Qlik Sense Scheduler Service" },
  3: { key: "engine", name: "QlikSenseEngineService", displayName: "Qlik Sense Engine Service" },
  5: { key: "printing", name: "QlikSensePrintingService", displayName: "Qlik Sense Printing Service" },
};
/** serviceState 3: NoCommunication, the central Repository cannot reach it. 4 (Disabled) is a choice, not an outage. */
const NO_COMMUNICATION = 3;
const STATE_KEY = "node-reachability";
/** Rows read at most: a site has a handful of nodes with five services each. */
const MAX_ROWS = 5_000;

const ServiceStatusSchema = z
  .array(
    z.object({
      serviceType: z.number(),
      serviceState: z.number(),
      serverNodeConfiguration: z.object({ hostName: z.string().min(1).max(300) }),
    }),
  )
  .max(MAX_ROWS);

export interface NodeReachabilityDeps {
  qrs: QrsClient;
  /** qlik.host: whose Repository is unreachable when QRS does not answer. */
  host: string;
  clock: Clock;
  state: MonitorState;
  emit(e: ServiceEvent): Promise<void>;
}

interface Seen {
  host: string;
  service: (typeof SERVICES)[number];
  down: boolean;
}

/** QRS did not answer (network, timeout, 5xx); a refusal (401/403) or a 404 is a set-up problem, not an outage. */
function unreachable(err: unknown): boolean {
  if (!isAppError(err) || err.code !== "QRS_UNAVAILABLE") return false;
  const status = (err.details as { status?: number } | undefined)?.status;
  return status === undefined || status >= 500;
}

/**
 * The rows of the watched services only (QRS filters serviceType, an enum, by its number): the others were read and
 * dropped at each read, every minute by default. By default two of five services: 40 % of the rows, the answer's parse
 * and check; none when every service is watched.
 */
export function watchedFilter(services: readonly Watched[]): string | undefined {
  const types = Object.entries(SERVICES)
    .filter(([, s]) => services.includes(s.key))
    .map(([type]) => `serviceType eq ${type}`);
  return types.length === Object.keys(SERVICES).length ? undefined : types.join(" or ");
}

export function createNodeReachability(cfg: GroupingConfig["nodeDown"]["unreachable"], deps: NodeReachabilityDeps) {
  const watched = new Set<string>(cfg.services);
  const filter = watchedFilter(cfg.services);
  /** Since when each host|service has been seen unreachable on every read (in memory: a restart starts counting again). */
  const badSince = new Map<string, number>();
  /** The last read saw a watched service unreachable, or one is announced down: the next read comes at `recheck`. */
  let doubt = false;

  async function read(): Promise<Seen[]> {
    try {
      const rows = await deps.qrs.getJson("servicestatus/full", ServiceStatusSchema, filter ? { filter } : undefined);
      const seen: Seen[] = rows.flatMap((r) => {
        const service = SERVICES[r.serviceType];
        if (!service || !watched.has(service.key)) return [];
        return [{ host: r.serverNodeConfiguration.hostName, service, down: r.serviceState === NO_COMMUNICATION }];
      });
      // QRS answered: the Repository on qlik.host is back (QRS may name that node otherwise, sense1 for sense1.corp.example).
      const answering = deps.host.toLowerCase();
      if (watched.has("repository") && !seen.some((s) => s.host.toLowerCase() === answering))
        seen.push({ host: deps.host, service: SERVICES[0]!, down: false });
      return seen;
    } catch (err) {
      if (!unreachable(err)) throw err;
      // Only the Repository answering is known to be down; the other nodes' states are unknown, so left as they were.
      return watched.has("repository") ? [{ host: deps.host, service: SERVICES[0]!, down: true }] : [];
    }
  }

  const event = (s: Seen, kind: ServiceEvent["kind"], now: number): ServiceEvent => ({
    id: `service-status:${s.host.toLowerCase()}:${s.service.name}:${kind}:${now}`,
    kind,
    receivedAt: new Date(now).toISOString(),
    host: s.host,
    service: { name: s.service.name, displayName: s.service.displayName },
    state: kind === "service.stopped" ? "UNREACHABLE" : "RUNNING",
    previousState: kind === "service.stopped" ? "RUNNING" : "UNREACHABLE",
  });

  return {
    /** Whether the last read saw a watched service unreachable or one is announced down (then read more often). */
    inDoubt: (): boolean => doubt,
    /** One read; returns what it raised. */
    async check(): Promise<ServiceEvent[]> {
      const seen = await read();
      const now = deps.clock.now();
      const raised = new Set<string>(JSON.parse((await deps.state.get(STATE_KEY)) ?? "[]") as string[]);
      const before = raised.size;
      const out: ServiceEvent[] = [];
      for (const s of seen) {
        const key = `${s.host.toLowerCase()}|${s.service.key}`;
        if (!s.down) {
          badSince.delete(key);
          if (raised.delete(key)) out.push(event(s, "service.started", now));
          continue;
        }
        const since = badSince.get(key) ?? now;
        badSince.set(key, since);
        if (now - since >= cfg.after && !raised.has(key)) {
          raised.add(key);
          out.push(event(s, "service.stopped", now));
        }
      }
      doubt = badSince.size > 0 || raised.size > 0;
      // Written before the events go out: a Steward that stops in between misses one page rather than repeating it.
      if (out.length > 0 || raised.size !== before) await deps.state.set(STATE_KEY, JSON.stringify([...raised].sort()));
      for (const e of out) await deps.emit(e);
      return out;
    },
  };
}

export type NodeReachability = ReturnType<typeof createNodeReachability>;
