// Reads QRS entities of one kind by id for many runs at once: the ids asked for while a read of that kind is under
// way are sent together as one `id eq … or id eq …` filter when it ends, so a burst of failures costs a request per
// kind per batch rather than one per run, and the pace adapts to how fast QRS answers (no timer decides the window).
// What was read stays usable for a short time on the injected Clock, but only for runs heard of before it was read:
// a run's enrichment never sees QRS as it was before the run ended. Keys need not be ids (`clause`): a key may name a
// whole condition (a task's runs with one status in one window), its rows then picked from the batch's answer.
import type { Clock } from "../core/clock";
import { AppError, isAppError } from "../core/errors";
import { copyJson } from "../core/json-copy";
import { encodeQueryValue, eq, isGuid, or, type QrsFilter } from "./qrs-filter";
import type { QrsCallOptions } from "./qrs-client";

/** Rows asked for by id: `field eq <id>`, the id a GUID (compared in lower case). */
interface ById<T> {
  /** The property the filter compares (`id`, `executionID`). */
  field: string;
  /** The id a row answers for (the value of `field`). */
  keyOf(row: T): string | null | undefined;
}

/** Rows asked for by a condition the key stands for (any text but for `clause`, which throws for a key it cannot read). */
interface ByClause<T> {
  /** The condition of one key; a batch asks for `(clause a) or (clause b) …`. */
  clause(key: string): QrsFilter;
  /** Whether a row of the batch's answer answers `key` (as QRS would have answered the clause alone). */
  matches(row: T, key: string): boolean;
}

export type BatchReaderOptions<T> = BatchReaderCommon<T> & (ById<T> | ByClause<T>);

interface BatchReaderCommon<T> {
  /** What the rows are, for messages ("task", "app"). */
  what: string;
  /** One QRS list read; `filter` names every key of the batch. */
  fetch(filter: QrsFilter, o: QrsCallOptions): Promise<T[]>;
  clock: Clock;
  /** How long a read serves later runs; 0 keeps nothing (rows that change during a run, like executions). */
  ttlMs: number;
  /** At most this many ids per request (default 50). */
  maxIds?: number;
  /** The percent-encoded filter stays under this many characters (default 4,000: far below any URL limit). */
  maxFilterChars?: number;
  /** Reads of this kind under way at once (default 1): the ids asked for meanwhile wait and go together. */
  maxInFlight?: number;
  /** Ids whose rows are kept at most (default 1,000: a burst larger than that reads again); the oldest go first. */
  maxCached?: number;
  /**
   * Keep "QRS has none" too (default false: an id QRS did not know is asked again, as it may be new). For rows whose
   * absence is an answer, such as the triggers of a task that has none.
   */
  keepEmpty?: boolean;
}

export interface BatchReadOptions extends QrsCallOptions {
  /** Only rows read at or after this time (Clock ms) will do: the moment the run was heard of. */
  notBefore?: number;
}

export interface BatchReader<T> {
  /** Every row QRS has for `id` (a key, with `clause`) (empty when none); a copy the caller may change. */
  read(id: string, o?: BatchReadOptions): Promise<T[]>;
  /** The one row for `id`; NOT_FOUND when QRS has none. */
  one(id: string, o?: BatchReadOptions): Promise<T>;
  /** Requests sent so far (for tests and the bench). */
  readonly requests: number;
}

interface Waiter<T> {
  resolve(rows: T[]): void;
  reject(err: unknown): void;
  signal?: AbortSignal;
  timeoutMs?: number;
}

interface Flight<T> {
  startedAt: number;
  result: Promise<Map<string, T[] | Error>>;
}

/**
 * A 4xx answer about the request itself (400 for the filter, 404, 414 for its length): each id is then asked alone.
 * Not 401/403/429, nor a 5xx: those would answer every id the same, and a struggling QRS needs fewer calls.
 */
function isPerRequestAnswer(err: unknown): boolean {
  if (!isAppError(err)) return false;
  const status = (err.details as { status?: unknown } | undefined)?.status;
  return typeof status === "number" && status >= 400 && status < 500 && ![401, 403, 429].includes(status);
}

