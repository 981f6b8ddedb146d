// Scheduler UDP datagrams received on a real dgram socket, compared byte for byte with spec §1, for the current,
// legacy and both appender generations, plus the hazard knobs (duplicates, `;`, non-ASCII, oversize, drop).
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { startTestSim, udpReceiver, waitForStatus, type TestSim, type UdpReceiver } from "./helpers";
import { waitFor } from "../../helpers/wait-for";

// A fixed clock makes %date exact: 2025-11-03 06:00:41,512 in the local time zone (log4net writes local time).
const FIXED = new Date(2025, 10, 3, 6, 0, 41, 512).getTime();
const DATE = "2025-11-03 06:00:41,512";

let t: TestSim;
let rx: UdpReceiver;
beforeAll(async () => {
  rx = await udpReceiver();
  t = await startTestSim({ now: () => FIXED, settings: { udp: { targets: [{ host: "127.0.0.1", port: rx.port }] } } });
});
afterAll(async () => {
  await t.stop();
  await rx.close();
});
afterEach(async () => {
  await t.control.send("PATCH", "/udp", {
    generation: "current",
    duplicates: 0,
    semicolons: false,
    nonAscii: false,
    oversizeBytes: 0,
    dropNext: 0,
    nullForMissing: false,
  });
  rx.clear();
});

