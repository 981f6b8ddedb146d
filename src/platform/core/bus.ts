// A typed in-process event bus. Events flow one way: producers emit, subscribers react. A failing subscriber
// never stops the others; it is logged, and when it was subscribed as required (the notification pipeline,
// which must have written its outbox), emit rejects so the producer does not count the event as handled.
import type { Logger } from "pino";
import { AppError, describeError } from "./errors";

export type Handler<T> = (payload: T) => void | Promise<void>;

export interface SubscribeOptions {
  /** emit() rejects when this subscriber fails (after every subscriber has run). */
  required?: boolean;
}

export interface EventBus<M extends object> {
  on<K extends keyof M & string>(kind: K, handler: Handler<M[K]>, options?: SubscribeOptions): () => void;
  /** Subscribes to every kind; used by the notification pipeline and the dashboard timeline. */
  onAny(handler: (kind: keyof M & string, payload: M[keyof M]) => void | Promise<void>, options?: SubscribeOptions): () => void;
  /** Delivers to all subscribers and resolves when every handler has settled; rejects if a required one failed. */
  emit<K extends keyof M & string>(kind: K, payload: M[K]): Promise<void>;
}

interface Subscriber {
  fn: (kind: string, payload: unknown) => void | Promise<void>;
  required: boolean;
}

export function createEventBus<M extends object>(log: Logger): EventBus<M> {
  const byKind = new Map<string, Set<Subscriber>>();
  const any = new Set<Subscriber>();
  /** Each kind's subscribers (its own, then every kind's) as emit calls them; made again after a change. */
  const lists = new Map<string, Subscriber[]>();

  const failed = (kind: string, s: Subscriber, err: unknown): Error | undefined => {
    log.error({ err: describeError(err), kind, required: s.required }, "event subscriber failed");
    return s.required ? (err as Error) : undefined;
  };
  async function settle(kind: string, s: Subscriber, p: PromiseLike<void>): Promise<Error | undefined> {
    try {
      await p;
      return undefined;
    } catch (err) {
      return failed(kind, s, err);
    }
  }

  const add = (set: Set<Subscriber>, s: Subscriber) => {
    set.add(s);
    lists.clear();
    return () => {
      set.delete(s);
      lists.clear();
    };
  };
  const listOf = (kind: string): Subscriber[] => {
    let list = lists.get(kind);
    if (!list) lists.set(kind, (list = [...(byKind.get(kind) ?? []), ...any]));
    return list;
  };

  return {
    on(kind, handler, options = {}) {
      let set = byKind.get(kind);
      if (!set) byKind.set(kind, (set = new Set()));
      return add(set, { fn: (_k, p) => handler(p as M[typeof kind]), required: options.required === true });
    },
    onAny(handler, options = {}) {
      return add(any, { fn: (k, p) => handler(k as keyof M & string, p as M[keyof M]), required: options.required === true });
    },
    async emit(kind, payload) {
      // Each subscriber is called at once, in order; only the promises they return are awaited (an async wrapper
      // and Promise.all for every subscriber of every event were 2 % of a burst's main thread, issue 89).
      const outcomes: Array<Error | undefined | Promise<Error | undefined>> = [];
      let waiting = false;
      for (const s of listOf(kind)) {
        try {
          const r = s.fn(kind, payload);
          if (r !== undefined && typeof (r as PromiseLike<void>).then === "function") {
            outcomes.push(settle(kind, s, r));
            waiting = true;
          } else outcomes.push(undefined);
        } catch (err) {
          outcomes.push(failed(kind, s, err));
        }
      }
      const failures = (waiting ? await Promise.all(outcomes) : (outcomes as Array<Error | undefined>)).filter((e): e is Error => e !== undefined);
      if (failures.length > 0) {
        throw new AppError("INTERNAL", `a required subscriber of ${kind} failed: ${describeError(failures[0])}`, { cause: failures[0] });
      }
    },
  };
}
