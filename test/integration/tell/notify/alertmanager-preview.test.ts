// `steward alert preview --json` for an alertmanager channel, run as a user runs it: the alert as it would be posted
// (labels, annotations, the dashboard link from http.publicUrl as generatorURL), and nothing posted.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startProcess } from "../../../helpers/child-process";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { startHttpReceiver, type HttpReceiver } from "./receivers";

const REPO = join(import.meta.dir, "../../../..");

let dir: TempDir;
let rx: HttpReceiver;

beforeAll(() => {
  dir = createTempDir("steward-am-preview-");
  rx = startHttpReceiver();
  writeFileSync(
    join(dir.path, "steward.yaml"),
    `dataDir: ./data
http: { publicUrl: "https://steward.corp.example" }
channels:
  am: { type: alertmanager, urls: ["${rx.url}"], labels: { env: prod } }
routes:
  - { on: [task.failed], to: [am] }
`,
  );
});
afterAll(async () => {
  await rx?.stop();
  dir?.remove();
});

test("the preview shows the alert with its dashboard link and posts nothing", async () => {
  const p = startProcess(
    process.execPath,
    ["src/main.ts", "alert", "preview", "--config", join(dir.path, "steward.yaml"), "--task-name", "Finance daily", "--json"],
    {
      cwd: REPO,
    },
  );
  expect(await p.exited).toBe(0);
  const preview = JSON.parse(p.stdout()) as {
    event: { task: { id: string } };
    deliveries: Array<{ channel: string; rendered: { state: string; body: Array<{ labels: Record<string, string>; generatorURL?: string }> } }>;
  };
  const d = preview.deliveries.find((x) => x.channel === "am")!;
  expect(d.rendered.state).toBe("firing");
  expect(d.rendered.body[0]!.labels).toMatchObject({ alertname: "QlikTaskFailed", task: "Finance daily", env: "prod", severity: "critical" });
  expect(d.rendered.body[0]!.generatorURL).toBe(`https://steward.corp.example/ui/tasks/${preview.event.task.id}`);
  expect(rx.requests).toEqual([]);
}, 30_000);
