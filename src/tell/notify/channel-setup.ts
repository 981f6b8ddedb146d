// Per-channel setup shared by the running pipeline, previews and `config check`: the template renderer of a
// channel (its own override folder, then notify.templatesDir, then the built-in set) and its variable options.
import { resolve } from "node:path";
import type { ChannelConfig, NotifierConfig } from "./config";
import { CHANNELS } from "./channels/registry";
import type { TemplateVarsOptions } from "./template-vars";
import { createTemplateRenderer, type TemplateRenderer } from "./templates/renderer";

export function templateDirsFor(config: Pick<NotifierConfig, "notify" | "qlik">, ch: ChannelConfig | undefined, baseDir: string): string[] {
  const dirs: string[] = [];
  if (ch?.templates) dirs.push(resolve(baseDir, ch.templates));
  if (config.notify.templatesDir) dirs.push(resolve(baseDir, config.notify.templatesDir));
  return dirs;
}

/** Renderers are compiled once per distinct folder list and shared between channels. */
export function createRendererCache(): (dirs: string[]) => TemplateRenderer {
  const cache = new Map<string, TemplateRenderer>();
  return (dirs) => {
    const key = JSON.stringify(dirs);
    let r = cache.get(key);
    if (!r) cache.set(key, (r = createTemplateRenderer(dirs)));
    return r;
  };
}

export function varsOptionsFor(config: Pick<NotifierConfig, "notify" | "qlik">, ch: ChannelConfig | undefined): TemplateVarsOptions {
  return {
    headLines: ch?.scriptLogLines.head ?? 15,
    tailLines: ch?.scriptLogLines.tail ?? 25,
    scriptLogFit: ch ? CHANNELS[ch.type].scriptLogFit : undefined,
    timeZone: config.notify.timeZone,
    qmcUrl: config.qlik?.qmcUrl,
    hubUrl: config.qlik?.hubUrl,
    appBaseUrl: config.qlik?.appBaseUrl,
    links: config.notify.links,
    subjectPrefix: config.notify.subjectPrefix,
  };
}
