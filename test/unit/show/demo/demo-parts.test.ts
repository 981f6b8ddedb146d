// The demo's pieces on their own: port fallback, the config it builds, the data-folder guard, terminal lines.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import demoYaml from "../../../../config/demo.yaml" with { type: "text" };
import { createCaptureInbox } from "../../../../src/show/demo/capture-inbox";
import { parseConfigText } from "../../../../src/show/cli/steward-config";
import { buildDemoConfig, DEMO_HEARTBEAT_MS, DEMO_LEASE_MS } from "../../../../src/show/demo/demo-config";
import { resetDemoDataDir } from "../../../../src/show/demo/data-dir";
import { pickTcpPort, DEMO_PORTS, type DemoPorts } from "../../../../src/show/demo/ports";
import { createDemoTerminal, failureReason } from "../../../../src/show/demo/terminal";
import { scriptLogExcerpt } from "../../../../src/hear/events/enrich-mappers";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createTempDir } from "../../../helpers/temp-dir";

describe("demo ports", () => {
  test("a taken port falls back to a free one", async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const taken = (srv.address() as { port: number }).port;
    try {
      const got = await pickTcpPort("127.0.0.1", taken);
      expect(got).not.toBe(taken);
      expect(got).toBeGreaterThan(0);
    } finally {
      srv.close();
    }
  });
});

describe("demo config", () => {
  test("the picked ports and the certificate folder are written into the validated config", () => {
    const ports: DemoPorts = { ...DEMO_PORTS, http: 40001, udp: 40002, qrs: 40003, engine: 40004, smtp: 40005, webhook: 40006 };
    const { loaded, dataDir, certDir } = buildDemoConfig(demoYaml, "/srv/demo", ports);
    const c = loaded.config;
    expect(dataDir).toBe("/srv/demo/data/demo");
    expect(certDir).toBe("/srv/demo/data/demo/sim-certs");
    expect([c.http.port, c.udp.port, c.qlik?.qrsPort, c.qlik?.enginePort, c.qlik?.certDir]).toEqual([40001, 40002, 40003, 40004, certDir]);
    expect(c.http.host).toBe("127.0.0.1");
    const mail = c.channels["ops-mail"];
    expect(mail?.type === "email" && mail.smtp.port).toBe(40005);
    const hook = c.channels["ops-webhook"];
    expect(hook?.type === "webhook" && hook.url).toBe("http://127.0.0.1:40006/hooks/qlik");
  });
});

describe("demo config and the checks docs/status.md's set-up needs", () => {
  // Issue 102: a new user adds subscriptions to config/demo.yaml as docs/status.md says and runs `config check` as
  // docs/demo.md says; the check needs the address people reach Steward at, which the demo used to set only at start.
  const subscriptions = "\nstatus:\n  subscriptions:\n    channel: ops-mail\n    allowedDomains: [demo.example]\n";

  test("config/demo.yaml with status subscriptions added passes the config's checks as a file", () => {
    const loaded = parseConfigText(demoYaml + subscriptions, "demo.yaml", "/srv/demo/config", { env: {} });
    expect(loaded.config.http.publicUrl).toBe("http://127.0.0.1:7480");
    expect(loaded.config.status?.subscriptions?.channel).toBe("ops-mail");
  });

  test("the file's loopback address follows the port the demo took; an address of the user's own stays", () => {
    const ports: DemoPorts = { ...DEMO_PORTS, http: 40001 };
    expect(buildDemoConfig(demoYaml + subscriptions, "/srv/demo", ports).loaded.config.http.publicUrl).toBe("http://127.0.0.1:40001");
    const own = demoYaml.replace("publicUrl: http://127.0.0.1:7480", "publicUrl: https://steward.demo.example");
    expect(own).not.toBe(demoYaml);
    expect(buildDemoConfig(own, "/srv/demo", ports).loaded.config.http.publicUrl).toBe("https://steward.demo.example");
  });
});

describe("demo cluster config", () => {
  test("each Steward of --cluster gets its own ports and data folder and the shared PostgreSQL store", () => {
    const ports: DemoPorts = { ...DEMO_PORTS, http: 40001, udp: 40002 };
    const url = "postgres://steward:pw@127.0.0.1:40010/steward_demo";
    const { loaded, dataDir } = buildDemoConfig(demoYaml, "/srv/demo", ports, { name: "node-b", httpPort: 40011, udpPort: 40012, postgresUrl: url });
    const c = loaded.config;
    expect(dataDir).toBe("/srv/demo/data/demo");
    expect(c.dataDir).toBe("/srv/demo/data/demo/node-b");
    expect([c.http.port, c.udp.port]).toEqual([40011, 40012]);
    expect(c.store.postgres).toMatchObject({ url, instanceName: "node-b", leaseTtlMs: DEMO_LEASE_MS, heartbeatIntervalMs: DEMO_HEARTBEAT_MS });
    expect(c.qlik?.certDir).toBe("/srv/demo/data/demo/sim-certs");
  });
});

