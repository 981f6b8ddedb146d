// reports.noise in the config file: its defaults, and an error that names the key and its line.
import { expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import { DEFAULT_NOISE } from "../../../../src/show/noise/config";

test("an empty reports section gives the noise defaults: weekly on, 8 pages per person, one person, 30 % acted on", () => {
  expect(parseConfigText("reports: {}\n", "steward.yaml", "/tmp").config.reports?.noise).toEqual(DEFAULT_NOISE);
});

test("a budget of 0 pages is refused, naming reports.noise.pagesPerPerson and its line", () => {
  expect(() => parseConfigText("reports:\n  noise:\n    pagesPerPerson: 0\n", "steward.yaml", "/tmp")).toThrow(
    /steward\.yaml:3:\d+ reports\.noise\.pagesPerPerson/,
  );
});
