// Sends the Scheduler's UDP datagrams to the targets of the node that logged them, with knobs for hazards Steward must survive
// (duplicates, `;` in names, non-ASCII, oversize datagrams, dropped datagrams).
import { createSocket, type Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import type { UdpSettings, UdpTarget } from "../settings";
import type { SchedulerLogEvent } from "../tasks/log-event";
import type { EngineLogEvent } from "../engine/engine-log";
import { ENGINE_PREFIX, engineAppenderMatches, formatEngineDatagram } from "./engine-format";
import { formatDatagram, matchingAppenders } from "./format";
import { targetsOfNode } from "./node-targets";

export interface SentDatagram {
  time: string;
  prefix: string;
  text: string;
  bytes: number;
  /** The node whose Scheduler logged the line. */
  node: string;
  targets: string[];
  dropped: boolean;
  copies: number;
}

export interface UdpEmitter {
  /** Called for every Scheduler log line; sends what the appenders match. */
  handle(event: SchedulerLogEvent): void;
  /** Called for every Engine log line about a reload; sends it when the Engine's appender is installed (`udp.engine`) and matches. */
  handleEngine(event: EngineLogEvent): void;
  /** The most recent datagrams (newest last), including dropped ones. */
  recent(): SentDatagram[];
  clearRecent(): void;
  /**
   * Datagrams handed to the OS for `target` ("host:port") so far, less those whose send failed: a stepped
   * simulation compares it with what the receiver counted, so time does not move while one is on its way.
   */
  sentTo(target: string): number;
  stop(): Promise<void>;
}

const MAX_DATAGRAM = 65_507;
const KEEP_RECENT = 500;

/** Applies the name/message knobs to a log event before formatting. */
function decorate(e: SchedulerLogEvent, s: UdpSettings): SchedulerLogEvent {
  let taskName = e.taskName;
  let message = e.message;
  if (s.nonAscii) taskName = `${taskName} – Försäljning Åäö 東京`;
  if (s.semicolons) {
    taskName = `${taskName}; part 2`;
    message = `${message}; see log; code=1`;
  }
  return { ...e, taskName, message };
}

function pad(text: string, targetBytes: number): string {
  const have = Buffer.byteLength(text, "utf8");
  const want = Math.min(targetBytes, MAX_DATAGRAM);
  return have >= want ? text : `${text} ${"X".repeat(Math.max(0, want - have - 1))}`;
}

export function createUdpEmitter(settings: UdpSettings, onError: (err: Error) => void = () => {}): UdpEmitter {
  const recent: SentDatagram[] = [];
  // One socket per target, as log4net's UDP appenders have one client each. On a shared socket (Bun), the ICMP
  // "port unreachable" of a target that is down is reported on the next send, to any target, and that datagram is
  // lost: one stopped Steward would silence the datagrams to every other.
  const sockets = new Map<string, Socket>();
  const socketFor = (t: UdpTarget): Socket => {
    const key = `${t.host}|${t.port}`;
    let s = sockets.get(key);
    if (!s) {
      s = createSocket(isIPv6(t.host) ? "udp6" : "udp4").on("error", onError);
      s.unref();
      sockets.set(key, s);
    }
    return s;
  };

  const sent = new Map<string, number>();
  const count = (key: string, by: number) => sent.set(key, (sent.get(key) ?? 0) + by);
  const send = (buf: Buffer, targets: UdpTarget[]) => {
    for (const t of targets) {
      const key = `${t.host}:${t.port}`;
      count(key, 1);
      const failed = (err: Error) => {
        count(key, -1);
        onError(err);
      };
      try {
        socketFor(t).send(buf, t.port, t.host, (err) => err && failed(err));
      } catch (err) {
        failed(err as Error);
      }
    }
  };

  /** One datagram to the node's targets, counted and listed as the appenders' are. */
  const sendAndNote = (text: string, prefix: string, node: string, timeMs: number) => {
    const targets = targetsOfNode(settings, node);
    const buf = Buffer.from(text, "utf8");
    const dropped = settings.dropNext > 0;
    if (dropped) settings.dropNext--;
    const copies = 1 + settings.duplicates;
    if (!dropped) for (let i = 0; i < copies; i++) send(buf, targets);
    recent.push({
      time: new Date(timeMs).toISOString(),
      prefix,
      text,
      bytes: buf.length,
      node,
      targets: targets.map((t) => `${t.host}:${t.port}`),
      dropped,
      copies: dropped ? 0 : copies,
    });
    if (recent.length > KEEP_RECENT) recent.shift();
  };

  return {
    handleEngine(event) {
      if (!settings.engine || settings.engineSilentNodes.includes(event.nodeName) || !engineAppenderMatches(event)) return;
      sendAndNote(formatEngineDatagram(event), ENGINE_PREFIX, event.nodeName, event.timeMs);
    },
    handle(event) {
      for (const appender of matchingAppenders(event, settings.generation)) {
        let text = formatDatagram(appender.prefix, decorate(event, settings), { nullForMissing: settings.nullForMissing });
        if (settings.oversizeBytes > 0) text = pad(text, settings.oversizeBytes);
        sendAndNote(text, appender.prefix, event.nodeName, event.timeMs);
      }
    },
    recent: () => [...recent],
    sentTo: (target) => sent.get(target) ?? 0,
    clearRecent: () => {
      recent.length = 0;
    },
    async stop() {
      const all = [...sockets.values()];
      sockets.clear();
      await Promise.all(all.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
