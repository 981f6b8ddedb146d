// Text put into the links' HTML pages: every character that could open markup or end an attribute, as an entity.
export const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
