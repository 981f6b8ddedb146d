// The killed-member tests' first step (dead-node, restart-gap): each of two members hears its own node fail a task
// once and mails it, and the kill waits until both deliveries are recorded as delivered, so that no resend by design
// (a kill between the SMTP server's yes and that record: at least once, the same X-Steward-Delivery) is mistaken for
// what the test looks for.
import type { Simulator } from "../../../../src/sim";
import { type ClusterMember, IDS, runOn } from "../../../helpers/cluster-stewards";
import { waitFor } from "../../../helpers/wait-for";
import type { SmtpReceiver } from "../../tell/notify/receivers";

/** The mails about one run (by its X-Steward-Delivery header). */
export const mailsOfRun = (smtp: SmtpReceiver, executionId: string) =>
  smtp.mails.filter((m) => m.mail.headers.some((h) => h.key === "x-steward-delivery" && h.value.trim().startsWith(`${executionId}:`)));

/**
 * A task fails once on `a`'s node and once on `b`'s; resolves once both were mailed and `a` records both delivered, with
 * the two runs' execution ids.
 */
export async function oneMailPerNode(sim: Simulator, smtp: SmtpReceiver, a: ClusterMember & { node: string }, b: { node: string }): Promise<string[]> {
  const warm = [await runOn(sim, IDS.reload, a.node, "fail"), await runOn(sim, IDS.externalProgram, b.node, "fail")];
  await waitFor(() => warm.every((id) => mailsOfRun(smtp, id).length >= 1) || undefined, { what: "a mail for each node's first failure", timeoutMs: 20_000 });
  await waitFor(
    async () => {
      const res = await fetch(`${a.base}/v4/deliveries?status=pending,sending`);
      return ((await res.json()) as { deliveries: unknown[] }).deliveries.length === 0 || undefined;
    },
    { what: "both deliveries recorded as delivered", timeoutMs: 20_000 },
  );
  return warm;
}
