// Ordered start and reverse-ordered, time-bounded stop of the program's components.
import { type Timer, wallClock } from "./clock";
import type { Logger } from "pino";
import { describeError } from "./errors";

export interface Component {
  name: string;
  start(): Promise<void> | void;
  /** Must finish in-flight work or give up within the given budget. */
  stop(budgetMs: number): Promise<void> | void;
}

export interface Lifecycle {
  add(component: Component): void;
  start(): Promise<void>;
  stop(budgetMs?: number): Promise<void>;
  readonly started: boolean;
}

export function createLifecycle(log: Logger): Lifecycle {
  const components: Component[] = [];
  const running: Component[] = [];
  let stopping: Promise<void> | undefined;

  return {
    add(component) {
      components.push(component);
    },
    async start() {
      for (const c of components) {
        try {
          await c.start();
          running.push(c);
        } catch (err) {
          log.error({ component: c.name, err: describeError(err) }, "component failed to start; stopping the others");
          await this.stop();
          throw err;
        }
      }
    },
    stop(budgetMs = 10_000) {
      stopping ??= (async () => {
        const deadline = Date.now() + budgetMs;
        for (const c of running.reverse()) {
          const left = Math.max(100, deadline - Date.now());
          let timer: Timer | undefined;
          try {
            await Promise.race([
              Promise.resolve(c.stop(left)),
              new Promise((_, reject) => (timer = wallClock.setTimeout(() => reject(new Error(`did not stop within ${left} ms`)), left))),
            ]);
          } catch (err) {
            log.warn({ component: c.name, err: describeError(err) }, "component did not stop cleanly");
          } finally {
            wallClock.clearTimeout(timer);
          }
        }
        running.length = 0;
      })();
      return stopping;
    },
    get started() {
      return running.length > 0;
    },
  };
}
