// The doctor's line for each schedule's Slack user group (issue 106): the group read with the bot token, as the rota's
// look reads it, so a revoked token, a wrong group id or a missing scope shows before a handover fails to move the
// group; then the token's scopes as Slack lists them, since the update's usergroups:write cannot be tried without
// changing the group.
import { type OnCallConfig, scheduleNames, scheduleOf } from "../../tell/oncall/config";
import type { SlackUserGroupConfig } from "../../tell/oncall/slack-group-config";
import { createSlackWebApi, slackFix } from "../../tell/oncall/slack-web-api";
import type { DoctorProbe } from "./types";

const SCOPES_FIX = "under the Slack app's OAuth & Permissions → Bot Token Scopes, reinstall the app to the workspace, and put the new token in place.";

/** The scopes the rota's look needs: users:read.email only when someone of the schedule has no slack id. */
function scopesNeeded(oncall: OnCallConfig, people: readonly string[], g: SlackUserGroupConfig): string[] {
  const known = new Set(
    Object.entries(oncall.people ?? {})
      .filter(([, p]) => p.slack)
      .map(([mail]) => mail.toLowerCase()),
  );
  const lookups = g.lookupByEmail && people.some((p) => !known.has(p.toLowerCase()));
  return ["usergroups:read", "usergroups:write", ...(lookups ? ["users:read.email"] : [])];
}

export function slackGroupProbes(oncall: OnCallConfig | undefined): DoctorProbe[] {
  const probes: DoctorProbe[] = [];
  for (const name of scheduleNames(oncall)) {
    const s = scheduleOf(oncall, name)!;
    const g = s.slackUserGroup;
    if (!g) continue;
    const people = [...s.people, ...s.overrides.map((o) => o.person), ...(s.outsideHours ? [s.outsideHours] : [])];
    probes.push({
      check: `oncall ${name} slack user group`,
      async run() {
        const api = createSlackWebApi(g);
        try {
          const members = await api.groupUsers(g.id);
          const missing = scopesNeeded(oncall!, people, g).filter((sc) => !api.scopes().includes(sc));
          if (missing.length > 0)
            return {
              ok: false,
              detail: `${g.id} is read (${members.length} member${members.length === 1 ? "" : "s"}), but the token lacks ${missing.join(", ")}`,
              fix: `The bot needs the ${missing.join(" and ")} scope${missing.length === 1 ? "" : "s"}: add ${missing.length === 1 ? "it" : "them"} ${SCOPES_FIX}`,
            };
          return { ok: true, detail: `${g.id} is read with the bot token (members: ${members.join(", ") || "none"}); the token may change it` };
        } catch (err) {
          return { ok: false, detail: `${g.id}: ${(err as Error).message}`, fix: slackFix(err, g.id) };
        } finally {
          api.close();
        }
      },
    });
  }
  return probes;
}
