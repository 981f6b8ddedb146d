// Exercises the runtime boundary and prints what it saw as one JSON line. Run under Bun and under Deno by
// test/unit/platform/runtime/runtime-conformance.test.ts, which expects the same answers from both.
import { runtime, sleep } from "../../src/platform/runtime/index.ts";

const results: Record<string, unknown> = { runtime: runtime.name };

// HTTP: peer address, body limit, a WebSocket echo, graceful stop.
const served = runtime.serve<{ tag: string }>({
  hostname: "127.0.0.1",
  port: 0,
  maxRequestBodySize: 1024,
  fetch: async (req, ctx) => {
    const url = new URL(req.url);
    if (url.pathname === "/ws") return ctx.upgrade({ tag: "t1" }) ? undefined : new Response("no upgrade", { status: 400 });
    const body = req.method === "POST" ? await req.text() : "";
    return Response.json({ peer: ctx.remoteAddress, bytes: body.length });
  },
  websocket: {
    open: (ws) => ws.send(`hello ${ws.data.tag}`),
    message: (ws, m) => ws.send(`echo ${typeof m === "string" ? m : `${m.length} bytes`}`),
  },
});
const base = `http://127.0.0.1:${served.port}`;
results.portBound = served.port > 0;
results.get = await (await fetch(`${base}/x`)).json();
results.smallPost = (await fetch(`${base}/x`, { method: "POST", body: "a".repeat(100) })).status;
results.largePost = (await fetch(`${base}/x`, { method: "POST", body: "a".repeat(4096) })).status;
results.ws = await new Promise<string[]>((resolve, reject) => {
  const seen: string[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${served.port}/ws`);
  ws.onmessage = (ev) => {
    seen.push(String(ev.data));
    if (seen.length === 1) ws.send("ping");
    else {
      ws.close();
      resolve(seen);
    }
  };
  ws.onerror = () => reject(new Error("websocket error"));
});
await served.stop(true);
results.refusedAfterStop = await fetch(`${base}/x`).then(
  () => false,
  () => true,
);

// Processes: output and exit code; a deadline kills.
const echo = await runtime.spawn(["sh", "-c", "printf out; printf err >&2; exit 3"], { timeoutMs: 5_000 });
results.spawn = { code: echo.code, stdout: new TextDecoder().decode(echo.stdout), stderr: new TextDecoder().decode(echo.stderr), timedOut: echo.timedOut };
const t0 = Date.now();
const slow = await runtime.spawn(["sleep", "10"], { timeoutMs: 300 });
results.deadline = { code: slow.code, timedOut: slow.timedOut, killedInTime: Date.now() - t0 < 5_000 };
results.missingProgram = await runtime.spawn(["/nonexistent/steward-probe"], { timeoutMs: 1_000 }).then(
  () => "ran",
  () => "threw",
);

const self = runtime.selfCommand();
results.selfRunsMainScript = self.at(-1)!.endsWith("runtime-probe.ts");

// The Windows bindings load; on Linux binding them fails at dlopen of advapi32.dll, not before.
results.win32 = await runtime.win32Service().then(
  () => "bound",
  (err: Error) => (/advapi32/i.test(err.message) ? "advapi32 not loadable" : `unexpected: ${err.message}`),
);
await sleep(1);
console.log(JSON.stringify(results));
