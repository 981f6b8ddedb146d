// Where a person goes once signed in: a path of this Steward only, never another site, and never a value that would
// break the answer's Location header.
import { expect, test } from "bun:test";
import { safeNext } from "../../../../../src/platform/security/sso/routes";

test("paths of this Steward are kept, with their query", () => {
  expect(safeNext("/ui/incidents?status=open")).toBe("/ui/incidents?status=open");
  expect(safeNext("/act/incident/4?a=ack&r=anna%40corp.example")).toBe("/act/incident/4?a=ack&r=anna%40corp.example");
});

test("another site, a scheme, a backslash, a line break or nothing: the dashboard", () => {
  for (const bad of [undefined, "", "//evil.example/x", "https://evil.example/", "/\\evil.example", "/ui\r\nSet-Cookie: x=1", "ui", `/${"a".repeat(2001)}`])
    expect(safeNext(bad)).toBe("/ui");
});
