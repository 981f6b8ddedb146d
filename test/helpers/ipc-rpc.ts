// Calls between a parent process and the child it spawned with an IPC channel (Bun.spawn's `ipc`): each call a
// numbered message, each answer naming its call, so several may be under way at once.

interface Call {
  id: number;
  op: string;
  args?: unknown;
}
interface Answer {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

export interface RpcClient {
  call<T = unknown>(op: string, args?: unknown): Promise<T>;
  /** Give it every message the child sends. */
  receive(message: unknown): void;
  /** The child is gone: every call still waiting fails with `why`. */
  fail(why: string): void;
}

export function rpcClient(send: (m: Call) => void): RpcClient {
  let seq = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; op: string }>();
  let gone: string | undefined;
  return {
    call<T>(op: string, args?: unknown): Promise<T> {
      if (gone) return Promise.reject(new Error(`${op}: ${gone}`));
      const id = ++seq;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, op });
        send({ id, op, args });
      });
    },
    receive(message) {
      const a = message as Answer;
      const w = waiting.get(a.id);
      if (!w) return;
      waiting.delete(a.id);
      if (a.ok) w.resolve(a.value);
      else w.reject(new Error(`${w.op} failed in the child: ${a.error}`));
    },
    fail(why) {
      gone = why;
      for (const w of waiting.values()) w.reject(new Error(`${w.op}: ${why}`));
      waiting.clear();
    },
  };
}

/** The child's side: each call runs its handler and answers with its value or its error. */
export function serveRpc(handlers: Record<string, (args: never) => unknown>): void {
  const send = (a: Answer) => process.send?.(a);
  process.on("message", (message: unknown) => {
    const c = message as Call;
    const handler = handlers[c.op];
    if (!handler) return send({ id: c.id, ok: false, error: `no handler for ${c.op}` });
    Promise.resolve()
      .then(() => handler(c.args as never))
      .then(
        (value) => send({ id: c.id, ok: true, value }),
        (err: unknown) => send({ id: c.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
  });
}
