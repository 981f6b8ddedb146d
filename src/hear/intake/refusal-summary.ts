// One log line a minute at most for something refused by the thousand (datagrams from senders not admitted, Engine
// reloads beyond the budget): "refused 812 datagrams from 2 addresses not Qlik nodes in the last minute: 10.1.2.3
// (800), 10.1.2.4 (12)". The first refusal is said at once; what follows within the minute is said when it ends.
// A line per refusal would let any sender fill the log.
import type { Logger } from "pino";
import type { Clock, Timer } from "../../platform/core/clock";

export interface RefusalSummary {
  add(key: string): void;
  /** Says what is counted and not said yet, and stops the timer. */
  stop(): void;
}

export interface RefusalSummaryOptions {
  clock: Clock;
  log: Logger;
  /** "not Qlik nodes": what the refused senders are, in the line. */
  what: string;
  /** The line's words: "refused N datagrams from M addresses …" by default. */
  line?: (total: number, keys: number, list: string) => string;
  /** Keys named in the line at most (the biggest first), and kept at most between lines. */
  maxNamed?: number;
  maxKeys?: number;
}

const MINUTE_MS = 60_000;

export function createRefusalSummary(o: RefusalSummaryOptions): RefusalSummary {
  const counts = new Map<string, number>();
  const maxKeys = o.maxKeys ?? 10_000;
  let total = 0;
  /** Refused from keys no longer kept (a forger rotating addresses): in the total, not named. */
  let unnamed = 0;
  let lastLineAt = Number.NEGATIVE_INFINITY;
  let timer: Timer | undefined;
  const line =
    o.line ??
    ((n, keys, list) => `refused ${n} datagram${n === 1 ? "" : "s"} from ${keys} address${keys === 1 ? "" : "es"} ${o.what} in the last minute: ${list}`);

  function flush(): void {
    timer = undefined;
    if (total === 0) return;
    const named = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, o.maxNamed ?? 10);
    const more = counts.size - named.length;
    const list = named.map(([k, n]) => `${k} (${n})`).join(", ") + (more > 0 || unnamed > 0 ? `, and ${more > 0 ? `${more} more` : "others"}` : "");
    o.log.warn({ refused: total, sources: counts.size, top: Object.fromEntries(named) }, line(total, counts.size, list));
    counts.clear();
    total = 0;
    unnamed = 0;
    lastLineAt = o.clock.now();
  }

  return {
    add(key) {
      total++;
      const n = counts.get(key);
      if (n !== undefined) counts.set(key, n + 1);
      else if (counts.size < maxKeys) counts.set(key, 1);
      else unnamed++;
      if (timer) return;
      const wait = Math.max(0, lastLineAt + MINUTE_MS - o.clock.now());
      if (wait === 0) flush();
      else {
        timer = o.clock.setTimeout(flush, wait);
        timer.unref?.();
      }
    },
    stop() {
      if (timer) o.clock.clearTimeout(timer);
      flush();
    },
  };
}
