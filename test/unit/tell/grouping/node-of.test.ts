// The node a host names, as the node-down rule keys its cause: a host name's first label, an IP address whole.
import { expect, test } from "bun:test";
import { nodeOf } from "../../../../src/tell/grouping/node-down";

test("a host name gives its first label, in lower case", () => {
  expect(nodeOf("Qlik2.Corp.Example")).toBe("qlik2");
  expect(nodeOf(" qlik2 ")).toBe("qlik2");
});

test("an IP address is the node's whole name, not its first number", () => {
  expect(nodeOf("127.0.0.1")).toBe("127.0.0.1");
  expect(nodeOf("10.20.30.40")).toBe("10.20.30.40");
  expect(nodeOf("::1")).toBe("::1");
  expect(nodeOf("[fe80::1]")).toBe("fe80::1");
});
