// How previews show a webhook's address: the path tells two webhooks on one host apart; tokens stay hidden.
import { expect, test } from "bun:test";
import { previewUrl } from "../../../../src/platform/http/http-client";

test("path kept, query and key-like path segments hidden", () => {
  expect(previewUrl("https://hooks.corp.example/qlik/failed")).toBe("https://hooks.corp.example/qlik/failed");
  expect(previewUrl("https://hooks.corp.example/qlik/success?token=abc")).toBe("https://hooks.corp.example/qlik/success?…");
  expect(previewUrl("https://flow.example/workflows/4f9c2a7be81d4c0f9a3e5b6d7c8e9f01/triggers")).toBe("https://flow.example/workflows/4f9c…/triggers");
  expect(previewUrl("http://127.0.0.1:9000")).toBe("http://127.0.0.1:9000");
  expect(previewUrl("not a url")).toBe("(invalid URL)");
});
