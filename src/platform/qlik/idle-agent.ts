// A keep-alive Agent for QRS that lets go of its connections once no request has been in flight for a while. Bun keeps
// a timer ticking every second while a TLS client connection is open (a plain HTTP one does not), so the one a look
// left open woke an idle Steward two to three times a second (its main thread and the allocator's scavenger after it;
// issue 78). A look or a burst of enrichments reuses its connection throughout; the next one, a minute later, opens
// another. Only the connections go, not the Agent: it keeps its TLS sessions, so the next connection resumes one (no
// certificate exchange, no signatures) and costs the first request after a quiet spell less.
import type { Socket } from "node:net";
import type { Agent } from "node:https";
import { type Timer, wallClock } from "../core/clock";

/**
 * How long the connections stay open after the last answer. The requests of one look or one burst follow each other
 * within milliseconds; each second a connection stays open past them costs one to three wake-ups and 0.3 to 0.6 ms of
 * CPU (issue 89: 5 s before, with three connections a minute on an idle default site).
 */
export const QRS_IDLE_CLOSE_MS = 1_000;

export interface IdleClosingAgent {
  /** The agent (made at the first request, kept until close()). */
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
  const closeIdle = () => {
    const free = (agent as unknown as { freeSockets?: Record<string, Socket[] | undefined> } | undefined)?.freeSockets ?? {};
    for (const sockets of Object.values(free)) for (const socket of [...(sockets ?? [])]) socket.destroy();
  };
  const settled = () => {
    if (--pending > 0) return;
    timer = wallClock.setTimeout(() => {
      timer = undefined;
      if (pending === 0) closeIdle();
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
