// Proves the test-service helpers start the real Debian servers: a round trip through each one.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { InfluxDB, Point } from "@influxdata/influxdb-client";
import mqtt from "mqtt";
import { createInfluxDb1Database, flushVictoriaMetrics, startInfluxDb1, startMosquitto, startVictoriaMetrics, type TestService } from "../../helpers/services";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";
import { cachedCertSet } from "../../helpers/sim-certs";

describe("mosquitto", () => {
  let broker: TestService;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  test("a message published by one client reaches a subscriber", async () => {
    const sub = await mqtt.connectAsync(broker.url, { connectTimeout: 5_000, reconnectPeriod: 0 });
    const pub = await mqtt.connectAsync(broker.url, { connectTimeout: 5_000, reconnectPeriod: 0 });
    try {
      const received = new Promise<{ topic: string; payload: string }>((resolve) => {
        sub.on("message", (topic, payload) => resolve({ topic, payload: payload.toString("utf8") }));
      });
      await sub.subscribeAsync("steward/test/#", { qos: 1 });
      await pub.publishAsync("steward/test/hello", "payload-42", { qos: 1 });
      const msg = await Promise.race([
        received,
        Bun.sleep(5_000).then(() => {
          throw new Error("no message within 5 s");
        }),
      ]);
      expect(msg).toEqual({ topic: "steward/test/hello", payload: "payload-42" });
    } finally {
      await Promise.all([sub.endAsync(), pub.endAsync()]);
    }
  });

  test("with users: a wrong password is refused, the right one connects", async () => {
    const secured = await startMosquitto({ users: { steward: "s3cret" } });
    try {
      const bad = mqtt.connectAsync(secured.url, {
        username: "steward",
        password: "wrong",
        connectTimeout: 5_000,
        reconnectPeriod: 0,
      });
      await expect(bad).rejects.toThrow(/Not authorized|Bad username or password/i);
      const good = await mqtt.connectAsync(secured.url, {
        username: "steward",
        password: "s3cret",
        connectTimeout: 5_000,
        reconnectPeriod: 0,
      });
      expect(good.connected).toBe(true);
      await good.endAsync();
    } finally {
      await secured.stop();
    }
  });

  test("with TLS: a client trusting the CA publishes over mqtts", async () => {
    const certs = cachedCertSet();
    const dir = createTempDir("steward-mqtt-tls-");
    const file = (name: string, pem: string) => {
      const path = join(dir.path, name);
      writeFileSync(path, pem);
      return path;
    };
    let tlsBroker: TestService | undefined;
    try {
      tlsBroker = await startMosquitto({
        tls: { certFile: file("server.pem", certs.serverCert), keyFile: file("server_key.pem", certs.serverKey) },
      });
      expect(tlsBroker.url.startsWith("mqtts://")).toBe(true);
      const client = await mqtt.connectAsync(tlsBroker.url, {
        ca: certs.ca,
        rejectUnauthorized: true,
        connectTimeout: 5_000,
        reconnectPeriod: 0,
      });
      await client.publishAsync("steward/tls", "ok", { qos: 1 });
      await client.endAsync();
      const untrusting = mqtt.connectAsync(tlsBroker.url, { connectTimeout: 5_000, reconnectPeriod: 0 });
      await expect(untrusting).rejects.toThrow(/certificate/i);
    } finally {
      await tlsBroker?.stop();
      dir.remove();
    }
  });

  test("stop() ends the broker process", async () => {
    const other = await startMosquitto();
    await other.stop();
    expect(() => process.kill(other.pid, 0)).toThrow();
  });
});

describe("influxd 1.x", () => {
  let influx: TestService;
  beforeAll(async () => {
    influx = await startInfluxDb1();
  });
  afterAll(async () => {
    await influx?.stop();
  });

  test("a point written to /write comes back from an InfluxQL /query", async () => {
    const q = (query: string, db?: string) => {
      const params = new URLSearchParams({ q: query });
      if (db) params.set("db", db);
      return fetch(`${influx.url}/query`, { method: "POST", body: params });
    };
    await createInfluxDb1Database(influx, "steward_test");
    const write = await fetch(`${influx.url}/write?db=steward_test&precision=ms`, {
      method: "POST",
      body: 'task_failed,task_name=Reload\\ Sales host="sense1",duration_s=12.5 1700000000000\n',
    });
    expect(write.status).toBe(204);
    const res = await q('SELECT "host", "duration_s", "task_name" FROM "task_failed"', "steward_test");
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      results: { series?: { name: string; columns: string[]; values: unknown[][] }[] }[];
    };
    const series = body.results[0]?.series?.[0];
    expect(series?.name).toBe("task_failed");
    expect(series?.columns).toEqual(["time", "host", "duration_s", "task_name"]);
    expect(series?.values).toEqual([["2023-11-14T22:13:20Z", "sense1", 12.5, "Reload Sales"]]);
  });

  test("with an admin user: unauthenticated queries get 401, authenticated ones work", async () => {
    const secured = await startInfluxDb1({ admin: { username: "steward", password: "it's-secret" } });
    try {
      const anon = await fetch(`${secured.url}/query?q=SHOW+DATABASES`);
      expect(anon.status).toBe(401);
      const params = new URLSearchParams({ q: "SHOW DATABASES", u: "steward", p: "it's-secret" });
      const authed = await fetch(`${secured.url}/query?${params}`);
      expect(authed.status).toBe(200);
    } finally {
      await secured.stop();
    }
  });
});

describe("victoria-metrics", () => {
  let vm: TestService;
  beforeAll(async () => {
    vm = await startVictoriaMetrics();
  });
  afterAll(async () => {
    await vm?.stop();
  });

  test("a point written with the InfluxDB v2 client comes back from /api/v1/export", async () => {
    const writeApi = new InfluxDB({ url: vm.url, token: "unused" }).getWriteApi("steward-org", "steward", "ms", {
      maxRetries: 0,
    });
    const ts = Date.now();
    writeApi.writePoint(new Point("task_succeeded").tag("task_name", "Reload Sales").floatField("duration_s", 3.25).timestamp(ts));
    await writeApi.close();

    const series = await waitFor(
      async () => {
        await flushVictoriaMetrics(vm);
        const params = new URLSearchParams({ "match[]": '{__name__="task_succeeded_duration_s"}' });
        const res = await fetch(`${vm.url}/api/v1/export?${params}`);
        if (!res.ok) throw new Error(`export: HTTP ${res.status}`);
        const text = (await res.text()).trim();
        return text === "" ? undefined : text.split("\n").map((l) => JSON.parse(l) as ExportLine);
      },
      { what: "the point in VictoriaMetrics", timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(series).toHaveLength(1);
    expect(series[0]?.metric).toMatchObject({ __name__: "task_succeeded_duration_s", task_name: "Reload Sales" });
    expect(series[0]?.values).toEqual([3.25]);
    expect(series[0]?.timestamps).toEqual([ts]);
  });
});

interface ExportLine {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}
