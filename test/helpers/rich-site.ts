// A rich simulated Qlik Sense site, as data: 3 nodes and 112 tasks in Europe/Stockholm. Nightly QVD generators spread
// 01:00–03:25 feed data models, which feed front-end apps (task-event chains three deep, four for a few mashups);
// hourly and 15-minute office-hours weekday tasks; weekly tasks on weekdays; monthly ones on days of month and the
// last day; varying durations; a few flaky tasks that fail once and succeed on their retry. The scenario test and
// the cost measurement run it; the site is plain data so other drivers (a stepped clock) can run it too.

export interface RichTask {
  name: string;
  app: string;
  node: string;
  kind: "qvd" | "model" | "front" | "mashup" | "hourly" | "quarter" | "weekly" | "monthly";
  durationMs: number;
  /** The task whose success starts this one (task-event trigger). */
  after?: string;
  flaky?: boolean;
  /**
   * When the task and its app were created (the simulator's default spreads entities a day apart from February 2024,
   * which a site of more than about 760 tasks pushes past its own clock: entities modified in the future would be
   * "changed since" every look).
   */
  createdDate?: string;
  trigger?: { option: "hourly" | "daily" | "weekly" | "monthly" | "custom"; increment?: string; filter?: string; start: string };
}

const MIN = 60_000;
/** Engines per node of one copy of the site: enough that its busiest night never queues (see richSiteYaml). */
export const RICH_SITE_ENGINES = 10;
const NODES = ["Central", "Reload01", "Reload02"];

/** A node's host name, as QRS and the Scheduler's datagrams give it. */
export const richSiteHostOf = (node: string) => `sense${NODES.indexOf(node) + 1}.corp.example`;
const pad = (n: number) => String(n).padStart(2, "0");

/** Deterministic durations that vary per task (no randomness: the same site on every run). */
const dur = (i: number, lo: number, spread: number) => (lo + ((i * 7919) % (spread + 1))) * MIN;

/**
 * The site's tasks; `copies` > 1 repeats the whole site that many times (the same shapes, triggers and nodes; names
 * and apps of copy k end in " #k"), for measuring what the watchdog costs as a site grows (scripts/bench-rich-site-scale.ts).
 */
export function richSiteTasks(copies = 1): RichTask[] {
  const one = oneRichSite();
  const out = [...one];
  for (let k = 2; k <= copies; k++)
    one.forEach((t, i) =>
      out.push({
        ...t,
        name: `${t.name} #${k}`,
        app: `${t.app} #${k}`,
        ...(t.after ? { after: `${t.after} #${k}` } : {}),
        // Copies were created an hour apart in 2025, long before the site's first simulated day.
        createdDate: new Date(Date.UTC(2025, 0, 1) + ((k - 2) * one.length + i) * 3_600_000).toISOString(),
      }),
    );
  return out;
}

function oneRichSite(): RichTask[] {
  const tasks: RichTask[] = [];
  const node = (i: number) => NODES[i % NODES.length]!;
  for (let i = 1; i <= 30; i++) {
    const at = 60 + (i - 1) * 5; // 01:00 … 03:25
    tasks.push({
      name: `QVD ${pad(i)}`,
      app: `QVD generator ${pad(i)}`,
      node: node(i),
      kind: "qvd",
      durationMs: dur(i, 20, 40),
      ...(i % 10 === 4 ? { flaky: true } : {}),
      trigger: { option: "daily", start: `2026-03-01T${pad(Math.floor(at / 60))}:${pad(at % 60)}:00.000` },
    });
    tasks.push({
      name: `Model ${pad(i)}`,
      app: `Data model ${pad(i)}`,
      node: node(i + 1),
      kind: "model",
      durationMs: dur(i + 3, 2, 10),
      after: `QVD ${pad(i)}`,
    });
    tasks.push({
      name: `Front ${pad(i)}`,
      app: `Sales front end ${pad(i)}`,
      node: node(i + 2),
      kind: "front",
      durationMs: dur(i + 5, 1, 4),
      after: `Model ${pad(i)}`,
    });
  }
  for (let i = 1; i <= 4; i++)
    tasks.push({ name: `Mashup ${pad(i)}`, app: `Mashup ${pad(i)}`, node: node(i), kind: "mashup", durationMs: dur(i, 1, 3), after: `Front ${pad(i * 7)}` });
  for (let i = 1; i <= 8; i++)
    tasks.push({
      name: `Office hourly ${pad(i)}`,
      app: `Operations ${pad(i)}`,
      node: node(i),
      kind: "hourly",
      durationMs: dur(i, 1, 5),
      ...(i === 3 ? { flaky: true } : {}),
      trigger: { option: "hourly", increment: "0 1 0 0", filter: "* 7-17 - 1,2,3,4,5 * * * *", start: `2026-03-02T07:${pad(5 + i * 5)}:00.000` },
    });
  for (let i = 1; i <= 4; i++)
    tasks.push({
      name: `Quarter ${pad(i)}`,
      app: `Live KPIs ${pad(i)}`,
      node: node(i + 1),
      kind: "quarter",
      durationMs: dur(i, 1, 2),
      trigger: { option: "custom", increment: "15 0 0 0", filter: "* 7-17 - 1,2,3,4,5 * * * *", start: `2026-03-02T07:0${i}:00.000` },
    });
  const weekdays = ["1,3,5", "2,4", "1", "1,2,3,4,5", "6", "3"];
  for (let i = 1; i <= 6; i++)
    tasks.push({
      name: `Weekly ${pad(i)}`,
      app: `Weekly report ${pad(i)}`,
      node: node(i + 2),
      kind: "weekly",
      durationMs: dur(i, 4, 12),
      trigger: { option: "weekly", increment: "0 0 1 0", filter: `* * - ${weekdays[i - 1]} 1 * * *`, start: `2026-03-02T05:${pad(i * 5)}:00.000` },
    });
  const days = ["1", "1,15", "\u00a4", "25"];
  for (let i = 1; i <= 4; i++)
    tasks.push({
      name: `Monthly ${pad(i)}`,
      app: `Monthly close ${pad(i)}`,
      node: node(i),
      kind: "monthly",
      durationMs: dur(i, 10, 20),
      trigger: { option: "monthly", increment: "0 0 1 0", filter: `* * - * * ${days[i - 1]} * *`, start: `2026-01-01T04:${pad(i * 10)}:00.000` },
    });
  return tasks;
}

