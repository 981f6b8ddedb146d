// A keep-alive Agent for QRS that lets go of its connections once no request has been in flight for a while. Bun keeps
// a timer ticking every second for each idle keep-alive connection, so the one a look left open woke an idle Steward
// twice a second (its main thread and the allocator's scavenger after it; issue 78). A look or a burst of
// enrichments reuses its connection throughout; the next one, a minute later, opens another.
import type { Agent } from "node:https";
import { type Timer, wallClock } from "../core/clock";

/** How long the connections stay open after the last answer. */
export const QRS_IDLE_CLOSE_MS = 5_000;

export interface IdleClosingAgent {
  /** The agent, made again when an idle spell closed the last one. */
  get(): Agent;
  /** Counts `answer` as in flight until it settles. */
  track<T>(answer: Promise<T>): Promise<T>;
  close(): void;
}

export function createIdleClosingAgent(make: () => Agent, idleMs = QRS_IDLE_CLOSE_MS): IdleClosingAgent {
  let agent: Agent | undefined;
  let pending = 0;
  let timer: Timer | undefined;
  const drop = () => {
    wallClock.clearTimeout(timer);
    timer = undefined;
    agent?.destroy();
    agent = undefined;
  };
  const settled = () => {
    if (--pending > 0) return;
    timer = wallClock.setTimeout(() => {
      timer = undefined;
      if (pending === 0) drop();
    }, idleMs);
    timer.unref?.();
  };
  return {
    get() {
      agent ??= make();
      return agent;
    },
    track(answer) {
      pending++;
      wallClock.clearTimeout(timer);
      timer = undefined;
      answer.then(settled, settled);
      return answer;
    },
    close: drop,
  };
}
