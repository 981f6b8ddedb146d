// A typed in-process event bus. Events flow one way: producers emit, subscribers react. A failing
// subscriber is logged and never stops the others or the producer.
import type { Logger } from "pino";

export type Handler<T> = (payload: T) => void | Promise<void>;

export interface EventBus<M extends object> {
  on<K extends keyof M & string>(kind: K, handler: Handler<M[K]>): () => void;
  /** Subscribes to every kind; used by the notification pipeline and the dashboard timeline. */
  onAny(handler: (kind: keyof M & string, payload: M[keyof M]) => void | Promise<void>): () => void;
  /** Delivers to all subscribers and resolves when every handler has settled. */
  emit<K extends keyof M & string>(kind: K, payload: M[K]): Promise<void>;
}

export function createEventBus<M extends object>(log: Logger): EventBus<M> {
  const handlers = new Map<string, Set<Handler<unknown>>>();
  const anyHandlers = new Set<(kind: keyof M & string, payload: M[keyof M]) => void | Promise<void>>();

  async function run(kind: string, fn: () => void | Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      log.error({ err, kind }, "event subscriber failed");
    }
  }

  return {
    on(kind, handler) {
      let set = handlers.get(kind);
      if (!set) handlers.set(kind, (set = new Set()));
      set.add(handler as Handler<unknown>);
      return () => void set.delete(handler as Handler<unknown>);
    },
    onAny(handler) {
      anyHandlers.add(handler);
      return () => void anyHandlers.delete(handler);
    },
    async emit(kind, payload) {
      const jobs: Promise<void>[] = [];
      for (const h of handlers.get(kind) ?? []) jobs.push(run(kind, () => h(payload)));
      for (const h of anyHandlers) jobs.push(run(kind, () => h(kind, payload as M[keyof M])));
      await Promise.all(jobs);
    },
  };
}
