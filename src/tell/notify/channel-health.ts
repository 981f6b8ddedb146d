// Whether each channel can deliver, from its last attempts: a channel whose deliveries keep failing (an SMTP server
// that refuses, a webhook that answers 500) is a part of Steward that cannot do its job. Read by /ready and by the
// degraded watch, which says so on the channels that still work. Kept across config reloads (the notifier is rebuilt,
// this is not), in memory: after a restart the next attempt tells again.
import type { ReadinessCheck } from "../../platform/core/readiness";

/** Failed attempts in a row after which a channel counts as failing (one failure is a blip the retry absorbs). */
export const FAILING_AFTER_ATTEMPTS = 3;
/** Channels named in the readiness detail; the rest are counted. */
const MAX_NAMED = 5;
/** A channel's last error as shown: long enough for an SMTP reply or an HTTP status line. */
const MAX_ERROR_CHARS = 300;

export interface ChannelHealthState {
  channel: string;
  /** Attempts that failed since the last one that delivered. */
  failuresInARow: number;
  /** When the first of those failed (epoch ms). */
  failingSince?: number;
  lastError?: string;
  lastDeliveredAt?: number;
}

export interface ChannelHealth {
  delivered(channel: string, at: number): void;
  failed(channel: string, error: string, at: number): void;
  /** Channels that are no longer configured are forgotten (a reload removed them). */
  keepOnly(channels: readonly string[]): void;
  failing(): ChannelHealthState[];
  all(): ChannelHealthState[];
  readiness: ReadinessCheck;
}

export function createChannelHealth(opts: { failingAfter?: number; formatTime?: (ms: number) => string } = {}): ChannelHealth {
  const failingAfter = opts.failingAfter ?? FAILING_AFTER_ATTEMPTS;
  const formatTime = opts.formatTime ?? ((ms: number) => new Date(ms).toISOString());
  const states = new Map<string, ChannelHealthState>();
  const stateOf = (channel: string) => {
    let s = states.get(channel);
    if (!s) states.set(channel, (s = { channel, failuresInARow: 0 }));
    return s;
  };
  const failing = () => [...states.values()].filter((s) => s.failuresInARow >= failingAfter).sort((a, b) => a.channel.localeCompare(b.channel));
  return {
    delivered(channel, at) {
      const s = stateOf(channel);
      s.failuresInARow = 0;
      delete s.failingSince;
      delete s.lastError;
      s.lastDeliveredAt = at;
    },
    failed(channel, error, at) {
      const s = stateOf(channel);
      if (s.failuresInARow === 0) s.failingSince = at;
      s.failuresInARow++;
      s.lastError = error.length > MAX_ERROR_CHARS ? `${error.slice(0, MAX_ERROR_CHARS)}…` : error;
    },
    keepOnly(channels) {
      const keep = new Set(channels);
      for (const name of states.keys()) if (!keep.has(name)) states.delete(name);
    },
    failing,
    all: () => [...states.values()].map((s) => ({ ...s })),
    readiness: {
      name: "channels",
      required: true,
      check() {
        const bad = failing();
        if (bad.length === 0) return { ok: true, detail: states.size === 0 ? "no delivery tried yet" : "every channel delivers" };
        const named = bad
          .slice(0, MAX_NAMED)
          .map((s) => `${s.channel}: ${s.failuresInARow} attempts failed since ${formatTime(s.failingSince ?? 0)} (${s.lastError ?? "no error text"})`);
        if (bad.length > MAX_NAMED) named.push(`and ${bad.length - MAX_NAMED} more`);
        return { ok: false, detail: named.join("; ") };
      },
    },
  };
}
