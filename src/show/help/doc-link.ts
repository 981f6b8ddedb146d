// How a message names a help page: the path Steward serves it at, with the source file for those who read the
// repository or the release's docs folder ("/help/watchdog (docs/watchdog.md)").
export function docLink(page: string, anchor?: string): string {
  return `/help/${page}${anchor ? `#${anchor}` : ""} (docs/${page}.md${anchor ? `#${anchor}` : ""})`;
}