/** Rows by id with the time they were read, dropped after `ttlMs` or beyond `maxCached` (the oldest first). */
function createRowCache<T>(clock: Clock, ttlMs: number, maxCached: number, keepEmpty: boolean) {
  const cache = new Map<string, { rows: T[]; at: number }>();
  return {
    /** The rows of `id` if read at or after `notBefore` and not expired. */
    get(id: string, notBefore: number): T[] | undefined {
      const hit = cache.get(id);
      if (hit && clock.now() - hit.at >= ttlMs) cache.delete(id);
      return hit && hit.at >= notBefore && clock.now() - hit.at < ttlMs ? hit.rows : undefined;
    },
    put(rows: Map<string, T[] | Error>, at: number): void {
      if (ttlMs <= 0) return;
      for (const [id, found] of rows) {
        cache.delete(id);
        if (Array.isArray(found) && (found.length > 0 || keepEmpty)) cache.set(id, { rows: found, at });
      }
      const now = clock.now();
      for (const [id, entry] of cache) {
        if (cache.size <= maxCached && now - entry.at < ttlMs) break;
        cache.delete(id);
      }
    },
  };
}

/**
 * A signal that aborts once every caller's has (never, when one caller has none), and the release of what it listens
 * to once the read is over (a caller's signal may outlive many reads: a look's).
 */
function allAborted(signals: Array<AbortSignal | undefined>): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  if (!signals.every((s) => s !== undefined)) return { signal: controller.signal, release: () => undefined };
  const check = () => signals.every((s) => s!.aborted) && controller.abort();
  for (const s of signals) s!.addEventListener("abort", check, { once: true });
  check();
  return { signal: controller.signal, release: () => signals.forEach((s) => s!.removeEventListener("abort", check)) };
}

/** How a reader names its keys in a filter and finds their rows in a batch's answer. */
function keysOf<T>(opts: BatchReaderOptions<T>) {
  if ("clause" in opts) {
    return {
      clause: (key: string) => opts.clause(key),
      normalize(key: string, what: string): string | AppError {
        try {
          opts.clause(key);
          return key;
        } catch (err) {
          return isAppError(err) ? err : new AppError("BAD_REQUEST", `not a ${what} key: ${JSON.stringify(key)}`, { details: { key } });
        }
      },
      assign: (ids: string[], rows: T[]) => new Map<string, T[]>(ids.map((id) => [id, rows.filter((row) => opts.matches(row, id))])),
    };
  }
  return {
    clause: (id: string) => eq(opts.field, id),
    normalize: (id: string, what: string): string | AppError =>
      isGuid(id) ? id.toLowerCase() : new AppError("BAD_REQUEST", `${what} id must be a GUID, got ${JSON.stringify(id)}`, { details: { id } }),
    assign(ids: string[], rows: T[]) {
      const byId = new Map<string, T[]>(ids.map((id) => [id, []]));
      for (const row of rows) byId.get((opts.keyOf(row) ?? "").toLowerCase())?.push(row);
      return byId;
    },
  };
}