describe("demo capture inbox", () => {
  test("an alert received twice (same X-Steward-Delivery) is kept and marked as a repeat, in the terminal too", async () => {
    const inbox = createCaptureInbox({ host: "127.0.0.1", smtpPort: 0, webhookPort: 0 });
    await inbox.start();
    const lines: string[] = [];
    const term = createDemoTerminal({ write: (l) => lines.push(l), colour: false });
    const off = inbox.subscribe((i) => term.delivered(i));
    try {
      const post = (delivery: string) =>
        fetch(`${inbox.webhookUrl()}/hooks/qlik`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-steward-delivery": delivery },
          body: "{}",
        });
      for (const d of ["e1:failed|hook|", "e2:failed|hook|", "e1:failed|hook|"]) expect((await post(d)).status).toBe(200);
      const [third, second, first] = inbox.items();
      expect([first?.deliveryId, second?.deliveryId, third?.deliveryId]).toEqual(["e1:failed|hook|", "e2:failed|hook|", "e1:failed|hook|"]);
      expect([first?.repeatOf, second?.repeatOf, third?.repeatOf]).toEqual([undefined, undefined, first!.id]);
      expect(lines.filter((l) => l.includes("REPEAT"))).toEqual([expect.stringContaining(`inbox item #${first!.id} arrived again (e1:failed|hook|)`)]);
    } finally {
      off();
      await inbox.stop();
    }
  });
});

describe("demo data folder", () => {
  test("a folder the demo made is emptied except the certificates; a foreign one is left alone", () => {
    const tmp = createTempDir();
    try {
      const mine = join(tmp.path, "demo");
      expect(resetDemoDataDir(mine)).toBe(true);
      mkdirSync(join(mine, "sim-certs"));
      writeFileSync(join(mine, "sim-certs", "root.pem"), "pem");
      writeFileSync(join(mine, "steward.db"), "db");
      expect(resetDemoDataDir(mine)).toBe(true);
      expect(existsSync(join(mine, "steward.db"))).toBe(false);
      expect(readFileSync(join(mine, "sim-certs", "root.pem"), "utf8")).toBe("pem");

      const foreign = join(tmp.path, "other");
      mkdirSync(foreign);
      writeFileSync(join(foreign, "important.txt"), "keep");
      expect(resetDemoDataDir(foreign)).toBe(false);
      expect(readFileSync(join(foreign, "important.txt"), "utf8")).toBe("keep");
    } finally {
      tmp.remove();
    }
  });
});

describe("demo terminal", () => {
  test("a failure line names the task and the script log's error; no colour codes unless asked", () => {
    const lines: string[] = [];
    const term = createDemoTerminal({ write: (l) => lines.push(l), colour: false, now: () => new Date(2025, 0, 1, 14, 3, 7) });
    const e = syntheticTaskEvent({ outcome: "failed", taskName: "Reload Sales" });
    term.event({ seq: 1, seenAt: 0, event: e });
    expect(lines[0]).toStartWith("14:03:07  ✖ FAILED");
    expect(lines[0]).toContain("Reload Sales");
    expect(lines[0]).toContain("Error: Field 'CustomerKey' not found");
    expect(lines[0]).not.toContain("\x1b[");
    expect(failureReason(e)).toBe("Error: Field 'CustomerKey' not found");

    const coloured: string[] = [];
    createDemoTerminal({ write: (l) => coloured.push(l), colour: true }).event({ seq: 2, seenAt: 0, event: e });
    expect(coloured[0]).toContain("\x1b[31m");
  });

  test("the script log's error is found in the middle of a long log too", () => {
    const e = syntheticTaskEvent({ outcome: "failed", taskName: "Reload Sales" });
    const log = Array.from({ length: 200 }, (_, i) =>
      i === 99 ? "20260301T140122.900+0100       Error: Connector reply error: SQL##f" : `20260301T140122.900+0100 0007  LOAD x${i};`,
    );
    e.scriptLog = scriptLogExcerpt(log.join("\r\n"), 20, 40, 0);
    expect(failureReason(e)).toBe("Error: Connector reply error: SQL##f");
  });

  test("delivered mails and webhooks are one line each", () => {
    const lines: string[] = [];
    const term = createDemoTerminal({ write: (l) => lines.push(l), colour: false });
    term.delivered({
      kind: "mail",
      id: 1,
      receivedAt: "",
      envelopeFrom: "a@b.example",
      envelopeTo: ["ops@b.example"],
      from: "",
      to: [],
      subject: "Reload failed",
      eventKind: "task.failed",
      attachments: [],
      sizeBytes: 1,
    });
    term.delivered({
      kind: "webhook",
      id: 2,
      receivedAt: "",
      method: "POST",
      path: "/hooks/qlik",
      contentType: "application/json",
      body: "{}",
      summary: "task.failed Reload Sales",
    });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/ALERT MAIL task\.failed → ops@b\.example {2}"Reload failed"$/);
    expect(lines[1]).toMatch(/WEBHOOK\s+POST \/hooks\/qlik {2}task\.failed Reload Sales$/);
  });
});
