// Keeps each schedule's Slack user group (slackUserGroup) equal to the person on duty (issue 106), so `@qlik-oncall`
// in Slack pages whoever is on duty now. Each Steward looks every minute on its Clock: when duty changed (a handover,
// an override's start or end, the hours' edges), at start, and every DRIFT_MS to repair a hand edit in Slack, it asks
// Slack who is in the group and updates it only when that differs. The look is claimed in the store first, so the
// Stewards of one PostgreSQL ask once per change; a restart with nothing changed asks nothing. A person is the
// Slack id oncall.people gives them, else found by mail address (slack-member-ids.ts).
import type { Logger } from "pino";
import type { Clock } from "../../platform/core/clock";
import { createSerialLook } from "../../platform/core/serial-look";
import { type OnCallConfig, type OnCallSchedule, scheduleNames, scheduleOf } from "./config";
import { dutyChange } from "./duty-span";
import { onDuty } from "./on-duty";
import type { SlackUserGroupConfig } from "./slack-group-config";
import type { SlackGroupStore } from "./slack-group-store";
import { createSlackMemberIds, NoSlackMember } from "./slack-member-ids";
import { createSlackWebApi, SlackApiError, type SlackWebApi, SlackRateLimited, slackFix } from "./slack-web-api";

const LOOK_MS = 60_000;
/** How often the group is compared with Slack although duty did not change: a member added by hand is gone within it. */
export const DRIFT_MS = 10 * 60_000;

export interface SlackGroupSyncDeps {
  /** The rota with the stored overrides merged in. */
  oncall(): OnCallConfig | undefined;
  store: SlackGroupStore;
  clock: Clock;
  log: Logger;
  instanceId: string;
  /** Slack's Web API for a group's settings (a test may hand in its own base URL through the config instead). */
  api?(g: SlackUserGroupConfig): SlackWebApi;
}

/** What is wrong with a schedule's group, for the log and GET /v4/oncall. */
export interface SlackGroupProblem {
  problem: string;
  fix: string;
}

/** The problem and its fix, for the log and the doctor. */
function problemOf(err: unknown, g: SlackUserGroupConfig): SlackGroupProblem {
  if (!(err instanceof NoSlackMember)) return { problem: (err as Error).message, fix: slackFix(err, g.id) };
  const own = `Give the person their Slack member id under oncall.people["${err.person}"].slack`;
  return { problem: err.message, fix: g.lookupByEmail ? `${own}, or use in Slack the mail address the rota names them by.` : `${own}.` };
}

/** Logs what went wrong once while it lasts, not every look. */
function noteFailure(log: Logger, name: string, st: ScheduleState, g: SlackUserGroupConfig, err: unknown): void {
  const problem = problemOf(err, g);
  if (st.problem?.problem !== problem.problem)
    log.error({ schedule: name, usergroup: g.id, ...problem }, "the Slack user group could not be kept in step with the person on duty");
  st.problem = problem;
}

interface ScheduleState {
  /** In step with this group and person until `until` (the next drift check or retry). */
  memo?: { group: string; person: string | undefined; until: number };
  retryAt: number;
  problem?: SlackGroupProblem;
}

/**
 * Per schedule, when duty next changes, while its rota (as JSON) is the same, so the look is armed for that instant.
 * Walking to the next change costs a Cron per quarter hour: it is done again only once it passed or the rota changed.
 */
function createDutyChanges() {
  const known = new Map<string, { rota: string; at: number | undefined }>();
  return {
    after(name: string, s: OnCallSchedule, now: number): void {
      const rota = JSON.stringify(s);
      const k = known.get(name);
      if (k && k.rota === rota && (k.at === undefined || k.at > now)) return;
      known.set(name, { rota, at: dutyChange(s, now, 1) });
    },
    /** The first change still ahead; infinity: none known. */
    soonest(now: number): number {
      let at = Number.POSITIVE_INFINITY;
      for (const k of known.values()) if (k.at !== undefined && k.at > now) at = Math.min(at, k.at);
      return at;
    },
  };
}

export type SlackGroupSync = ReturnType<typeof createSlackGroupSync>;

