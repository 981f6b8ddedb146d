// A Slack user group kept equal to the people on duty of a schedule (issue 106), so a site that pages `@qlik-oncall`
// in Slack reaches whoever is on duty now: the group's id, the bot token of the Slack app that may change it, and where
// Slack's Web API answers (slack.com; a test receiver or an Enterprise Grid address otherwise).
import { z } from "zod";

export const SlackUserGroupSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^S[A-Z0-9]{2,}$/, 'a Slack user group id like "S0614TZR7" (Slack: People → User groups → the group → ⋮ → Copy group ID)')
      .describe("The user group (its handle, e.g. @qlik-oncall, is what people page) whose members follow the person on duty."),
    token: z
      .string()
      .min(1)
      .describe(
        "The Slack app's Bot User OAuth Token (xoxb-…) with the scopes usergroups:read, usergroups:write and users:read.email; a credential, use ${env:…}.",
      ),
    baseUrl: z
      .string()
      .regex(/^(https?:\/\/[^\s/]+|\$\{env:[A-Za-z_][A-Za-z0-9_]*\})\/?$/, "an address like https://slack.com, without a path")
      .default("https://slack.com")
      .describe("Where Slack's Web API answers (methods under /api/); only for a proxy or an Enterprise Grid address."),
    lookupByEmail: z
      .boolean()
      .default(true)
      .describe(
        "A person without oncall.people[…].slack is found by their mail address (users.lookupByEmail, remembered a day); false: such a person leaves the group as it is.",
      ),
  })
  .describe("Keeps this Slack user group's members equal to the person on duty: at each handover and override, at start, and every 10 minutes.");

export type SlackUserGroupConfig = z.infer<typeof SlackUserGroupSchema>;
