// data.check_* events through the pipeline's pure parts: route filters (app and task filters apply, the
// others cannot match and say why), recipients (the app owner, task custom properties), and what each
// non-templated channel makes of them (MQTT topic, InfluxDB point, SIGNL4 incident, New Relic event).
import { describe, expect, test } from "bun:test";
import { RouteSchema } from "../../../../src/tell/notify/config";
import { matchRoute } from "../../../../src/tell/notify/routing";
import { resolveRecipients } from "../../../../src/tell/notify/recipients";
import { syntheticDataCheckEvent } from "../../../../src/tell/notify/samples";
import { mqttMessages } from "../../../../src/tell/notify/channels/mqtt/messages";
import { MqttChannelSchema } from "../../../../src/tell/notify/channels/mqtt/schema";
import { pointsFor } from "../../../../src/tell/notify/channels/influxdb/points";
import { InfluxDbChannelSchema } from "../../../../src/tell/notify/channels/influxdb/schema";
import { signl4Alert } from "../../../../src/tell/notify/channels/signl4";
import { Signl4ChannelSchema } from "../../../../src/tell/notify/channels/signl4/schema";
import { newRelicEvent } from "../../../../src/tell/notify/channels/newrelic/payloads";
import { NewRelicChannelSchema } from "../../../../src/tell/notify/channels/newrelic/schema";

const route = (extra: Record<string, unknown>) => RouteSchema.parse({ on: ["data.check_failed"], to: ["x"], ...extra });
const failed = () => syntheticDataCheckEvent("data.check_failed");

describe("routes", () => {
  test.each([
    [{}, true],
    [{ appIds: ["0B2E1AB4-0F3C-4B1E-9D0A-6F2D7D3A9C11"] }, true],
    [{ appTags: ["finance"] }, true],
    [{ streams: ["HR"] }, false],
    [{ appCustomProperties: [{ name: "stewardchecks", value: "SALES" }] }, true],
    [{ taskNames: ["Reload Sales*"] }, true],
    [{ taskTags: ["Weekly"] }, false],
    [{ hosts: ["sense1.corp.example"] }, true],
  ])("%j → %p", (filters, expected) => {
    expect(matchRoute(route(filters), failed()).matched).toBe(expected);
  });

  test("filters a data check has no answer for cannot match, and say why", () => {
    expect(matchRoute(route({ taskTypes: ["reload"] }), failed())).toEqual({ matched: false, reason: "taskTypes: a data.check_failed event has no task run" });
    expect(matchRoute(route({ services: ["QlikSenseEngineService"] }), failed())).toEqual({
      matched: false,
      reason: "services: a data.check_failed event has no service",
    });
    const afterJob = syntheticDataCheckEvent("data.check_failed", { full: false });
    expect(matchRoute(route({ taskIds: ["x"] }), afterJob)).toEqual({
      matched: false,
      reason: "taskIds: this data.check_failed followed a reload Steward ran, not a reload task",
    });
    expect(matchRoute(route({ on: ["data.check_passed"] }), failed()).reason).toBe("on: data.check_failed is not in [data.check_passed]");
  });

  test("the app owner is a recipient, as for task events", () => {
    const r = resolveRecipients(["ops@corp.example"], route({ recipients: { appOwner: { enabled: true } } }), failed());
    expect(r.recipients).toEqual([
      { address: "ops@corp.example", via: "static" },
      { address: "anna.svensson@corp.example", via: "appOwner" },
    ]);
  });
});

describe("channels", () => {
  test("MQTT: one structured message per event under data/<status>/<app>/<check>", () => {
    const cfg = MqttChannelSchema.parse({ type: "mqtt", url: "mqtt://broker:1883" });
    const e = failed();
    expect(mqttMessages(cfg, e)).toEqual([{ topic: `steward/sense1.corp.example/data/failed/${e.app.id}/orders-not-empty`, payload: JSON.stringify(e) }]);
  });

  test("InfluxDB: steward_data_check_event with the value and the previous value as fields", () => {
    const cfg = InfluxDbChannelSchema.parse({ type: "influxdb", url: "http://influx:8086", database: "d", tags: { site: "lab" } });
    const line = pointsFor(cfg, failed())[0]!.toLineProtocol()!;
    expect(line).toStartWith(
      "steward_data_check_event,app_id=0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11,app_name=Sales\\ dashboard,check=orders-not-empty,host=sense1.corp.example,kind=data.check_failed,severity=block,site=lab ",
    );
    expect(line).toContain("value=0,");
    expect(line).toContain("previous=120000");
    expect(line).toContain("holds_back=T");
  });

  test("SIGNL4: a failure opens the check's incident, its pass resolves the same one", () => {
    const cfg = Signl4ChannelSchema.parse({ type: "signl4", url: "https://connect.signl4.com/webhook/x" });
    const open = signl4Alert(cfg, syntheticDataCheckEvent("data.check_failed"));
    const close = signl4Alert(cfg, syntheticDataCheckEvent("data.check_passed"));
    expect(open).toMatchObject({
      externalId: "check:0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11:orders-not-empty",
      status: "new",
      body: { Severity: 1, "Check severity": "block", Check: "orders-not-empty", Value: "0", Title: "Data check failed: orders-not-empty on Sales dashboard" },
    });
    expect(close).toMatchObject({ externalId: open.externalId, status: "resolved" });
  });

  test("New Relic: qs_dataCheckEvent with the check's attributes", () => {
    const cfg = NewRelicChannelSchema.parse({ type: "newrelic", accounts: ["prod"] });
    const [e] = newRelicEvent(cfg, failed(), 1);
    expect(e).toMatchObject({
      eventType: "qs_dataCheckEvent",
      qs_appName: "Sales dashboard",
      steward_check: "orders-not-empty",
      steward_value: 0,
      steward_previous: 120000,
      steward_holdsBack: true,
    });
  });
});
