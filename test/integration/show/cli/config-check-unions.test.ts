// `config check` on a value no member of a union key takes: each line names the key, the file line and what the
// key accepts. Before, all three said only "Invalid input, got …" (a newcomer audit's first afternoon).
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startProcess } from "../../../helpers/child-process";
import { createTempDir } from "../../../helpers/temp-dir";

const main = join(import.meta.dir, "../../../../src/main.ts");
const tmp = createTempDir();
afterAll(() => tmp.remove());

const CONFIG = `http: { port: 0 }
channels:
  ops: { type: webhook, url: "http://127.0.0.1:8080/hook" }
  bus: { type: mqtt, url: "mqtt://127.0.0.1:1883", qos: 3 }
  pager: { type: pagerduty-v1 }
routes:
  - on: [task.failed]
    to: [ops]
    renotify: sometimes
  - on: [task.failed]
    to: [ops]
    recipients: { appOwner: { include: everyone } }
`;

test("config check says what each union key accepts, with the key and its line", async () => {
  const file = join(tmp.path, "steward.yaml");
  writeFileSync(file, CONFIG);
  const p = startProcess(process.execPath, [main, "config", "check", file], { cwd: tmp.path });
  expect(await p.exited).toBe(2);
  expect(p.output().trim().split("\n")).toEqual([
    `${file}:4:57 channels.bus.qos: expected 0, 1 or 2, got 3`,
    `${file}:5:18 channels.pager.type: unknown type "pagerduty-v1", expected email, slack, teams, webhook, mqtt, influxdb, signl4, newrelic, pagerduty, opsgenie or alertmanager`,
    `${file}:9:15 routes[0].renotify: expected once, every, { nth: N } or { digest: 1h }, got "sometimes"`,
    `${file}:12:40 routes[1].recipients.appOwner.include: expected all or a list of text, got "everyone"`,
  ]);
});
