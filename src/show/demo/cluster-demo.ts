// The parts of `steward demo --cluster`: each Steward of the demo's cluster (its own ports and data folder, the
// shared PostgreSQL store) can be stopped and started again while the demo runs, and a watch narrates the
// cluster — who is a member, who leads which duty — whenever that changes.
import { every, wallClock } from "../../platform/core/clock";
import type { Logger } from "pino";
import { createApp, type StewardApp } from "../../app";
import { DUTIES } from "../../platform/cluster";
import type { LoadedConfig } from "../cli/steward-config";
import type { TimelineEntry } from "../dashboard";
import type { CaptureInbox } from "./capture-inbox";
import type { DemoTerminal } from "./terminal";

export interface DemoNode {
  readonly name: string;
  readonly url: string;
  readonly udpPort: number;
  /** The running Steward; undefined while stopped. */
  app(): StewardApp | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface DemoNodeOptions {
  name: string;
  loaded: LoadedConfig;
  logger: (loaded: LoadedConfig) => Promise<Logger>;
  inbox: CaptureInbox;
  term: DemoTerminal;
  /** Each event this Steward claimed (it alone narrates and alerts it). */
  onEvent(app: StewardApp, entry: TimelineEntry): void;
}

export function createDemoNode(o: DemoNodeOptions): DemoNode {
  const cfg = o.loaded.config;
  let app: StewardApp | undefined;
  let off: (() => void) | undefined;
  let busy: Promise<void> = Promise.resolve();
  // Start and stop (a key press, a signal, Ctrl-C) may overlap: each waits for the one before.
  const serial = (fn: () => Promise<void>) => (busy = busy.then(fn, fn));
  return {
    name: o.name,
    url: `http://${cfg.http.host}:${cfg.http.port}`,
    udpPort: cfg.udp.port,
    app: () => app,
    start: () =>
      serial(async () => {
        if (app) return;
        const a = createApp(o.loaded, { log: await o.logger(o.loaded) });
        a.dashboard.attachInbox(o.inbox);
        const unsubscribe = a.dashboard.timeline.subscribe((e) => {
          o.term.event(e, o.name);
          o.onEvent(a, e);
        });
        try {
          await a.start();
        } catch (err) {
          unsubscribe();
          await a.stop();
          throw err;
        }
        app = a;
        off = unsubscribe;
      }),
    stop: () =>
      serial(async () => {
        const a = app;
        if (!a) return;
        app = undefined;
        off?.();
        await a.stop(10_000);
      }),
  };
}

/** The first node that runs, for reads of the shared store (the audit log, the cluster's view). */
export const liveApp = (nodes: readonly DemoNode[]): StewardApp | undefined => nodes.map((n) => n.app()).find((a) => a !== undefined);

/** The node that leads the schedules (and, in practice, every duty); undefined while nobody does. */
export const leaderNode = (nodes: readonly DemoNode[]): DemoNode | undefined => nodes.find((n) => n.app()?.cluster.holds("scheduler"));

export interface ClusterWatch {
  start(): Promise<void>;
  stop(): void;
}

/** One line whenever the members or the leaders change (polled from the shared store). */
export function createClusterWatch(nodes: readonly DemoNode[], term: DemoTerminal, silentAfterMs: number, intervalMs = 500): ClusterWatch {
  let last = "";
  let stopPolls: (() => void) | undefined;
  let polling = false;
  const poll = async () => {
    const app = liveApp(nodes);
    if (!app || polling) return;
    polling = true;
    try {
      const view = await app.cluster.view();
      const members = view.members.map((m) => (m.heartbeatAgeMs > silentAfterMs ? `${m.name} (silent)` : m.name));
      const byHolder = new Map<string, string[]>();
      for (const duty of DUTIES) {
        const holder = view.leaders.find((l) => l.duty === duty)?.name ?? "nobody";
        byHolder.set(holder, [...(byHolder.get(holder) ?? []), duty]);
      }
      const leads = [...byHolder].map(([holder, duties]) => `${holder} leads ${duties.join(", ")}`);
      const text = `members: ${members.join(", ") || "none"} · ${leads.join(" · ")}`;
      if (text !== last) term.cluster(text);
      last = text;
    } catch {
      // The store is unreachable for a moment (a Steward stopping): the next poll tells.
    } finally {
      polling = false;
    }
  };
  return {
    async start() {
      await poll();
      stopPolls ??= every(wallClock, intervalMs, () => void poll());
    },
    stop() {
      stopPolls?.();
      stopPolls = undefined;
    },
  };
}
