// Who gets the mail: static addresses (optionally gated by a task custom property), addresses from a task
// custom property, the app owner with include/exclude lists; de-duplicated, invalid ones reported.
import { describe, expect, test } from "bun:test";
import { RouteSchema } from "../../../../src/tell/notify/config";
import { resolveRecipients } from "../../../../src/tell/notify/recipients";
import { syntheticServiceEvent, syntheticTaskEvent } from "../../../../src/tell/notify/samples";

const route = (recipients: unknown) => RouteSchema.parse({ on: ["task.failed"], to: ["mail"], recipients });
const event = (cps: Array<[string, string]> = []) => {
  const e = syntheticTaskEvent({ outcome: "failed" });
  e.task.customProperties = cps.map(([name, value]) => ({ name, value }));
  return e;
};
const addresses = (r: ReturnType<typeof resolveRecipients>) => r.recipients.map((x) => `${x.via}:${x.address}`);

describe("recipients", () => {
  test("static addresses from the channel and the route, de-duplicated case-insensitively", () => {
    const r = resolveRecipients(["ops@corp.example", "OPS@corp.example"], route({ addresses: ["dba@corp.example", "ops@CORP.example"] }), event());
    expect(addresses(r)).toEqual(["static:ops@corp.example", "static:dba@corp.example"]);
  });

  test("addresses from a task custom property, several per value and several values", () => {
    const r = resolveRecipients(
      [],
      route({ fromCustomProperty: "Alert_To" }),
      event([
        ["alert_to", "a@corp.example; b@corp.example, c@corp.example"],
        ["Alert_To", "d@corp.example"],
        ["Other", "x@corp.example"],
      ]),
    );
    expect(addresses(r)).toEqual([
      "customProperty:a@corp.example",
      "customProperty:b@corp.example",
      "customProperty:c@corp.example",
      "customProperty:d@corp.example",
    ]);
  });

  test("enableByCustomProperty gates only the static addresses (Butler's semantics)", () => {
    const cfg = route({ enableByCustomProperty: { name: "Alert_Enable", value: "Yes" }, fromCustomProperty: "Alert_To", appOwner: { enabled: true } });
    const off = resolveRecipients(["ops@corp.example"], cfg, event([["Alert_To", "dev@corp.example"]]));
    expect(addresses(off)).toEqual(["customProperty:dev@corp.example", "appOwner:anna@corp.example"]);
    expect(off.staticGated).toBe("the task does not have custom property Alert_Enable=Yes");
    const on = resolveRecipients(["ops@corp.example"], cfg, event([["Alert_Enable", "yes"]]));
    expect(addresses(on)).toEqual(["static:ops@corp.example", "appOwner:anna@corp.example"]);
  });

  test("app owner: include all, include list, exclude list, owner without e-mail", () => {
    expect(addresses(resolveRecipients([], route({ appOwner: {} }), event()))).toEqual(["appOwner:anna@corp.example"]);
    expect(addresses(resolveRecipients([], route({ appOwner: { include: ["CORP\\anna"] } }), event()))).toEqual(["appOwner:anna@corp.example"]);
    const notIncluded = resolveRecipients([], route({ appOwner: { include: ["CORP\\bob"] } }), event());
    expect(notIncluded.recipients).toEqual([]);
    expect(notIncluded.skipped).toEqual([{ address: "anna@corp.example", reason: "app owner not in appOwner.include" }]);
    const excluded = resolveRecipients([], route({ appOwner: { exclude: ["corp/ANNA"] } }), event());
    expect(excluded.recipients).toEqual([]);
    expect(excluded.skipped[0]!.reason).toBe("app owner in appOwner.exclude");
    const e = event();
    e.app!.owner!.emails = [];
    expect(resolveRecipients([], route({ appOwner: {} }), e).skipped).toEqual([{ address: "corp\\anna", reason: "app owner has no e-mail address in QRS" }]);
    expect(resolveRecipients([], route({ appOwner: { enabled: false } }), event()).recipients).toEqual([]);
  });

  test("invalid addresses from a custom property are skipped with a reason", () => {
    const r = resolveRecipients([], route({ fromCustomProperty: "Alert_To" }), event([["Alert_To", "good@corp.example not-an-address"]]));
    expect(addresses(r)).toEqual(["customProperty:good@corp.example"]);
    expect(r.skipped).toEqual([{ address: "not-an-address", reason: "not an e-mail address (from customProperty)" }]);
  });

  test("service events get the static addresses only", () => {
    const r = resolveRecipients(["ops@corp.example"], route({ fromCustomProperty: "X", appOwner: {} }), syntheticServiceEvent());
    expect(addresses(r)).toEqual(["static:ops@corp.example"]);
  });
});
