// The links approved remediation adds to a message: a retry names the task's incident (also on a page whose acknowledge
// and snooze name its cause), a re-run of the queue's cancelled runs names the cause; neither without the offer.
import { afterAll, expect, test } from "bun:test";
import { ackLinkMigrations } from "../../../../src/tell/ack-links/migrations";
import { createLinkStore } from "../../../../src/tell/ack-links/link-store";
import { makeActionLinks } from "../../../../src/tell/ack-links/links";
import { actionLinksSchema } from "../../../../src/tell/ack-links/config";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import type { Notification } from "../../../../src/tell/notify/types";
import { sqliteBackend } from "../../../helpers/sql-backends";

const backend = sqliteBackend();
afterAll(() => backend.shutdown());
const cfg = actionLinksSchema().parse({ publicBaseUrl: "https://steward.corp.example" });
const NOW = Date.UTC(2026, 10, 27, 3, 0, 0);

function message(withCause: boolean): Notification {
  const e = {
    ...syntheticTaskEvent({ outcome: "failed" }),
    source: "udp" as const,
    incident: { id: 7, status: "open" as const, failures: 1, openedAt: new Date(NOW).toISOString(), paged: false },
    ...(withCause
      ? {
          cause: {
            id: 3,
            title: "reload queue backed up on reload01",
            status: "open" as const,
            text: "",
            tasks: [],
            apps: [],
            streams: [],
            counts: { tasks: 1, apps: 0, streams: 0 },
            stillFailing: 1,
          },
        }
      : {}),
  };
  return { event: e, recipient: "anna@corp.example", channel: "mail", vars: {} } as unknown as Notification;
}
const shape = (links: Array<{ action: string; url: string }>) => links.map((l) => `${l.action} ${new URL(l.url).pathname}`);

test("a retry names the incident, a re-run the cause; without the offer neither is there", async () => {
  const store = createLinkStore(await backend.open([ackLinkMigrations]));
  expect(shape(await makeActionLinks(cfg, store, message(true), NOW))).toEqual(["ack /act/cause/3", "snooze /act/cause/3"]);
  expect(shape(await makeActionLinks(cfg, store, message(true), NOW, { retry: true, rerun: true }))).toEqual([
    "ack /act/cause/3",
    "snooze /act/cause/3",
    "rerun /act/cause/3",
    "retry /act/incident/7",
  ]);
  // A page of the incident alone: no cause to re-run.
  expect(shape(await makeActionLinks(cfg, store, message(false), NOW, { retry: true, rerun: true }))).toEqual([
    "ack /act/incident/7",
    "snooze /act/incident/7",
    "retry /act/incident/7",
  ]);
});

test("a reload and a chain's restart name the task's incident, also on a cause's page; none without the offer", async () => {
  const store = createLinkStore(await backend.open([ackLinkMigrations]));
  expect(shape(await makeActionLinks(cfg, store, message(true), NOW, { retry: true, reload: true, chain: true }))).toEqual([
    "ack /act/cause/3",
    "snooze /act/cause/3",
    "retry /act/incident/7",
    "reload /act/incident/7",
    "chain /act/incident/7",
  ]);
  expect(shape(await makeActionLinks(cfg, store, message(false), NOW, { reload: false, chain: false }))).toEqual([
    "ack /act/incident/7",
    "snooze /act/incident/7",
  ]);
  const texts = (await makeActionLinks(cfg, store, message(false), NOW, { reload: true, chain: true })).map((l) => l.text);
  expect(texts).toEqual(["Acknowledge", "Snooze", "Reload the app", "Restart the chain"]);
});
