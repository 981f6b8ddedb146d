// New Relic channel: each task or service event goes to the Event API and/or the Log API of every
// destination account. An account that accepted is remembered in the channel's state for this delivery, so
// the outbox's retry after a partial failure sends only to the accounts that have not accepted yet.
import { createNewRelicClient, type NewRelicClient } from "../../../newrelic/client";
import { AppError } from "../../../../platform/core/errors";
import type { ChannelDefinition, Notification } from "../../types";
import { deliveryError, isPermanent } from "../../../../platform/http/delivery-error";
import { expectOk } from "../../../../platform/http/http-client";
import { NewRelicChannelSchema } from "./schema";
import { destinationAccounts, newRelicEvent, newRelicLog } from "./payloads";

export const newRelicChannel: ChannelDefinition<"newrelic"> = {
  type: "newrelic",
  schema: NewRelicChannelSchema,
  addressable: false,
  supportsDigest: false,
  dataSink: true,
  templateParts: [],
  preview(cfg, n, deps) {
    const now = deps.clock.now();
    const accounts = n.test?.target ? [n.test.target] : destinationAccounts(cfg, n.event);
    return { accounts, event: cfg.event ? newRelicEvent(cfg, n.event, now) : undefined, log: cfg.log ? newRelicLog(cfg, n.event, now) : undefined };
  },
  create(cfg, deps) {
    const nr = deps.newRelic;
    if (!nr) throw new AppError("CONFIG_INVALID", `channel ${deps.name}: a newrelic channel needs the newRelic: section with its accounts`);
    const client: NewRelicClient = createNewRelicClient(nr);
    return {
      async send(n: Notification, signal: AbortSignal) {
        const names = n.test?.target ? [n.test.target] : destinationAccounts(cfg, n.event);
        const unknown = names.filter((name) => !client.account(name));
        if (unknown.length > 0)
          deps.log.warn({ accounts: unknown, task: n.vars.taskName }, "New Relic account named by the task is not in newRelic.accounts; skipped");
        const now = deps.clock.now();
        const bodies = [
          ...(cfg.event ? [["event", newRelicEvent(cfg, n.event, now)] as const] : []),
          ...(cfg.log ? [["log", newRelicLog(cfg, n.event, now)] as const] : []),
        ];
        const errors: string[] = [];
        let permanent = true;
        const marks: string[] = [];
        for (const name of names) {
          const account = client.account(name);
          if (!account) continue;
          for (const [api, body] of bodies) {
            const mark = `${n.key}|${name}|${api}`;
            marks.push(mark);
            if ((await deps.state.get(mark)) !== undefined) continue;
            try {
              const res = await client.post(api, account, body, { headers: cfg.headers, signal });
              expectOk(res, `New Relic ${api} API (account ${name})`);
              await deps.state.set(mark, "accepted");
            } catch (err) {
              if (!isPermanent(err)) permanent = false;
              errors.push((err as Error).message);
            }
          }
        }
        if (errors.length > 0) throw deliveryError(errors.join("; "), { permanent });
        for (const mark of marks) await deps.state.take(mark);
      },
      async close() {
        client.close();
      },
    };
  },
};
