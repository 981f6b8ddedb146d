// The Engine client against the simulator's Engine over wss with the client certificate: Engine errors mapped
// to AppErrors, per-call timeouts, refused handshakes, the Engine being down, and the DoReload fallback.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ReloadJob } from "../../../../src/start/control/reload-jobs";
import type { AppError } from "../../../../src/platform/core/errors";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { parseConfigText } from "../../../../src/composition/config";
import { createEngineClient } from "../../../../src/platform/qlik/engine-client";
import { GLOBAL_HANDLE, getDocList, openDoc } from "../../../../src/platform/qlik/engine-doc";
import { EngineRpcError } from "../../../../src/platform/qlik/engine-session";
import { generateCertSet } from "../../../../src/sim";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { A, startHarness, type Harness } from "./harness";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

function client(certDir = h.sim.certDir, timeoutMs = 5000) {
  const cfg = parseConfigText(
    `qlik:\n  host: 127.0.0.1\n  enginePort: ${h.sim.ports.engine}\n  certDir: ${certDir}\n  timeoutMs: ${timeoutMs}\n`,
    "t.yaml",
    "/",
  ).config.qlik!;
  return createEngineClient(cfg, { baseDir: "/", log: createSilentLogger() });
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

describe("engine client", () => {
  test("a session with the client certificate and X-Qlik-User: GetDocList and OpenDoc", async () => {
    const s = await client().openSession("");
    try {
      expect((await getDocList(s)).map((d) => d.qDocId).sort()).toEqual([A.sales, A.finance, A.hrFails].sort());
      expect(await openDoc(s, A.sales, true)).toBeGreaterThan(0);
    } finally {
      await s.close();
    }
    const upgrade = h.sim.requests.list({ source: "engine" }).find((r) => !r.rpc);
    expect(upgrade?.headers.user).toBe("UserDirectory=INTERNAL; UserId=sa_repository");
  });

  test("Engine errors become AppErrors: unknown app is NOT_FOUND (1003), unknown method keeps its code", async () => {
    const s = await client().openSession("/app/engineData");
    try {
      const notFound = await rejection(openDoc(s, "d4000000-0000-4000-8000-000000000001", true));
      expect(notFound).toBeInstanceOf(EngineRpcError);
      expect((notFound as EngineRpcError).code).toBe("NOT_FOUND");
      expect((notFound as EngineRpcError).rpcCode).toBe(1003);
      const unknown = await rejection(s.call(GLOBAL_HANDLE, "NoSuchMethod", []));
      expect((unknown as EngineRpcError).rpcCode).toBe(-32601);
    } finally {
      await s.close();
    }
  });

  test("a call slower than its timeout fails with TIMEOUT; the session stays usable", async () => {
    h.sim.faults.add({ target: "engine", rpcMethod: "EngineVersion", delayMs: 1500, count: 1 }, Date.now());
    const s = await client().openSession("");
    try {
      const err = await rejection(s.call(GLOBAL_HANDLE, "EngineVersion", [], { timeoutMs: 200 }));
      expect((err as AppError).code).toBe("TIMEOUT");
      expect((await getDocList(s)).length).toBe(3);
    } finally {
      await s.close();
    }
  });

  test("pending calls fail when the socket closes", async () => {
    h.sim.faults.add({ target: "engine", rpcMethod: "GetDocList", delayMs: 3000, count: 1 }, Date.now());
    const s = await client().openSession("");
    const pending = s.call(GLOBAL_HANDLE, "GetDocList", [], { timeoutMs: 0 });
    await s.close();
    const err = await rejection(pending);
    expect((err as AppError).code).toBe("ENGINE_UNAVAILABLE");
    expect(s.closed).toBe(true);
  });

  test("a client certificate from another CA is refused in the handshake, with a hint", async () => {
    const other = createTempDir();
    try {
      const set = generateCertSet();
      writeFileSync(join(other.path, "client.pem"), set.clientCert);
      writeFileSync(join(other.path, "client_key.pem"), set.clientKey);
      writeFileSync(join(other.path, "root.pem"), set.ca);
      const err = await rejection(client(other.path).openSession(""));
      expect((err as AppError).code).toBe("ENGINE_UNAVAILABLE");
      expect((err as AppError).message).toContain("qlik.certDir");
    } finally {
      other.remove();
    }
  });

  test("missing certificate files are a config error naming the file", async () => {
    const empty = createTempDir();
    try {
      const err = await rejection(client(empty.path).openSession(""));
      expect((err as AppError).code).toBe("CONFIG_INVALID");
      expect((err as AppError).message).toContain("client.pem");
    } finally {
      empty.remove();
    }
  });

  test("the Engine down: ENGINE_UNAVAILABLE, not a hang", async () => {
    h.sim.listeners.engine.down(1500);
    try {
      const err = await rejection(client(undefined, 1000).openSession(""));
      expect((err as AppError).code).toBe("ENGINE_UNAVAILABLE");
    } finally {
      await waitFor(() => h.sim.listeners.engine.isUp(), { what: "engine up again", timeoutMs: 5000 });
    }
  });
});

describe("reload on an engine without DoReloadEx", () => {
  test("falls back to DoReload(mode, partial) and still saves", async () => {
    h.sim.faults.add({ target: "engine", rpcMethod: "DoReloadEx", rpcErrorCode: -32601, count: 1 }, Date.now());
    const seq = h.lastSeq();
    const put = await h.json<ReloadJob>(`/v4/app/${A.finance}/reload`, { method: "PUT", body: JSON.stringify({ partialReload: true }) });
    const done = await waitFor(
      async () => {
        const r = await h.json<ReloadJob>(`/v4/app/reloads/${put.body.jobId}`);
        return r.body.phase === "done" ? r.body : undefined;
      },
      { what: "reload job", timeoutMs: 20_000 },
    );
    expect(done).toMatchObject({ status: "succeeded", saved: true });
    const calls = h.engineCalls(seq);
    expect(calls.find((c) => c.method === "DoReload")?.params).toEqual([0, true, false]);
    expect(calls.map((c) => c.method)).toContain("DoSave");
  }, 30_000);
});
