// Config of the acknowledge and snooze links in alert messages (src/tell/ack-links/): where they point, how long they
// stay valid and which snooze choices the landing page offers.
import { z } from "zod";
import { DurationSchema } from "../../platform/core/duration";

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

export const actionLinksSchema = () =>
  z
    .strictObject({
      publicBaseUrl: z
        .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL, e.g. https://steward.corp.example:8443" })
        .optional()
        .describe(
          "The address people reach this Steward's dashboard at (behind a proxy: the proxy's). Links in mail, Teams and Slack point here. Default: http.publicUrl; with neither set, messages carry no links.",
        )
        .meta({ examples: ["https://steward.corp.example:8443"] }),
      expiry: DurationSchema.prefault("3d").describe("How long a link stays valid after the message was sent."),
      snooze: z.array(DurationSchema).min(1).max(6).prefault(["1h", "4h"]).describe("Snooze durations the landing page offers."),
      snoozeUntil: z
        .string()
        .regex(HH_MM, 'expected a time of day like "08:00"')
        .optional()
        .default("08:00")
        .describe("Also offer a snooze until this time of day tomorrow, in notify.timeZone (the site's zone)."),
    })
    .describe(
      "Acknowledge and snooze links in alert mails, Teams and Slack messages of an open incident or cause: signed, single use, valid for `expiry`, no API key needed.",
    );

export type ActionLinksConfig = z.infer<ReturnType<typeof actionLinksSchema>>;
