// The demo inbox's frame: `<base target="_blank">` lands where the HTML parser still reads it as part of the head,
// whatever the mail starts with, so every link without a target of its own opens a new top-level tab.
import { expect, test } from "bun:test";
import { mailHtmlForFrame } from "../../../../src/show/dashboard/pages/mail-frame";

const BASE = '<base target="_blank">';

test("after <head>, after <html> when there is no head, after the doctype when there is neither, else first", () => {
  expect(mailHtmlForFrame('<!DOCTYPE html><html lang="en"><head><title>x</title></head><body><a href="h">a</a></body></html>')).toBe(
    `<!DOCTYPE html><html lang="en"><head>${BASE}<title>x</title></head><body><a href="h">a</a></body></html>`,
  );
  expect(mailHtmlForFrame("<!DOCTYPE html><html><body><p>x</p></body></html>")).toBe(`<!DOCTYPE html><html>${BASE}<body><p>x</p></body></html>`);
  expect(mailHtmlForFrame("<!doctype html><p>x</p>")).toBe(`<!doctype html>${BASE}<p>x</p>`);
  expect(mailHtmlForFrame("<p>x</p>")).toBe(`${BASE}<p>x</p>`);
  // <header> is not <head>.
  expect(mailHtmlForFrame("<header>x</header>")).toBe(`${BASE}<header>x</header>`);
});
