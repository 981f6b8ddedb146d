// GET /openapi.json and a self-contained API reference page at /docs and /documentation (no CDN: Qlik
// servers are often offline).
import { z } from "zod";
import { VERSION } from "../../core/version";
import { buildOpenApi } from "../openapi";
import type { RegisteredRoute, Router } from "../route";

const INFO = {
  title: "Steward API",
  version: VERSION,
  description: "REST API of Steward, the Qlik Sense companion. Butler-compatible /v4 routes plus Steward's own.",
  license: { name: "MIT", identifier: "MIT" },
};

export function registerDocsRoutes(router: Router): void {
  router.route(
    {
      method: "get",
      path: "/openapi.json",
      summary: "OpenAPI 3.1 description of this API",
      tags: ["docs"],
      scope: "public",
      responses: { 200: { description: "OpenAPI document", schema: () => z.record(z.string(), z.unknown()) } },
    },
    (c) => c.json(buildOpenApi(router.routes, INFO)),
  );
  for (const path of ["/docs", "/documentation"]) {
    router.route(
      {
        method: "get",
        path,
        summary: "API reference (HTML)",
        tags: ["docs"],
        scope: "public",
        butlerFlag: path === "/documentation" ? undefined : undefined,
        responses: { 200: { description: "HTML page", contentType: "text/html" } },
      },
      (c) => c.html(renderDocs(router.routes)),
    );
  }
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function renderDocs(routes: readonly RegisteredRoute[]): string {
  const doc = buildOpenApi(routes, INFO) as { paths: Record<string, Record<string, Record<string, unknown>>> };
  const byTag = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = ((op.tags as string[] | undefined) ?? ["other"])[0]!;
      const params = (op.parameters as Array<{ name: string; in: string; required: boolean }> | undefined) ?? [];
      const body = op.requestBody
        ? `<details><summary>request body</summary><pre>${esc(JSON.stringify((op.requestBody as { content: Record<string, { schema: unknown }> }).content["application/json"]?.schema, null, 2))}</pre></details>`
        : "";
      const responses = Object.entries(op.responses as Record<string, { description: string }>)
        .map(([s, r]) => `<li><code>${s}</code> ${esc(r.description)}</li>`)
        .join("");
      const html = `<section class="op"><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3>
<p>${esc(String(op.summary ?? ""))}${op.description ? `<br><small>${esc(String(op.description))}</small>` : ""}</p>
<p class="meta">scope: <code>${esc(String(op["x-steward-scope"]))}</code>${op["x-butler-endpoint"] ? ` · Butler flag <code>${esc(String(op["x-butler-endpoint"]))}</code>` : ""}</p>
${params.length ? `<p>parameters: ${params.map((p) => `<code>${esc(p.name)}</code> (${p.in}${p.required ? ", required" : ""})`).join(", ")}</p>` : ""}${body}<ul>${responses}</ul></section>`;
      (byTag.get(tag) ?? byTag.set(tag, []).get(tag)!).push(html);
    }
  }
  const sections = [...byTag.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([tag, ops]) => `<h2 id="${esc(tag)}">${esc(tag)}</h2>${ops.join("")}`)
    .join("");
  const toc = [...byTag.keys()]
    .sort()
    .map((t) => `<a href="#${esc(t)}">${esc(t)}</a>`)
    .join(" · ");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Steward API ${esc(VERSION)}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#1d232a}h2{border-bottom:1px solid #ccd;margin-top:2em}
.op{border:1px solid #dde;border-radius:6px;padding:.4em 1em;margin:.8em 0}.m{display:inline-block;min-width:4.5em;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:2px 6px}
.get{background:#2b7bb9}.post{background:#2e8540}.put{background:#b77b00}.delete{background:#b03030}.patch{background:#6b4fa0}.meta{color:#667;font-size:12px}pre{background:#f5f6f8;padding:.6em;overflow:auto}</style></head>
<body><h1>Steward API <small>${esc(VERSION)}</small></h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Errors are JSON <code>{ error, code, details? }</code>.</p><p>${toc}</p>${sections}</body></html>`;
}