export function createBatchReader<T>(opts: BatchReaderOptions<T>): BatchReader<T> {
  const maxIds = opts.maxIds ?? 50;
  const maxFilterChars = opts.maxFilterChars ?? 4_000;
  const maxInFlight = opts.maxInFlight ?? 1;
  const cache = createRowCache<T>(opts.clock, opts.ttlMs, opts.maxCached ?? 1_000, opts.keepEmpty ?? false);
  const pending = new Map<string, Waiter<T>[]>();
  const flying = new Map<string, Flight<T>>();
  let inFlight = 0;
  let pumpQueued = false;
  let requests = 0;

  const keys = keysOf(opts);
  // Each caller its own rows (a caller may change what it was given; the cache must not see it).
  const copy = (rows: T[]): T[] => rows.map((r) => copyJson(r));
  const costOf = (id: string) => encodeQueryValue(`(${keys.clause(id).expression}) or `).length;

  async function send(ids: string[], call: QrsCallOptions): Promise<Map<string, T[]>> {
    requests++;
    const rows = await opts.fetch(or(...ids.map(keys.clause)), call);
    return keys.assign(ids, rows);
  }

  /** One request for the batch; an answer about the request as a whole makes each id be asked alone. */
  async function readBatch(ids: string[], call: QrsCallOptions): Promise<Map<string, T[] | Error>> {
    try {
      return await send(ids, call);
    } catch (err) {
      if (ids.length === 1 || !isPerRequestAnswer(err)) throw err;
      const out = new Map<string, T[] | Error>();
      for (const id of ids) {
        try {
          out.set(id, (await send([id], call)).get(id) ?? []);
        } catch (one) {
          out.set(id, one instanceof Error ? one : new Error(String(one)));
        }
      }
      return out;
    }
  }

  function dispatch(ids: string[], waiters: Waiter<T>[][]): void {
    inFlight++;
    const startedAt = opts.clock.now();
    const all = waiters.flat();
    // The shared read gives up only when every caller has: one caller's budget must not cut the others short.
    const timeoutMs = Math.max(0, ...all.map((w) => w.timeoutMs ?? 0)) || undefined;
    const callers = allAborted(all.map((w) => w.signal));
    const settled = readBatch(ids, { timeoutMs, signal: callers.signal }).then((m) => {
      cache.put(m, startedAt);
      return m;
    });
    const shared: Flight<T> = { startedAt, result: settled };
    for (const id of ids) flying.set(id, shared);
    settled.then(
      (m) =>
        ids.forEach((id, i) => {
          const v = m.get(id);
          for (const w of waiters[i]!) v instanceof Error ? w.reject(v) : w.resolve(copy(v ?? []));
        }),
      (err) => {
        for (const w of all) w.reject(err);
      },
    );
    settled
      .catch(() => undefined)
      .finally(() => {
        callers.release();
        for (const id of ids) if (flying.get(id) === shared) flying.delete(id);
        inFlight--;
        pump();
      });
  }

  function pump(): void {
    while (inFlight < maxInFlight && pending.size > 0) {
      const ids: string[] = [];
      const waiters: Waiter<T>[][] = [];
      let chars = 0;
      for (const [id, ws] of pending) {
        if (ids.length >= maxIds || (ids.length > 0 && chars + costOf(id) > maxFilterChars)) break;
        pending.delete(id);
        const live = ws.filter((w) => !w.signal?.aborted);
        if (live.length === 0) continue;
        ids.push(id);
        waiters.push(live);
        chars += costOf(id);
      }
      if (ids.length > 0) dispatch(ids, waiters);
    }
  }

  function read(rawId: string, o: BatchReadOptions = {}): Promise<T[]> {
    const id = keys.normalize(rawId, opts.what);
    if (id instanceof AppError) return Promise.reject(id);
    const notBefore = o.notBefore ?? opts.clock.now();
    const hit = cache.get(id, notBefore);
    if (hit) return Promise.resolve(copy(hit));
    const late = () => new AppError("TIMEOUT", `no answer from QRS for ${opts.what} ${id} in time`, { details: { id } });
    if (o.signal?.aborted) return Promise.reject(late());
    return new Promise<T[]>((resolveRead, rejectRead) => {
      // Once answered, no longer listened to: a look's signal outlives its reads, each an error at its end (issue 89).
      const signal = o.signal;
      const onAbort = () => rejectRead(late());
      signal?.addEventListener("abort", onAbort, { once: true });
      const resolve = (rows: T[]) => {
        signal?.removeEventListener("abort", onAbort);
        resolveRead(rows);
      };
      const reject = (err: unknown) => {
        signal?.removeEventListener("abort", onAbort);
        rejectRead(err);
      };
      const flight = flying.get(id);
      if (flight && flight.startedAt >= notBefore) {
        flight.result.then((m) => {
          const v = m.get(id);
          v instanceof Error ? reject(v) : resolve(copy(v ?? []));
        }, reject);
        return;
      }
      const waiter: Waiter<T> = { resolve, reject, signal: o.signal, timeoutMs: o.timeoutMs };
      const list = pending.get(id);
      if (list) list.push(waiter);
      else pending.set(id, [waiter]);
      // Callers in the same turn go together even when nothing is under way yet.
      if (!pumpQueued) {
        pumpQueued = true;
        queueMicrotask(() => {
          pumpQueued = false;
          pump();
        });
      }
    });
  }

  return {
    read,
    async one(id, o) {
      const rows = await read(id, o);
      const first = rows[0];
      if (first === undefined) throw new AppError("NOT_FOUND", `no ${opts.what} with id ${id} on the Qlik site`, { details: { id } });
      return first;
    },
    get requests() {
      return requests;
    },
  };
}
