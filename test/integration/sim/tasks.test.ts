// The task state machine through the QRS: all five task types × succeed/fail/abort, retries, failThenSucceed,
// disabled tasks, a second start while running, 409 mode, intermediate states, schedules.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { f, startTestSim, waitForStatus, type TestSim } from "./helpers";
import { waitFor } from "../../helpers/wait-for";

let t: TestSim;
beforeAll(async () => {
  t = await startTestSim();
});
afterAll(() => t.stop());

const TASKS = {
  reload: "7552d9fc-d1bb-4975-9a38-18357de531ea",
  externalProgram: "",
  userSync: "6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098",
  distribute: "8f7e6d5c-4b3a-4291-8f7e-6d5c4b3a2918",
  preload: "",
};

const idByName = async (name: string) => (await t.qrs.get(`task?${f(`name eq '${name.replace(/'/g, "''")}'`)}`)).json<any[]>()[0].id as string;

beforeAll(async () => {
  TASKS.externalProgram = await idByName("Run ERP extract script");
  TASKS.preload = await idByName("Preload Sales dashboard");
});

const messages = (last: any) => last.details.map((d: any) => d.message);

async function runAndWait(taskId: string, outcome: unknown, final: number[]) {
  const r = await t.control.send("POST", `/tasks/${taskId}/run`, { outcome });
  expect(r.status).toBe(201);
  const { executionId } = r.json();
  const last = await waitForStatus(t.qrs, taskId, final);
  expect(last.executionID).toBe(executionId);
  return last;
}

function expectedDetails(type: keyof typeof TASKS, outcome: "succeed" | "fail" | "abort", node: string): string[] {
  const running = type === "distribute" ? "DistributionRunning" : "Started";
  const start =
    type === "distribute"
      ? ["Changing task state from Triggered to DistributionQueue", "Changing task state from DistributionQueue to DistributionRunning"]
      : ["Changing task state from Triggered to Started", ...(type === "reload" ? ["Reference to scriptlog added"] : [])];
  const end =
    outcome === "succeed"
      ? [`Changing task state from ${running} to FinishedSuccess`]
      : outcome === "fail"
        ? [`Changing task state from ${running} to FinishedFail`]
        : [
            `Changing task state from ${running} to AbortInitiated`,
            "Changing task state from AbortInitiated to Aborting",
            "Changing task state from Aborting to Aborted",
          ];
  return ["Changing task state to Triggered", `Trying to start task. Sending task to slave scheduler ${node}`, ...start, ...end];
}

const NODE_OF = {
  reload: "sense1.corp.example",
  externalProgram: "sense1.corp.example",
  userSync: "sense1.corp.example",
  distribute: "sense2.corp.example",
  preload: "sense1.corp.example",
};
const FINAL = { succeed: 7, fail: 8, abort: 6 } as const;

describe("sim tasks: five types × succeed/fail/abort", () => {
  for (const type of Object.keys(TASKS) as (keyof typeof TASKS)[]) {
    test(`${type}: succeed, fail, abort`, async () => {
      const seen = new Set<string>();
      for (const outcome of ["succeed", "fail", "abort"] as const) {
        const last = await runAndWait(TASKS[type], outcome, [FINAL[outcome]]);
        expect(messages(last)).toEqual(expectedDetails(type, outcome, NODE_OF[type]));
        expect(last.startTime.startsWith("1753")).toBe(false);
        expect(last.stopTime.startsWith("1753")).toBe(false);
        expect(last.duration).toBeGreaterThanOrEqual(0);
        expect(last.executingNodeName).toBe(NODE_OF[type]);
        if (outcome === "fail") expect(last.details.at(-1).detailsType).toBe(0);
        // New execution result and execution session ids per run.
        expect(seen.has(last.id)).toBe(false);
        expect(seen.has(last.executionID)).toBe(false);
        seen.add(last.id).add(last.executionID);
        if (type === "reload") {
          expect(last.fileReferenceID).not.toBe("00000000-0000-0000-0000-000000000000");
          expect(last.scriptLogSize).toBeGreaterThan(100);
        } else {
          expect(last.fileReferenceID).toBe("00000000-0000-0000-0000-000000000000");
          expect(last.scriptLogAvailable).toBe(false);
        }
      }
    });
  }
});

