// A listener that cannot start because its port is taken is a config problem as `config check` states them: one
// line, `file:line:col key: message`, naming the key that chose the port (http.port, udp.port), not a JSON log line.
import type { LoadedConfig } from "./steward-config";
import { formatProblems } from "./config-check";

/** The port a start error says is taken: Bun.serve's "Is port N in use?", or a socket's EADDRINUSE. */
export function takenPort(err: unknown): number | undefined {
  const e = err as { message?: unknown; code?: unknown; port?: unknown } | undefined;
  const message = typeof e?.message === "string" ? e.message : String(err);
  const served = /Is port (\d+) in use\?/.exec(message);
  if (served) return Number(served[1]);
  if (e?.code !== "EADDRINUSE" && !message.includes("EADDRINUSE")) return undefined;
  if (typeof e?.port === "number") return e.port;
  // "cannot listen for Qlik Sense datagrams on 127.0.0.1:9998: bind EADDRINUSE …": the first host:port said.
  const bound = /(?:\d{1,3}(?:\.\d{1,3}){3}|\[[^\]\s]+\]|[\w-]+(?:\.[\w-]+)*):(\d{1,5})\b/.exec(message);
  return bound ? Number(bound[1]) : undefined;
}

/** The one line for a taken port, at the key of the config that names it; undefined for any other start error. */
export function portInUseLine(err: unknown, loaded: LoadedConfig): string | undefined {
  const port = takenPort(err);
  if (port === undefined) return undefined;
  const c = loaded.config;
  const candidates: Array<{ path: string[]; host: string; port: number; what: string }> = [
    { path: ["http", "port"], host: c.http.host, port: c.http.port, what: "the REST API and dashboard" },
    ...(c.udp.enabled ? [{ path: ["udp", "port"], host: c.udp.host, port: c.udp.port, what: "the UDP intake" }] : []),
  ];
  const hit = candidates.find((x) => x.port === port);
  if (!hit) return undefined;
  const message = `port ${port} on ${hit.host} is in use by another program (Butler, not stopped yet? another Steward?), so ${hit.what} cannot listen: stop that program or choose another port`;
  const file = loaded.file ?? "(built-in defaults)";
  return formatProblems([{ path: hit.path, message }], loaded.source, file)[0];
}
