// Keeps the mutual-TLS listener from being starved: node:tls and node:http (which that listener is built on, see
// mtls-server.ts) hold a connection as long as the peer keeps it open, so idle connections could take every file
// descriptor. Each connection gets a deadline for its handshake, for a request's headers once it is idle, and for
// a request's body; the number of connections is capped in all and per address, and a new connection over a cap
// closes the longest-idle one of the address holding the most (a connection with a request in flight is never
// closed), so a flood from a few addresses cannot keep out a client that comes later.
import { type Timer, wallClock } from "../core/clock";
import type { Socket } from "node:net";
import type { Logger } from "pino";
import { openFileLimit } from "../core/file-limit";

export interface ConnectionLimits {
  /** From accept to a finished TLS handshake. */
  handshakeTimeoutMs: number;
  /** An idle connection (no request in flight) must bring a request's headers within this, or is closed. */
  idleTimeoutMs: number;
  /** A request's body must arrive within this. */
  bodyTimeoutMs: number;
  maxConnections: number;
  maxPerAddress: number;
}

/** Half the open-file limit (the store, PostgreSQL, outbound calls and the runtime need the rest), 32 to 4,096. */
export function defaultConnectionLimits(fileLimit = openFileLimit()): ConnectionLimits {
  const maxConnections = fileLimit === undefined ? 4096 : Math.max(32, Math.min(4096, Math.floor(fileLimit / 2)));
  return {
    handshakeTimeoutMs: 10_000,
    idleTimeoutMs: 10_000,
    bodyTimeoutMs: 30_000,
    maxConnections,
    maxPerAddress: Math.max(8, Math.floor(maxConnections / 4)),
  };
}

interface Tracked {
  socket: Socket;
  address: string;
  /** Requests in flight (HTTP/1.1 keep-alive: at most one at a time, pipelining aside). */
  busy: number;
  /** When the connection last became idle (for the longest-idle choice). */
  idleSince: number;
  timer?: Timer;
}

export interface ConnectionGuard {
  /** A new TCP connection: false when it was closed at once (a cap, and nothing idle to close for it). */
  admit(socket: Socket): boolean;
  /** Its TLS handshake finished: from now on it is idle until a request arrives. */
  secured(socket: Socket): void;
  requestStarted(socket: Socket): void;
  requestEnded(socket: Socket): void;
  /** A deadline for reading a body: call the returned function when it is read. */
  bodyDeadline(socket: Socket): () => void;
  readonly open: number;
  stats(): { open: number; closedIdle: number; closedHandshake: number; evicted: number; refused: number };
}

const keyOf = (s: Socket) => `${s.remoteAddress ?? "?"}|${s.remotePort ?? "?"}`;

export function createConnectionGuard(limits: ConnectionLimits, log: Logger): ConnectionGuard {
  const byKey = new Map<string, Tracked>();
  const perAddress = new Map<string, Set<Tracked>>();
  const counts = { closedIdle: 0, closedHandshake: 0, evicted: 0, refused: 0 };
  let lastWarning = 0;

  const warn = (what: string, address: string) => {
    const now = Date.now();
    if (now - lastWarning < 60_000) return;
    lastWarning = now;
    log.warn({ address, open: byKey.size, limit: limits.maxConnections, perAddress: limits.maxPerAddress, ...counts }, what);
  };

  const forget = (t: Tracked) => {
    wallClock.clearTimeout(t.timer);
    const key = keyOf(t.socket);
    if (byKey.get(key) === t) byKey.delete(key);
    const set = perAddress.get(t.address);
    set?.delete(t);
    if (set?.size === 0) perAddress.delete(t.address);
  };

  const deadline = (t: Tracked, ms: number, onExpiry: () => void) => {
    wallClock.clearTimeout(t.timer);
    t.timer = wallClock.setTimeout(() => {
      if (t.busy > 0) return;
      onExpiry();
      t.socket.destroy();
    }, ms);
    t.timer.unref?.();
  };

  /** The longest-idle connection of `set`, if any is idle. */
  const longestIdle = (set: Iterable<Tracked>): Tracked | undefined => {
    let best: Tracked | undefined;
    for (const t of set) if (t.busy === 0 && (!best || t.idleSince < best.idleSince)) best = t;
    return best;
  };

  /** Closes an idle connection to make room: of `address` when given, else of the address holding the most. */
  const evict = (address?: string): boolean => {
    let victim: Tracked | undefined;
    if (address !== undefined) victim = longestIdle(perAddress.get(address) ?? []);
    else {
      let crowded: Set<Tracked> | undefined;
      for (const set of perAddress.values()) if (!crowded || set.size > crowded.size) crowded = set;
      victim = longestIdle(crowded ?? []) ?? longestIdle(byKey.values());
    }
    if (!victim) return false;
    counts.evicted++;
    forget(victim);
    victim.socket.destroy();
    return true;
  };

  const tracked = (s: Socket) => byKey.get(keyOf(s));

  return {
    admit(socket) {
      const address = socket.remoteAddress ?? "?";
      const mine = perAddress.get(address)?.size ?? 0;
      const room = (mine < limits.maxPerAddress || evict(address)) && (byKey.size < limits.maxConnections || evict());
      if (!room) {
        counts.refused++;
        warn("REST API (mutual TLS) at its connection limit, every connection busy: a new one was closed at once", address);
        socket.destroy();
        return false;
      }
      if (mine >= limits.maxPerAddress || byKey.size >= limits.maxConnections - 1)
        warn("REST API (mutual TLS) at its connection limit: idle connections are closed to make room", address);
      const t: Tracked = { socket, address, busy: 0, idleSince: Date.now() };
      byKey.set(keyOf(socket), t);
      let set = perAddress.get(address);
      if (!set) perAddress.set(address, (set = new Set()));
      set.add(t);
      socket.once("close", () => forget(t));
      deadline(t, limits.handshakeTimeoutMs, () => counts.closedHandshake++);
      return true;
    },
    secured(socket) {
      const t = tracked(socket);
      if (!t) return;
      // Node wraps the TCP socket in a new TLS socket (Bun hands over the same one): close the one that carries data.
      if (t.socket !== socket) {
        t.socket = socket;
        socket.once("close", () => forget(t));
      }
      t.idleSince = Date.now();
      deadline(t, limits.idleTimeoutMs, () => counts.closedIdle++);
    },
    requestStarted(socket) {
      const t = tracked(socket);
      if (!t) return;
      t.busy++;
      wallClock.clearTimeout(t.timer);
    },
    requestEnded(socket) {
      const t = tracked(socket);
      if (!t) return;
      t.busy = Math.max(0, t.busy - 1);
      if (t.busy === 0) {
        t.idleSince = Date.now();
        deadline(t, limits.idleTimeoutMs, () => counts.closedIdle++);
      }
    },
    bodyDeadline(socket) {
      const timer = wallClock.setTimeout(() => socket.destroy(), limits.bodyTimeoutMs);
      timer.unref?.();
      return () => wallClock.clearTimeout(timer);
    },
    get open() {
      return byKey.size;
    },
    stats: () => ({ open: byKey.size, ...counts }),
  };
}
