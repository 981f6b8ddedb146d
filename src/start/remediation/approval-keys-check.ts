// `config check`'s warning for the two-person rule: a key the config maps to no person counts as a person of its own,
// so its holder and their sign-in (or a second key of theirs) would count as two. A warning, not an error: a script's
// key is rightly nobody's, and the site may mean it to be one of the two.
import type { RemediationConfig } from "./config";

export interface ApprovalKeysConfig {
  /** Absent: remediation is off, nothing waits for a second person. */
  remediation?: Pick<RemediationConfig, "approval"> | undefined;
  security: { apiKeys: ReadonlyArray<{ name: string; person?: string | undefined }> };
}

export function twoPersonKeyWarnings(config: ApprovalKeysConfig): Array<{ path: Array<string | number>; message: string }> {
  if (!config.remediation) return [];
  const { within: _within, ...kinds } = config.remediation.approval;
  const twoPerson = Object.entries(kinds)
    .filter(([, v]) => v === "two-person")
    .map(([k]) => k);
  if (twoPerson.length === 0) return [];
  const rule = twoPerson.map((k) => `remediation.approval.${k}`).join(", ");
  return config.security.apiKeys.flatMap((k, i) =>
    k.person
      ? []
      : [
          {
            path: ["security", "apiKeys", i, "name"],
            message:
              `warning: key ${k.name} names no person, so under the two-person rule (${rule}) it counts as a person of its own: its holder and their ` +
              "sign-in, or a second key of theirs, would be two people. Set person: to the mail address or directory subject of whoever " +
              "holds it (leave a script's key without one only if it may be one of the two)",
          },
        ],
  );
}