describe("sim tasks: behaviours", () => {
  test("a successful reload task updates the app's lastReloadTime", async () => {
    const before = (await t.qrs.get("app/0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11")).json().lastReloadTime;
    const last = await runAndWait(TASKS.reload, "succeed", [7]);
    const after = (await t.qrs.get("app/0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11")).json().lastReloadTime;
    expect(after).not.toBe(before);
    expect(after).toBe(last.stopTime);
  });

  test("retries: maxRetries 2 and always failing → Retry, Retry, FinishedFail in one session", async () => {
    const id = "3c9e2b71-8d4a-4f60-b2d1-7e5a9c0f1b23";
    const r = await t.qrs.post(`task/${id}/start/synchronous`);
    const session = r.json().value;
    await waitForStatus(t.qrs, id, 8);
    const results = (await t.qrs.get(`executionresult/full?${f(`executionID eq ${session}`)}&orderby=createdDate`)).json<any[]>();
    expect(results.map((x) => x.status)).toEqual([10, 10, 8]);
    expect(messages(results[0]).at(-1)).toBe("Changing task state from Started to Retry");
    expect(new Set(results.map((x) => x.id)).size).toBe(3);
  });

  test("failThenSucceed(1) with maxRetries 1 → Retry then FinishedSuccess", async () => {
    const id = await idByName("Reload Regulatory reporting");
    const session = (await t.qrs.post(`task/${id}/start/synchronous`)).json().value;
    await waitForStatus(t.qrs, id, 7);
    const results = (await t.qrs.get(`executionresult/full?${f(`executionID eq ${session}`)}&orderby=createdDate`)).json<any[]>();
    expect(results.map((x) => x.status)).toEqual([10, 7]);
  });

  test("failThenSucceed(2) without retries → fail, fail, succeed across runs", async () => {
    const id = await idByName("Reload Marketing campaigns");
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      await t.qrs.post(`task/${id}/start`);
      statuses.push((await waitForStatus(t.qrs, id, [7, 8])).status);
      await waitFor(() => !t.sim.tasks.isRunning(id), { timeoutMs: 2_000 });
    }
    expect(statuses).toEqual([8, 8, 7]);
  });

  test("a disabled task does not start: 204 and no run; control API says 409 disabled", async () => {
    const id = await idByName("Reload License monitor");
    expect((await t.qrs.post(`task/${id}/start`)).status).toBe(204);
    await Bun.sleep(30);
    const [task] = (await t.qrs.get(`task/full?${f(`id eq ${id}`)}`)).json<any[]>();
    expect(task.operational.lastExecutionResult.status).toBe(0);
    const c = await t.control.send("POST", `/tasks/${id}/run`, {});
    expect(c.status).toBe(409);
    expect(c.json().reason).toBe("disabled");
  });

  test("a second start while running does not create a second run; 409 modes", async () => {
    const id = await idByName("Reload Customer 360");
    await t.control.send("PATCH", "/settings", { timing: { durationOverrideMs: 400 } });
    try {
      const session = (await t.qrs.post(`task/${id}/start/synchronous`)).json().value;
      const countBefore = (await t.qrs.get(`executionresult/count?${f(`taskID eq ${id}`)}`)).json().value;
      expect((await t.qrs.post(`task/${id}/start`)).status).toBe(204);
      expect((await t.qrs.post(`task/${id}/start/synchronous`)).json().value).toBe("00000000-0000-0000-0000-000000000000");
      expect((await t.qrs.get(`executionresult/count?${f(`taskID eq ${id}`)}`)).json().value).toBe(countBefore);
      expect(t.sim.tasks.runningSessions().find((s) => s.taskId === id)?.executionId).toBe(session);

      await t.control.send("PATCH", "/settings", { start: { conflict: "whenRunning" } });
      const conflict = await t.qrs.post(`task/${id}/start`);
      expect(conflict.status).toBe(409);
      await t.control.send("PATCH", "/settings", { start: { conflict: "always" } });
      expect((await t.qrs.post(`task/${TASKS.userSync}/start`)).status).toBe(409);
      expect(t.sim.tasks.isRunning(TASKS.userSync)).toBe(false);
    } finally {
      await t.control.send("PATCH", "/settings", { start: { conflict: "off" }, timing: { durationOverrideMs: 80 } });
    }
    await waitFor(() => !t.sim.tasks.isRunning(id), { timeoutMs: 3_000 });
  });

  test("intermediate states are visible: Started for reload, DistributionQueue/Running for distribute", async () => {
    const seenReload = new Set<number>();
    const seenDist = new Set<number>();
    await t.control.send("POST", `/tasks/${TASKS.reload}/run`, { durationMs: 500 });
    await t.control.send("POST", `/tasks/${TASKS.distribute}/run`, { durationMs: 500 });
    await waitFor(
      async () => {
        const all = (await t.qrs.get(`task/full?${f(`id eq ${TASKS.reload} or id eq ${TASKS.distribute}`)}`)).json<any[]>();
        for (const x of all) (x.id === TASKS.reload ? seenReload : seenDist).add(x.operational.lastExecutionResult.status);
        return seenReload.has(7) && seenDist.has(7);
      },
      { timeoutMs: 5_000, intervalMs: 10 },
    );
    expect(seenReload.has(2)).toBe(true);
    expect([...seenDist].some((s) => s === 13 || s === 14)).toBe(true);
  });

  test("abort from the control API while running: 4 → 5 → 6", async () => {
    await t.control.send("POST", `/tasks/${TASKS.userSync}/run`, { durationMs: 2_000, user: "CORP\\ops_admin" });
    await waitForStatus(t.qrs, TASKS.userSync, 2);
    const a = await t.control.send("POST", `/tasks/${TASKS.userSync}/abort`, { user: "CORP\\anna" });
    expect(a.status).toBe(202);
    const last = await waitForStatus(t.qrs, TASKS.userSync, 6);
    expect(messages(last).slice(-3)).toEqual([
      "Changing task state from Started to AbortInitiated",
      "Changing task state from AbortInitiated to Aborting",
      "Changing task state from Aborting to Aborted",
    ]);
    expect((await t.control.send("POST", `/tasks/${TASKS.userSync}/abort`, {})).status).toBe(409);
  });

  test("qrsLagMs delays the final QRS record after the transition", async () => {
    await t.control.send("PATCH", "/settings", { timing: { qrsLagMs: 300 } });
    try {
      await t.control.send("POST", `/tasks/${TASKS.externalProgram}/run`, { outcome: "succeed", durationMs: 50 });
      await Bun.sleep(120);
      const [task] = (await t.qrs.get(`task/full?${f(`id eq ${TASKS.externalProgram}`)}`)).json<any[]>();
      expect(task.operational.lastExecutionResult.status).toBe(2);
      await waitForStatus(t.qrs, TASKS.externalProgram, 7);
    } finally {
      await t.control.send("PATCH", "/settings", { timing: { qrsLagMs: 0 } });
    }
  });

  test("flushQrsLag brings the lagging final records to QRS at once, each once", async () => {
    await t.control.send("PATCH", "/settings", { timing: { qrsLagMs: 60_000 } });
    try {
      expect(t.sim.tasks.flushQrsLag()).toBe(0);
      await t.control.send("POST", `/tasks/${TASKS.externalProgram}/run`, { outcome: "fail", durationMs: 50 });
      await waitFor(() => t.sim.tasks.flushQrsLag() === 1 || undefined, { what: "the run ended, its final record lagging" });
      const last = await waitForStatus(t.qrs, TASKS.externalProgram, 8);
      expect(messages(last).at(-1)).toBe("Changing task state from Started to FinishedFail");
      expect(t.sim.tasks.flushQrsLag()).toBe(0);
    } finally {
      await t.control.send("PATCH", "/settings", { timing: { qrsLagMs: 0 } });
    }
  });
});

