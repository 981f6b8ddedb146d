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

  async function run(kind: string, payload: unknown, s: Subscriber): Promise<Error | undefined> {
    try {
      await s.fn(kind, payload);
      return undefined;
    } catch (err) {
      log.error({ err: describeError(err), kind, required: s.required }, "event subscriber failed");
      return s.required ? (err as Error) : undefined;
    }
  }

  const add = (set: Set<Subscriber>, s: Subscriber) => {
    set.add(s);
    return () => void set.delete(s);
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
      const subscribers = [...(byKind.get(kind) ?? []), ...any];
      const failures = (await Promise.all(subscribers.map((s) => run(kind, payload, s)))).filter((e): e is Error => e !== undefined);
      if (failures.length > 0) {
        throw new AppError("INTERNAL", `a required subscriber of ${kind} failed: ${describeError(failures[0])}`, { cause: failures[0] });
      }
    },
  };
}