export function createSlackGroupSync(d: SlackGroupSyncDeps) {
  const log = d.log.child({ module: "slack-user-group" });
  const states = new Map<string, ScheduleState>();
  const apis = new Map<string, SlackWebApi>();
  const changes = createDutyChanges();

  const apiFor = (g: SlackUserGroupConfig): SlackWebApi => {
    const key = `${g.baseUrl}\n${g.token}`;
    let api = apis.get(key);
    if (!api) apis.set(key, (api = d.api?.(g) ?? createSlackWebApi(g)));
    return api;
  };

  const slackIdOf = createSlackMemberIds(log);

  const syncOne = async (name: string, s: OnCallSchedule, g: SlackUserGroupConfig, now: number) => {
    let st = states.get(name);
    if (!st) states.set(name, (st = { retryAt: 0 }));
    if (now < st.retryAt) return;
    const person = onDuty(s, now).person;
    if (st.memo && st.memo.group === g.id && st.memo.person === person && now < st.memo.until) return;
    if (!person) {
      // Slack keeps no empty user group (it refuses an update without users): the last person stays in it.
      if (st.memo?.person !== undefined || !st.memo)
        log.info({ schedule: name, usergroup: g.id }, "nobody is on duty: the Slack user group keeps its members until someone is");
      st.memo = { group: g.id, person, until: Number.POSITIVE_INFINITY };
      return;
    }
    try {
      // Made or found in step by this or another Steward (before a restart, too): no need to ask Slack anything.
      const row = await d.store.get(name);
      if (row && row.usergroup === g.id && row.person === person && row.checkedAt > now - DRIFT_MS) {
        st.memo = { group: g.id, person, until: row.checkedAt + DRIFT_MS };
        return;
      }
      const users = await slackIdOf(d.oncall(), person, { lookupByEmail: g.lookupByEmail, api: () => apiFor(g), now });
      const want = { usergroup: g.id, person, users };
      if (!(await d.store.claim(name, want, d.instanceId, now, now - DRIFT_MS))) {
        const held = await d.store.get(name);
        // In step (another Steward saw to it meanwhile): nothing to do until the next drift check. Else another holds it.
        if (held && held.usergroup === g.id && held.person === person && held.users === users)
          st.memo = { group: g.id, person, until: held.checkedAt + DRIFT_MS };
        return;
      }
      try {
        const api = apiFor(g);
        const have = [...(await api.groupUsers(g.id))].sort().join(",");
        if (have !== users) {
          await api.setGroupUsers(g.id, [users]);
          log.info({ schedule: name, usergroup: g.id, person, slackUser: users, before: have }, "Slack user group set to the person on duty");
        }
        await d.store.done(name, { ...want, checkedAt: d.clock.now() });
      } catch (err) {
        await d.store.release(name);
        throw err;
      }
      if (st.problem) log.info({ schedule: name, usergroup: g.id }, "the Slack user group is in step with the person on duty again");
      st.problem = undefined;
      st.memo = { group: g.id, person, until: now + DRIFT_MS };
    } catch (err) {
      if (err instanceof SlackRateLimited) {
        st.retryAt = now + err.retryAfterMs;
        log.warn(
          { schedule: name, usergroup: g.id, retryAfterMs: err.retryAfterMs },
          "Slack asked to wait (HTTP 429): the user group is updated after Retry-After",
        );
        return;
      }
      noteFailure(log, name, st, g, err);
      // Slack's refusal stands until someone fixes the app or the config: asked again at the next drift check (or when
      // duty changes); a network failure at the next look.
      st.memo = { group: g.id, person, until: now + (err instanceof SlackApiError || err instanceof NoSlackMember ? DRIFT_MS : LOOK_MS) };
    }
  };

  /** Looks at every schedule. */
  const lookOnce = async (): Promise<void> => {
    const oncall = d.oncall();
    for (const name of scheduleNames(oncall)) {
      const s = scheduleOf(oncall, name)!;
      if (!s.slackUserGroup) continue;
      await syncOne(name, s, s.slackUserGroup, d.clock.now());
      changes.after(name, s, d.clock.now());
    }
  };

  /** The next look: each minute, or sooner at a handover (so @qlik-oncall is right from its first second) or when Slack's Retry-After ends. */
  const nextLookIn = (): number => {
    const now = d.clock.now();
    // No schedule keeps a group (nearly every site): a look now and then finds one a config reload added, and an idle
    // Steward does not wake each minute for nothing (alone-pace.test.ts counts its timers).
    const oncall = d.oncall();
    if (!scheduleNames(oncall).some((name) => scheduleOf(oncall, name)?.slackUserGroup)) return DRIFT_MS;
    let next = now + LOOK_MS;
    for (const st of states.values()) if (st.retryAt > now) next = Math.min(next, st.retryAt);
    next = Math.min(next, changes.soonest(now));
    return Math.max(1, next - now);
  };

  // A look asked for while one runs runs once more after it: the clock may have passed a handover meanwhile.
  const loop = createSerialLook({
    clock: d.clock,
    label: "slack user groups",
    look: lookOnce,
    onError: (err) => log.error({ err }, "Slack user groups: the store could not be read; tried again at the next look"),
    nextDelayMs: nextLookIn,
  });

  return {
    name: "slack-user-groups",
    look: loop.run,
    /** Per schedule with a slackUserGroup: what stops it being kept in step, if anything. */
    problems(): Record<string, SlackGroupProblem | undefined> {
      return Object.fromEntries([...states].map(([name, st]) => [name, st.problem]));
    },
    start() {
      loop.start(LOOK_MS);
    },
    async stop() {
      await loop.stop();
      for (const api of apis.values()) api.close();
      apis.clear();
    },
  };
}
