// Who the rota names, and the address of a person signed in with single sign-on, as the feed routes read them
// (issue 106): a feed is made for a person of the rota, by an admin or by that person signed in.
import { expect, test } from "bun:test";
import { ssoActorName } from "../../../../src/platform/security/sso/identity";
import { OnCallSchema } from "../../../../src/tell/oncall/config";
import { rotaPeople, signedInAddress } from "../../../../src/tell/oncall/rota-people";

test("the rota names the rotations' people, overrides, outsideHours and the people block, in lower case", () => {
  const oncall = OnCallSchema.parse({
    people: { "Dan@corp.example": { slack: "U024BE7LH" } },
    primary: {
      people: ["Anna@corp.example", "bo@corp.example"],
      firstWeek: "2026-11-02",
      outsideHours: "desk@corp.example",
      hours: { timeZone: "UTC", intervals: [{ weekdays: ["mon-fri"], times: [{ from: "08:00", to: "17:00" }] }] },
      overrides: [{ person: "carl@corp.example", from: "2026-12-01T00:00:00Z", until: "2026-12-02T00:00:00Z" }],
    },
  });
  expect([...rotaPeople(oncall)].sort()).toEqual(["anna@corp.example", "bo@corp.example", "carl@corp.example", "dan@corp.example", "desk@corp.example"]);
  expect(rotaPeople(undefined).size).toBe(0);
});

test("a signed-in person's address comes from their actor name; keys and certificates have none", () => {
  expect(signedInAddress({ kind: "sso", name: ssoActorName({ subject: "8f3c", name: "Anna Berg", email: "Anna@corp.example" }) })).toBe("anna@corp.example");
  expect(signedInAddress({ kind: "sso", name: ssoActorName({ subject: "8f3c", name: "", email: "bo@corp.example" }) })).toBe("bo@corp.example");
  expect(signedInAddress({ kind: "sso", name: ssoActorName({ subject: "8f3c", name: "Carl", email: "" }) })).toBeUndefined();
  expect(signedInAddress({ kind: "apiKey", name: "anna@corp.example" })).toBeUndefined();
});
