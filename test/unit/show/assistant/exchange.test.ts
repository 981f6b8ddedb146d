// One /mcp body's messages answered by exchange(): in the body's order, each charged to the answer budget, the
// answer of a tool that acted never replaced by "send it again", and a body with a message that is none (or an
// initialize in a batch) refused before any tool runs. A real catalog with two tools that count their runs.
import { expect, test } from "bun:test";
import { z } from "zod";
import { createCatalog } from "../../../../src/show/assistant/catalog";
import { exchange } from "../../../../src/show/assistant/exchange";
import { ANSWER_BUDGET_CHARS, type AnswerBudget } from "../../../../src/show/assistant/request-bounds";

const INFO = { name: "steward", title: "Steward", version: "0.0.0-test", instructions: "test" };

function site() {
  const runs = { look: 0, act: 0 };
  const catalog = createCatalog();
  const text = (t: string) => ({ content: [{ type: "text" as const, text: t }] });
  catalog.registerTool(
    "look",
    { title: "Look", description: "reads", inputSchema: { what: z.string().max(10).default("all") }, annotations: { readOnlyHint: true } },
    (a) => (runs.look++, text(`looked at ${a.what}`)),
  );
  catalog.registerTool(
    "act",
    { title: "Act", description: "changes", inputSchema: {}, annotations: { readOnlyHint: false } },
    () => (runs.act++, text("done")),
  );
  return { catalog, runs };
}
const call = (id: number, name: string, args: object = {}) => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });

test("answers in the body's order, each with its own id; notifications get none", async () => {
  const { catalog } = site();
  const done = await exchange([call(3, "look", { what: "b" }), { jsonrpc: "2.0", method: "notifications/initialized" }, call(1, "look")], catalog, INFO, {
    spent: 0,
    cut: 0,
  });
  expect(done).toEqual({
    answers: [
      { jsonrpc: "2.0", id: 3, result: { content: [{ type: "text", text: "looked at b" }] } },
      { jsonrpc: "2.0", id: 1, result: { content: [{ type: "text", text: "looked at all" }] } },
    ],
  });
});

test("past the budget a read's answer is replaced by 'send it again'; an action's answer is sent, and the action ran once", async () => {
  const { catalog, runs } = site();
  const budget: AnswerBudget = { spent: ANSWER_BUDGET_CHARS - 20, cut: 0 };
  const done = await exchange([call(1, "look"), call(2, "act")], catalog, INFO, budget);
  if (!("answers" in done)) throw new Error("refused");
  expect(done.answers[0]).toMatchObject({ id: 1, error: { code: -32000, message: expect.stringContaining("send this call again") } });
  expect(done.answers[1]).toEqual({ jsonrpc: "2.0", id: 2, result: { content: [{ type: "text", text: "done" }] } });
  expect(runs).toEqual({ look: 1, act: 1 });
  expect(budget.cut).toBe(1);
});

test("a message that is none, or an initialize in a batch, refuses the whole body before any tool runs", async () => {
  const { catalog, runs } = site();
  const bad = await exchange([call(1, "act"), { jsonrpc: "2.0", id: 2 }], catalog, INFO, { spent: 0, cut: 0 });
  expect(bad).toEqual({
    refused: {
      jsonrpc: "2.0",
      id: null,
      error: {
        code: -32600,
        message:
          "Invalid Request: a message is a request (method and id), a notification (method) or a response (id and result or error) (message 2 of the batch)",
      },
    },
  });
  const init = { jsonrpc: "2.0", id: 9, method: "initialize", params: { protocolVersion: "2025-06-18" } };
  expect(await exchange([init, call(1, "act")], catalog, INFO, { spent: 0, cut: 0 })).toMatchObject({ refused: { error: { code: -32600 } } });
  expect(runs).toEqual({ look: 0, act: 0 });
});

test("a tool that throws answers as the tool's error; a handler's failure elsewhere is the request's JSON-RPC error", async () => {
  const catalog = createCatalog();
  catalog.registerTool("boom", { title: "Boom", description: "throws", inputSchema: {}, annotations: { readOnlyHint: true } }, () => {
    throw new Error("the store is gone");
  });
  const done = await exchange([call(1, "boom"), { jsonrpc: "2.0", id: 2, method: "resources/read", params: { uri: 42 } }], catalog, INFO, { spent: 0, cut: 0 });
  expect(done).toMatchObject({
    answers: [
      { id: 1, result: { isError: true, content: [{ text: "boom failed: the store is gone" }] } },
      { id: 2, error: { code: -32602, message: "Invalid params: uri is a non-empty string" } },
    ],
  });
});

test("initialize is answered with the negotiated revision", async () => {
  const { catalog } = site();
  const done = await exchange({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2024-11-05" } }, catalog, INFO, { spent: 0, cut: 0 });
  expect(done).toMatchObject({ answers: [{ id: 1, result: { protocolVersion: "2024-11-05", serverInfo: { name: "steward" } } }] });
});
