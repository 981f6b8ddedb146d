// Unverified names (issue 86) are safe in media that escape nothing: no angle brackets, no link a client would make
// clickable, no Markdown link, no control or direction character, bounded; host names a datagram names stay as they are.
import { expect, test } from "bun:test";
import { shownHost, unverifiedText } from "../../../../src/platform/events/unverified-text";

test("mentions, tags, links, addresses and Markdown links are broken up, and the text is marked", () => {
  expect(unverifiedText("INTERNAL\\sa_x <!channel> Reset at evil.example/reset")).toBe("INTERNAL\\sa_x ‹!channel› Reset at evil[.]example/reset (unverified)");
  expect(unverifiedText("go https://evil.example/x or www.evil.example")).toBe("go hxxps[:]//evil[.]example/x or www[.]evil[.]example (unverified)");
  expect(unverifiedText("mail ceo@evil.example")).toBe("mail ceo[at]evil[.]example (unverified)");
  expect(unverifiedText("[Reset](evil)")).toBe("[Reset] (evil) (unverified)");
  expect(unverifiedText("a\u202Eb\r\nc\u0000d")).toBe("a b c d (unverified)");
  expect(unverifiedText("x".repeat(5_000)).length).toBeLessThan(220);
  expect(unverifiedText("CORP\\anna")).toBe("CORP\\anna (unverified)");
});

test("a datagram's host is kept when it is a host name, else shown unverified", () => {
  expect(shownHost("sense1.corp.example")).toBe("sense1.corp.example");
  expect(shownHost("SENSE1")).toBe("SENSE1");
  expect(shownHost("")).toBe("");
  expect(shownHost("sense1 <!here>")).toBe("sense1 ‹!here› (unverified)");
  expect(shownHost("evil.example/reset")).toBe("evil[.]example/reset (unverified)");
});
