// How the one-night tests read what Steward tells of the night: the dashboard's Incidents page parsed into its
// groups, an MCP tool's answer (site data unmarked), and `steward …` run as a child against the Steward under test.
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import type { TestApp } from "../../../helpers/app";
import { unmarkSiteData } from "../../../helpers/site-data";

const MAIN = join(import.meta.dir, "../../../../src/main.ts");

/** The dashboard's Incidents page: one tbody per cause, its heading's and each incident row's acknowledgement. */
export async function dashboardGroups(t: TestApp, key: string) {
  const html = await (await t.request("/ui/incidents", { headers: { "x-api-key": key, accept: "text/html" } })).text();
  const ackOf = (row: string) => /data-role="ack"[^>]*><b>([^<]*)<\/b>/.exec(row)?.[1] ?? null;
  return [...html.matchAll(/<tbody data-group="(cause|own)-(\d+)">([\s\S]*?)<\/tbody>/g)].map((m) => {
    const heading = /<tr class="cause-heading" data-cause="\d+">([\s\S]*?)<\/tr>/.exec(m[3]!)?.[1];
    const rows = [...m[3]!.matchAll(/<tr data-incident="(\d+)">([\s\S]*?)<\/tr>/g)].map((r) => ({ id: Number(r[1]), ackBy: ackOf(r[2]!) }));
    return { causeId: m[1] === "cause" ? Number(m[2]) : null, causeAckBy: heading ? ackOf(heading) : null, rows };
  });
}

/** An MCP tool's structured answer, asked over Streamable HTTP with `key`. */
export async function mcpTool<T>(base: string, key: string, tool: string, args: Record<string, unknown>): Promise<T> {
  const client = new Client({ name: "steward-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { "x-api-key": key } } }));
  try {
    const answer = (await client.callTool({ name: tool, arguments: args })) as { structuredContent: unknown };
    // Names and titles are marked as the site's (issue 75, M1): the same text inside the marks.
    return unmarkSiteData(answer.structuredContent) as T;
  } finally {
    await client.close();
  }
}

/** `steward …` as a child (asynchronously: the Steward it asks runs in this process). */
export async function stewardCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const p = Bun.spawn([process.execPath, MAIN, ...args], { stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, out, err };
}
