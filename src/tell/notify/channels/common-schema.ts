// Keys every channel instance accepts, whatever its type: on/off, description, per-attempt timeout, a
// template override folder and how many script-log lines messages show.
import { z } from "zod";
import { DurationSchema } from "../../../platform/core/duration";

export const ScriptLogLinesSchema = z
  .strictObject({
    head: z.number().int().min(0).max(500).default(15).describe("First lines of the script log shown in messages."),
    tail: z.number().int().min(0).max(500).default(25).describe("Last lines of the script log shown in messages."),
  })
  .describe(
    "How much of the script log a message shows (Butler's headScriptLogLines / tailScriptLogLines). The lines that state the failure are shown as well, wherever they are; every stretch left out is marked.",
  );

export const channelCommonShape = {
  enabled: z.boolean().default(true).describe("A disabled channel receives nothing; routes to it are skipped."),
  description: z
    .string()
    .optional()
    .describe("Free text for people reading the config.")
    .meta({ examples: ["Qlik operations team"] }),
  timeout: DurationSchema.prefault("30s").describe("Upper bound of one delivery attempt."),
  templates: z
    .string()
    .min(1)
    .optional()
    .describe("Folder (relative to the config file) whose templates override the defaults for this channel only.")
    .meta({ examples: ["./alert-templates/ops-mail"] }),
  scriptLogLines: ScriptLogLinesSchema.prefault({}),
};
