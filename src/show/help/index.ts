// Steward's documentation inside the binary: /help routes, the Markdown renderer and the static site of a release.
export { createDocsLibrary, type DocsLibrary, embeddedDocSources, servedHref } from "./docs-library";
export { docLink } from "./doc-link";
export { renderMarkdown } from "./markdown";
export { registerHelpRoutes } from "./routes";