describe("sim tasks: schedules", () => {
  test("a cron schedule starts runs as the Scheduler and sets nextExecution", async () => {
    const site = `
nodes: [{ name: N1, hostName: n1.example }]
users: [{ userDirectory: CORP, userId: a }]
apps: [{ name: A, owner: CORP\\a }]
tasks:
  - { name: Every second, type: reload, app: A, schedule: "* * * * * *", durationMs: 50 }
  - { name: Yearly, type: userSync, userDirectory: CORP, schedule: "0 0 1 1 *" }
`;
    const s = await startTestSim({ site, schedules: true });
    try {
      const [every] = (await s.qrs.get(`task/full?${f("name eq 'Every second'")}`)).json<any[]>();
      expect(every.operational.nextExecution.startsWith("1753")).toBe(false);
      const last = await waitForStatus(s.qrs, every.id, 7, 4_000);
      expect(last.details[0].message).toBe("Changing task state to Triggered");
      const [yearly] = (await s.qrs.get(`task/full?${f("name eq 'Yearly'")}`)).json<any[]>();
      expect(yearly.operational.nextExecution).toMatch(/^\d{4}-01-01T/);
      expect(yearly.operational.lastExecutionResult.status).toBe(0);
    } finally {
      await s.stop();
    }
  });
});