const T = {
  sales: { id: "7552d9fc-d1bb-4975-9a38-18357de531ea", app: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11" },
  nightly: { id: "3c9e2b71-8d4a-4f60-b2d1-7e5a9c0f1b23", app: "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a" },
  hr: { id: "2e4f6a8c-0b1d-4e3f-a5b7-c9d1e3f5a7b9", app: "4a6c8e0f-2b4d-4f6a-8c0e-2a4c6e8a0c2e" },
  preload: { id: "1f0d8a44-62c9-4b0e-a5e7-2c1e0b7d9a35" },
  dist: { id: "8f7e6d5c-4b3a-4291-8f7e-6d5c4b3a2918" },
  distHr: { id: "5b4a3928-1706-4f5e-8d4c-3b2a19087f6e" },
  userSync: { id: "6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098" },
};

/** Runs a task via the control API and waits until it is final; returns the execution session id. */
async function run(taskId: string, body: Record<string, unknown> = {}): Promise<string> {
  const r = await t.control.send("POST", `/tasks/${taskId}/run`, body);
  expect(r.status).toBe(201);
  await waitFor(() => !t.sim.tasks.isRunning(taskId), { timeoutMs: 5_000, intervalMs: 10 });
  return r.json().executionId;
}

const b = (s: string) => Buffer.from(s, "utf8");

describe("sim UDP: current generation, byte for byte", () => {
  test("reload success → /scheduler-task-success// (double slash)", async () => {
    const exec = await run(T.sales.id, { outcome: "succeed" });
    const [m] = await rx.waitForCount(1);
    expect(m).toEqual(
      b(
        `/scheduler-task-success//;sense1.corp.example;Reload Sales dashboard;Sales dashboard;INTERNAL\\sa_scheduler;${T.sales.id};${T.sales.app};${DATE};INFO;${exec};Execution State Change to FinishedSuccess`,
      ),
    );
    expect(m!.at(-1)).not.toBe(0x0a);
  });

  test("reload final failure after retries → one /scheduler-task-failed/ with 'Max retries reached', non-ASCII as UTF-8", async () => {
    const exec = await run(T.nightly.id, { user: "CORP\\anna" });
    await Bun.sleep(30);
    expect(rx.messages).toHaveLength(1);
    expect(rx.messages[0]).toEqual(
      b(
        `/scheduler-task-failed/;sense2.corp.example;Nightly – Försäljning;Försäljning;CORP\\anna;${T.nightly.id};${T.nightly.app};${DATE};WARN;${exec};Task finished with state FinishedFail. Max retries reached.`,
      ),
    );
  });

  test("abort → /scheduler-task-aborted/ at Aborting", async () => {
    const exec = await run(T.hr.id, { user: "CORP\\ops_admin" });
    const [m] = await rx.waitForCount(1);
    expect(m).toEqual(
      b(
        `/scheduler-task-aborted/;SENSE3;HR headcount;HR headcount;CORP\\ops_admin;${T.hr.id};${T.hr.app};${DATE};INFO;${exec};Execution State Change to Aborting`,
      ),
    );
  });

  test("preload failure → /scheduler-task-failed/ 'Could not reserve an executor', empty app fields", async () => {
    const exec = await run(T.preload.id);
    const [m] = await rx.waitForCount(1);
    expect(m).toEqual(
      b(
        `/scheduler-task-failed/;SENSE3;Preload Finance app;;INTERNAL\\sa_scheduler;${T.preload.id};;${DATE};ERROR;${exec};Could not reserve an executor for task ${T.preload.id}`,
      ),
    );
  });

  test("distribute → /scheduler-distribute/ on finish, INFO on success and WARN on failure", async () => {
    const ok = await run(T.dist.id);
    const bad = await run(T.distHr.id);
    const ms = await rx.waitForCount(2);
    expect(ms[0]).toEqual(
      b(
        `/scheduler-distribute/;sense2.corp.example;Distribute Sales to Cloud;;INTERNAL\\sa_scheduler;${T.dist.id};;${DATE};INFO;${ok};Exiting execute of Distribute task request.`,
      ),
    );
    expect(ms[1]).toEqual(
      b(
        `/scheduler-distribute/;sense2.corp.example;Distribute HR;;INTERNAL\\sa_scheduler;${T.distHr.id};;${DATE};WARN;${bad};Exiting execute of Distribute task request.`,
      ),
    );
  });

  test("user sync success, and nothing for Triggered/Started/Retry", async () => {
    const exec = await run(T.userSync.id);
    await Bun.sleep(30);
    expect(rx.messages.map(String)).toEqual([
      `/scheduler-task-success//;sense1.corp.example;User sync CORP;;INTERNAL\\sa_scheduler;${T.userSync.id};;${DATE};INFO;${exec};Execution State Change to FinishedSuccess`,
    ]);
  });

  test("a run started through the QRS carries the X-Qlik-User as DIRECTORY\\userid", async () => {
    await t.qrs.request("POST", `task/${T.sales.id}/start`, { body: {}, headers: { "X-Qlik-User": "UserDirectory=CORP; UserId=joe" } });
    const [m] = await rx.waitForCount(1);
    expect(String(m).split(";")[4]).toBe("CORP\\joe");
  });
});

describe("sim UDP: legacy and both generations", () => {
  test("legacy: /scheduler-reload-failed/, -aborted/, /scheduler-reloadtask-success/; no distribute, no preload executor message", async () => {
    await t.control.send("PATCH", "/udp", { generation: "legacy" });
    const s = await run(T.sales.id, { outcome: "succeed" });
    const f = await run(T.sales.id, { outcome: "fail" });
    const a = await run(T.sales.id, { outcome: "abort" });
    await run(T.dist.id);
    await run(T.preload.id);
    await Bun.sleep(30);
    const tail = (exec: string, level: string, msg: string) =>
      `;sense1.corp.example;Reload Sales dashboard;Sales dashboard;INTERNAL\\sa_scheduler;${T.sales.id};${T.sales.app};${DATE};${level};${exec};${msg}`;
    expect(rx.messages.map(String)).toEqual([
      `/scheduler-reloadtask-success/${tail(s, "INFO", "Execution State Change to FinishedSuccess")}`,
      `/scheduler-reload-failed/${tail(f, "WARN", "Task finished with state FinishedFail. Max retries reached.")}`,
      `/scheduler-reload-aborted/${tail(a, "INFO", "Execution State Change to Aborting")}`,
    ]);
  });

  test("both: each matching line is sent by the current and the legacy appender", async () => {
    await t.control.send("PATCH", "/udp", { generation: "both" });
    const exec = await run(T.sales.id, { outcome: "fail" });
    await Bun.sleep(30);
    const prefixes = rx.messages.map((m) => String(m).split(";")[0]).sort();
    expect(prefixes).toEqual(["/scheduler-reload-failed/", "/scheduler-task-failed/"]);
    expect(rx.messages.every((m) => String(m).split(";")[9] === exec)).toBe(true);
  });
});

describe("sim UDP: knobs", () => {
  test("duplicates send identical copies with the same ExecutionId", async () => {
    await t.control.send("PATCH", "/udp", { duplicates: 2 });
    await run(T.sales.id, { outcome: "succeed" });
    const ms = await rx.waitForCount(3);
    expect(ms[1]).toEqual(ms[0]!);
    expect(ms[2]).toEqual(ms[0]!);
  });

  test("semicolons and non-ASCII in names and messages", async () => {
    await t.control.send("PATCH", "/udp", { semicolons: true, nonAscii: true });
    const exec = await run(T.sales.id, { outcome: "succeed" });
    const [m] = await rx.waitForCount(1);
    expect(m!.toString("utf8")).toBe(
      `/scheduler-task-success//;sense1.corp.example;Reload Sales dashboard – Försäljning Åäö 東京; part 2;Sales dashboard;INTERNAL\\sa_scheduler;${T.sales.id};${T.sales.app};${DATE};INFO;${exec};Execution State Change to FinishedSuccess; see log; code=1`,
    );
    expect(m!.toString("utf8").split(";").length).toBe(14);
  });

  test("a task name with ; from the fixture goes out unescaped", async () => {
    const id = (await t.qrs.get(`task?filter=${encodeURIComponent("name eq 'Reload; Sales; EMEA'")}`)).json()[0].id;
    await run(id, { outcome: "succeed" });
    const [m] = await rx.waitForCount(1);
    expect(String(m).split(";").slice(0, 5)).toEqual(["/scheduler-task-success//", "SENSE3", "Reload", " Sales", " EMEA"]);
  });

  test("oversize datagrams are padded to the requested size", async () => {
    await t.control.send("PATCH", "/udp", { oversizeBytes: 9_000 });
    await run(T.sales.id, { outcome: "succeed" });
    const [m] = await rx.waitForCount(1);
    expect(m!.length).toBe(9_000);
    expect(String(m).startsWith("/scheduler-task-success//;")).toBe(true);
  });

  test("dropNext drops the next datagram only", async () => {
    await t.control.send("PATCH", "/udp", { dropNext: 1 });
    const first = await run(T.sales.id, { outcome: "succeed" });
    const second = await run(T.sales.id, { outcome: "succeed" });
    const [m] = await rx.waitForCount(1);
    await Bun.sleep(30);
    expect(rx.messages).toHaveLength(1);
    expect(String(m).split(";")[9]).toBe(second);
    const sent = (await t.control.get("/udp")).json().sent;
    expect(sent.find((s: any) => s.text.includes(first)).dropped).toBe(true);
  });

  test("nullForMissing renders log4net's (null) for non-app tasks", async () => {
    await t.control.send("PATCH", "/udp", { nullForMissing: true });
    await run(T.userSync.id);
    const [m] = await rx.waitForCount(1);
    const fields = String(m).split(";");
    expect(fields[3]).toBe("(null)");
    expect(fields[6]).toBe("(null)");
  });

  test("targets can be changed at runtime (host:port strings); every target gets each datagram", async () => {
    const rx2 = await udpReceiver();
    try {
      const r = await t.control.send("PUT", "/udp/targets", [`127.0.0.1:${rx.port}`, { host: "127.0.0.1", port: rx2.port }]);
      expect(r.status).toBe(200);
      await run(T.sales.id, { outcome: "succeed" });
      const [a] = await rx.waitForCount(1);
      const [c] = await rx2.waitForCount(1);
      expect(c).toEqual(a!);
      expect((await t.control.send("PUT", "/udp/targets", ["nope"])).status).toBe(400);
    } finally {
      await t.control.send("PUT", "/udp/targets", [`127.0.0.1:${rx.port}`]);
      await rx2.close();
    }
  });
});

describe("sim UDP: timing against the QRS", () => {
  test("with qrsLagMs the datagram arrives before the QRS shows the final state", async () => {
    await t.control.send("PATCH", "/settings", { timing: { qrsLagMs: 400 } });
    try {
      await t.control.send("POST", `/tasks/${T.sales.id}/run`, { outcome: "succeed" });
      await rx.waitForCount(1);
      const now = (await t.qrs.get(`reloadtask/${T.sales.id}`)).json().operational.lastExecutionResult;
      expect(now.status).toBe(2);
      const final = await waitForStatus(t.qrs, T.sales.id, 7);
      expect(final.details.at(-1).message).toBe("Changing task state from Started to FinishedSuccess");
    } finally {
      await t.control.send("PATCH", "/settings", { timing: { qrsLagMs: 0 } });
    }
  });
});