/** A scheduled task of the Qlik Cloud tenant beside the site (its own app, so the site's apps are judged as before). */
export interface RichCloudTask {
  name: string;
  app: string;
  recurrence: string[];
}

/** Three hourly Cloud tasks, all day, at different minutes (Europe/Stockholm). */
export function richCloudTasks(): RichCloudTask[] {
  return ["Sales", "Stock", "Finance"].map((what, i) => ({
    name: `Cloud ${what.toLowerCase()} hourly`,
    app: `Cloud ${what}`,
    recurrence: [`RRULE:FREQ=HOURLY;INTERVAL=1;BYMINUTE=${10 + i * 15};BYSECOND=0`],
  }));
}

/**
 * The site file (JSON, which the site loader reads as YAML); `cloud` tasks for the simulated tenant. Its nodes run
 * `maxConcurrentEngines` reloads at once (QMC: Max concurrent reloads): at Qlik's default of 4 its nights queue for
 * up to 14 minutes; the scenarios tuned before the simulator had a queue run it on nodes big enough never to queue.
 */
export function richSiteYaml(
  tasks: RichTask[] = richSiteTasks(),
  cloud: RichCloudTask[] = [],
  maxConcurrentEngines = Math.min(256, RICH_SITE_ENGINES * Math.max(1, Math.ceil(tasks.length / 116))),
): string {
  return JSON.stringify({
    site: { name: "Rich site" },
    nodes: NODES.map((name, i) => ({ name, hostName: richSiteHostOf(name), central: i === 0, scheduler: { maxConcurrentEngines } })),
    users: [{ userDirectory: "CORP", userId: "qlikadmin" }],
    apps: [
      ...tasks.map((t) => ({
        name: t.app,
        owner: "CORP\\qlikadmin",
        reload: { durationMs: t.durationMs },
        ...(t.createdDate ? { createdDate: t.createdDate } : {}),
      })),
      ...cloud.map((c) => ({ name: c.app, owner: "CORP\\qlikadmin" })),
    ],
    cloud: {
      tasks: cloud.map((c) => ({ name: c.name, app: c.app, recurrence: c.recurrence, timezone: "Europe/Stockholm", startDateTime: "2026-03-01T00:00:00" })),
    },
    tasks: tasks.map((t) => ({
      name: t.name,
      type: "reload",
      app: t.app,
      node: t.node,
      durationMs: t.durationMs,
      ...(t.createdDate ? { createdDate: t.createdDate } : {}),
      ...(t.flaky ? { maxRetries: 2, outcome: { failThenSucceed: 1 } } : {}),
      triggers: t.trigger
        ? [
            {
              type: "schema",
              name: `${t.name} schedule`,
              incrementOption: t.trigger.option,
              ...(t.trigger.increment ? { incrementDescription: t.trigger.increment } : {}),
              ...(t.trigger.filter ? { schemaFilterDescription: t.trigger.filter } : {}),
              startDate: t.trigger.start,
              timeZone: "Europe/Stockholm",
            },
          ]
        : [{ type: "composite", name: `After ${t.after}`, rules: [{ task: t.after, state: "success" }] }],
    })),
  });
}

/** The tasks whose runs depend on `name` through success chains (not including it). */
export function downstreamOf(tasks: RichTask[], name: string): RichTask[] {
  const out: RichTask[] = [];
  const queue = [name];
  while (queue.length) {
    const up = queue.shift()!;
    for (const t of tasks) if (t.after === up && !out.includes(t)) out.push(t), queue.push(t.name);
  }
  return out;
}
