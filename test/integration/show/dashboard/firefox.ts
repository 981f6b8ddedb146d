// Debian's Firefox ESR driven over WebDriver BiDi (its own remote protocol, no driver program): playwright-core's
// Firefox speaks commands this ESR does not know (emulation.setMediaFeaturesOverride), so the tests use the few BiDi
// commands they need directly. A fresh profile whose prefs send every connection that is not to loopback to a closed
// loopback port, so the browser reaches nothing but the servers the test started.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireTool } from "../../../helpers/executables";
import { freeTcpPorts } from "../../../helpers/free-port";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";

/** user.js: no update, telemetry, remote settings or captive-portal look-ups; everything else through a dead proxy. */
function profilePrefs(deadPort: number): string {
  const prefs: Record<string, string | number | boolean> = {
    "network.proxy.type": 1,
    "network.proxy.http": "127.0.0.1",
    "network.proxy.http_port": deadPort,
    "network.proxy.ssl": "127.0.0.1",
    "network.proxy.ssl_port": deadPort,
    "network.proxy.socks_remote_dns": true,
    "network.proxy.no_proxies_on": "127.0.0.1,localhost",
    "network.proxy.allow_hijacking_localhost": false,
    "network.dns.disablePrefetch": true,
    "network.prefetch-next": false,
    "network.captive-portal-service.enabled": false,
    "network.connectivity-service.enabled": false,
    "services.settings.server": `http://127.0.0.1:${deadPort}/`,
    "app.update.enabled": false,
    "app.update.auto": false,
    "extensions.update.enabled": false,
    "extensions.getAddons.cache.enabled": false,
    "browser.safebrowsing.malware.enabled": false,
    "browser.safebrowsing.phishing.enabled": false,
    "browser.safebrowsing.downloads.enabled": false,
    "browser.shell.checkDefaultBrowser": false,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.newtabpage.enabled": false,
    "browser.startup.page": 0,
    "datareporting.policy.dataSubmissionEnabled": false,
    "datareporting.healthreport.uploadEnabled": false,
    "toolkit.telemetry.enabled": false,
    "toolkit.telemetry.server": `http://127.0.0.1:${deadPort}/`,
    "media.gmp-manager.url": `http://127.0.0.1:${deadPort}/`,
    "messaging-system.rsexperimentloader.enabled": false,
    // An API answer (JSON) shown as the text it is, not in the JSON viewer.
    "devtools.jsonview.enabled": false,
  };
  return Object.entries(prefs)
    .map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`)
    .join("\n");
}

export interface FirefoxPage {
  goto(url: string): Promise<void>;
  /** Runs an expression in the page and returns its JSON-able value. */
  evaluate<T>(expression: string): Promise<T>;
  /** The page's visible text. */
  text(): Promise<string>;
  /** Clicks the element as a person would (scrolled into view, pointer actions at its centre), which may submit a form. */
  click(selector: string): Promise<void>;
  /**
   * Waits for the next confirm() or prompt() the page opens (a click that opens one may not finish before it is
   * answered: start the click, then await this), and answers it: accepted, with `text` typed into a prompt.
   */
  answerPrompt(answer: { accept: boolean; text?: string }): Promise<{ type: string; message: string }>;
  /**
   * Clicks, as a person would, the element `selector` of the document in the frame `frameSelector` (found through
   * BiDi in the frame's own browsing context, so it works in a sandboxed frame the page's scripts cannot read).
   */
  clickInFrame(frameSelector: string, selector: string): Promise<void>;
  /** The next top-level tab the browser opens (a link with `target="_blank"`), once it has loaded a page. */
  nextTab(): Promise<FirefoxPage>;
  close(): Promise<void>;
}

interface BidiReply {
  id?: number;
  type?: string;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: string;
  message?: string;
}

export async function launchFirefox(): Promise<FirefoxPage> {
  const executable = requireTool("firefox");
  const profile = createTempDir("steward-firefox-");
  const [port, deadPort] = await freeTcpPorts(2);
  writeFileSync(join(profile.path, "user.js"), profilePrefs(deadPort!));
  const child: ChildProcess = spawn(
    executable,
    ["--headless", "--no-remote", "--profile", profile.path, "--remote-debugging-port", String(port), "about:blank"],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, HOME: profile.path, MOZ_CRASHREPORTER_DISABLE: "1" },
    },
  );
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const stop = () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    profile.remove();
  };
  try {
    await waitFor(
      () => output.includes("WebDriver BiDi listening") || (child.exitCode !== null ? Promise.reject(new Error(`firefox exited: ${output}`)) : undefined),
      {
        what: "Firefox's WebDriver BiDi endpoint",
        timeoutMs: 60_000,
      },
    );
    const ws = new WebSocket(`ws://127.0.0.1:${port}/session`);
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`cannot connect to Firefox's BiDi endpoint: ${output}`));
    });
    let next = 1;
    const pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
    const prompts: Array<{ type: string; message: string }> = [];
    // Top-level tabs opened after the first one (a link's target="_blank"), oldest first.
    const tabs: string[] = [];
    ws.onmessage = (m) => {
      const reply = JSON.parse(String(m.data)) as BidiReply;
      if (reply.method === "browsingContext.userPromptOpened") prompts.push(reply.params as { type: string; message: string });
      if (reply.method === "browsingContext.contextCreated" && !reply.params?.parent) tabs.push(String(reply.params?.context));
      if (reply.id === undefined) return;
      const p = pending.get(reply.id);
      pending.delete(reply.id);
      if (reply.type === "error") p?.reject(new Error(`${reply.error}: ${reply.message}`));
      else p?.resolve(reply.result ?? {});
    };
    const send = (method: string, params: Record<string, unknown>) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, method, params }));
      });
    // Prompts stay open until the test answers them (answerPrompt), as a person would.
    await send("session.new", { capabilities: { alwaysMatch: { unhandledPromptBehavior: { default: "ignore" } } } });
    await send("session.subscribe", { events: ["browsingContext.userPromptOpened", "browsingContext.contextCreated"] });
    const tree = (await send("browsingContext.getTree", {})) as { contexts: Array<{ context: string }> };
    // Subscribing reports the tabs that already exist as created: only later ones are new.
    const existing = new Set(tree.contexts.map((c) => c.context));
    const close = async () => {
      try {
        await Promise.race([send("browser.close", {}), new Promise((r) => setTimeout(r, 3_000))]);
      } catch {
        // The browser may close the socket before it answers.
      }
      ws.close();
      stop();
    };
    const pageFor = (context: string): FirefoxPage => {
      // BiDi answers with typed remote values: the page hands back a JSON string instead, read here.
      const evaluate = async <T>(expression: string): Promise<T> => {
        const r = (await send("script.evaluate", { expression: `JSON.stringify(${expression}) ?? "null"`, target: { context }, awaitPromise: true })) as {
          type: string;
          result?: { value?: unknown };
          exceptionDetails?: { text?: string };
        };
        if (r.type === "exception") throw new Error(`in the page: ${r.exceptionDetails?.text ?? "an exception"}`);
        return JSON.parse(String(r.result?.value ?? "null")) as T;
      };
      const text = () => evaluate<string>("document.body ? document.body.innerText : ''");
      /** Pointer down and up at (x, y) of `target`'s viewport, or at the centre of `origin`'s element. */
      const press = (target: string, origin: unknown, x: number, y: number) =>
        send("input.performActions", {
          context: target,
          actions: [
            {
              type: "pointer",
              id: "mouse",
              parameters: { pointerType: "mouse" },
              actions: [
                { type: "pointerMove", x, y, ...(origin ? { origin } : {}) },
                { type: "pointerDown", button: 0 },
                { type: "pointerUp", button: 0 },
              ],
            },
          ],
        });
      return {
        async goto(url) {
          await send("browsingContext.navigate", { context, url, wait: "complete" });
        },
        evaluate,
        text,
        async click(selector) {
          const box = await evaluate<{ x: number; y: number } | null>(
            `(() => { const e = document.querySelector(${JSON.stringify(selector)}); if (!e) return null; e.scrollIntoView({ block: "center" }); const r = e.getBoundingClientRect(); return { x: Math.round(r.x + r.width / 2), y: Math.round(r.y + r.height / 2) }; })()`,
          );
          if (!box) throw new Error(`no element ${selector} on the page: ${await text()}`);
          await press(context, undefined, box.x, box.y);
        },
        async clickInFrame(frameSelector, selector) {
          await evaluate(`document.querySelector(${JSON.stringify(frameSelector)})?.scrollIntoView({ block: "start" }) ?? null`);
          const frame = (await send("browsingContext.locateNodes", { context, locator: { type: "css", value: frameSelector } })) as {
            nodes: Array<{ sharedId: string }>;
          };
          const owner = frame.nodes[0];
          if (!owner) throw new Error(`no frame ${frameSelector} on the page: ${await text()}`);
          const children = (
            (await send("browsingContext.getTree", { root: context, maxDepth: 1 })) as { contexts: Array<{ children?: Array<{ context: string }> }> }
          ).contexts[0]?.children;
          // The frame's browsing context: the child of the page where `selector` is found.
          for (const child of children ?? []) {
            const found = (await send("browsingContext.locateNodes", { context: child.context, locator: { type: "css", value: selector } }).catch(() => ({
              nodes: [],
            }))) as {
              nodes: Array<{ sharedId: string }>;
            };
            const element = found.nodes[0];
            if (!element) continue;
            // Scrolled into view (the frame's page and the page around it), then an element origin in the frame's
            // context: the browser puts the pointer at the element's centre.
            await send("script.callFunction", {
              functionDeclaration: "(e) => e.scrollIntoView({ block: 'center' })",
              arguments: [{ sharedId: element.sharedId }],
              target: { context: child.context },
              awaitPromise: false,
            });
            return void (await press(child.context, { type: "element", element: { sharedId: element.sharedId } }, 0, 0));
          }
          throw new Error(`no element ${selector} in the frame ${frameSelector}`);
        },
        async nextTab() {
          const opened = await waitFor(
            () => {
              while (tabs.length > 0 && existing.has(tabs[0]!)) tabs.shift();
              const id = tabs.shift();
              if (id) existing.add(id);
              return id;
            },
            { what: "a new tab in Firefox", intervalMs: 50 },
          );
          const tab = pageFor(opened);
          await waitFor(
            async () => {
              const state = await tab.evaluate<{ url: string; ready: string }>("({ url: location.href, ready: document.readyState })").catch(() => undefined);
              return state && state.url !== "about:blank" && state.ready === "complete" ? true : undefined;
            },
            { what: "the new tab's page loaded in Firefox", intervalMs: 50 },
          );
          return tab;
        },
        async answerPrompt(answer) {
          const opened = await waitFor(() => prompts.shift(), { what: "a confirm or prompt dialog in Firefox", intervalMs: 50 });
          await send("browsingContext.handleUserPrompt", { context, accept: answer.accept, ...(answer.text !== undefined ? { userText: answer.text } : {}) });
          return opened;
        },
        close,
      };
    };
    return pageFor(tree.contexts[0]!.context);
  } catch (err) {
    stop();
    throw err;
  }
}
