// An on-call engineer as fast as can be: every incident a Steward lists (GET /v4/incidents, asked of each live member
// in turn every 0.1 s) is acknowledged through the API (POST /v4/incidents/{id}/acknowledge, on the next member) the
// moment it is listed, before its page has had time to be queued (issue 84's lost acknowledgements).
export interface Listed {
  id: number;
  taskId: string | null;
  listedAt: number;
  /** The acknowledgement's answer: 200, 409 (closed by then), another status, or -1 (no answer); undefined while asked. */
  ack?: number;
}

export interface Acknowledger {
  listed: Map<number, Listed>;
  /** The latest answer's open incidents by task, and when that list was asked for. */
  open: { tasks: Map<string, number>; askedAt: number };
  /** Stops asking; resolves once every acknowledgement asked has its answer. */
  stop(): Promise<void>;
}

export function acknowledgeAsListed(members: () => Array<{ base: string }>): Acknowledger {
  const listed = new Map<number, Listed>();
  const asked: Array<Promise<void>> = [];
  let running = true;
  let turn = 0;
  const open = { tasks: new Map<string, number>(), askedAt: 0 };
  const loop = (async () => {
    while (running) {
      const live = members();
      const m = live[turn++ % Math.max(1, live.length)];
      if (m) {
        const askedAt = Date.now();
        const answer = (await fetch(`${m.base}/v4/incidents?status=open&limit=1000`, { signal: AbortSignal.timeout(5_000) })
          .then((r) => (r.ok ? r.json() : undefined))
          .catch(() => undefined)) as { incidents: Array<{ id: number; taskId: string | null }> } | undefined;
        if (answer) {
          open.tasks = new Map(answer.incidents.filter((i) => i.taskId !== null).map((i) => [i.taskId!, i.id]));
          open.askedAt = askedAt;
        }
        for (const inc of answer?.incidents ?? []) {
          if (listed.has(inc.id)) continue;
          const l: Listed = { id: inc.id, taskId: inc.taskId, listedAt: Date.now() };
          listed.set(inc.id, l);
          const via = live[turn % live.length] ?? m;
          asked.push(
            fetch(`${via.base}/v4/incidents/${inc.id}/acknowledge`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ note: "on it (chaos scenario)" }),
              signal: AbortSignal.timeout(20_000),
            })
              .then((r) => void (l.ack = r.status))
              .catch(() => void (l.ack = -1)),
          );
        }
      }
      await Bun.sleep(100);
    }
  })();
  return {
    listed,
    open,
    async stop() {
      running = false;
      await loop;
      await Promise.all(asked);
    },
  };
}
