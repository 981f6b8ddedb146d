// The intake's edge, on a real loopback socket: the allowlist is resolved before the socket opens, an empty one
// is warned about at start, datagrams reach the handler, the readiness check says where it listens, and stop
// first tells the intake it is stopping. With udp.enabled false there is no socket, but still an allowlist.
import { createSocket } from "node:dgram";
import { afterEach, describe, expect, test } from "bun:test";
import { ConfigSchema } from "../../../../src/composition/config";
import { createLogger } from "../../../../src/platform/core/logger";
import { createSecretRegistry } from "../../../../src/platform/core/redaction";
import { createIntakeSocket, OPEN_SOURCES_WARNING, type IntakeSocket } from "../../../../src/hear/intake/udp-socket";
import { waitFor } from "../../../helpers/wait-for";

function logs() {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, log: createLogger({ level: "info", format: "json", secrets: createSecretRegistry(), write: (l) => void lines.push(JSON.parse(l)) }) };
}

const udpConfig = (udp: Record<string, unknown>) => ConfigSchema.parse({ udp: { host: "127.0.0.1", ...udp } }).udp;

let socket: IntakeSocket | undefined;
afterEach(async () => {
  await socket?.component?.stop(1_000);
  socket = undefined;
});

async function send(port: number, text: string): Promise<void> {
  const s = createSocket("udp4");
  await new Promise<void>((resolve, reject) => s.send(text, port, "127.0.0.1", (err) => (err ? reject(err) : resolve())));
  s.close();
}

describe("intake socket", () => {
  test("empty and no qlik: section: this server's loopback only, said at start; datagrams reach the handler; stop says stopping first", async () => {
    const { lines, log } = logs();
    const got: Array<[string, string]> = [];
    let stopping = 0;
    socket = createIntakeSocket(udpConfig({}), {
      log,
      port: 0,
      onDatagram: (msg, from) => void got.push([msg.toString(), from.address]),
      onStopping: () => void stopping++,
    });
    expect(socket.readiness[0]?.check()).toEqual({ ok: false, detail: "not listening" });
    await socket.component!.start();
    const said = "datagrams are admitted from this server's loopback only (no qlik: section, udp.allowedSources empty)";
    expect(lines.filter((l) => l.msg === said)).toHaveLength(1);
    expect(lines.some((l) => l.msg === OPEN_SOURCES_WARNING)).toBe(false);
    expect(socket.allowlist.mode).toBe("loopback");
    expect(socket.allowlist.allows("127.0.0.3")).toBe(true);
    expect(socket.allowlist.allows("::1")).toBe(true);
    expect(socket.allowlist.allows("10.0.0.5")).toBe(false);
    const port = socket.udp!.address()!.port;
    expect(socket.readiness[0]?.check()).toEqual({ ok: true, detail: `listening on 127.0.0.1:${port}; ${said}` });
    await send(port, "hello");
    await waitFor(() => got.length === 1, { what: "the datagram", timeoutMs: 5_000 });
    expect(got).toEqual([["hello", "127.0.0.1"]]);
    await socket.component!.stop(1_000);
    expect(stopping).toBe(1);
    expect(socket.readiness[0]?.check()).toEqual({ ok: false, detail: "not listening" });
    socket = undefined;
  });

  test('"*" admits any source, on purpose, and is warned about at start', async () => {
    const { lines, log } = logs();
    socket = createIntakeSocket(udpConfig({ allowedSources: ["*"] }), { log, port: 0, onDatagram: () => {}, onStopping: () => {} });
    await socket.component!.start();
    expect(lines.filter((l) => l.msg === OPEN_SOURCES_WARNING)).toHaveLength(1);
    expect(socket.allowlist.mode).toBe("any");
    expect(socket.allowlist.allows("203.0.113.9")).toBe(true);
  });

  test("listed sources: addresses, ranges and host names resolved before the socket opens; no warning", async () => {
    const { lines, log } = logs();
    socket = createIntakeSocket(udpConfig({ allowedSources: ["10.0.0.0/24", "sense2.corp.example"] }), {
      log,
      port: 0,
      onDatagram: () => {},
      onStopping: () => {},
      resolve: async (host) => (host === "sense2.corp.example" ? ["192.168.7.20"] : []),
    });
    await socket.component!.start();
    expect(lines.some((l) => l.msg === OPEN_SOURCES_WARNING)).toBe(false);
    expect(socket.allowlist.allows("10.0.0.77")).toBe(true);
    expect(socket.allowlist.allows("192.168.7.20")).toBe(true);
    expect(socket.allowlist.allows("::ffff:192.168.7.20")).toBe(true);
    expect(socket.allowlist.allows("10.0.1.1")).toBe(false);
  });

  test("udp.enabled false: no socket, no component, and datagrams handed in are still checked against the allowlist", () => {
    const { log } = logs();
    socket = createIntakeSocket(udpConfig({ enabled: false, allowedSources: ["10.0.0.5"] }), { log, onDatagram: () => {}, onStopping: () => {} });
    expect(socket.udp).toBeUndefined();
    expect(socket.component).toBeUndefined();
    expect(socket.readiness).toEqual([]);
    expect(socket.allowlist.allows("10.0.0.5")).toBe(true);
    expect(socket.allowlist.allows("10.0.0.6")).toBe(false);
  });
});
