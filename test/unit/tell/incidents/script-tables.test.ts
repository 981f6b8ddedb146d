// Rows per table read from script logs: the engine's file log (label echo, FROM, "N Lines fetched"), the progress
// form "Name << source N Lines fetched", thousands separators of any locale, loads skipped by ErrorMode 0.
import { describe, expect, test } from "bun:test";
import { tableRows, MAX_TABLES } from "../../../../src/tell/incidents/script-tables";

const log = (lines: string[]) => lines.map((l) => `20261120T010000.000+0100 ${l}`);

describe("tableRows", () => {
  test("labels, sources and unlabelled loads", () => {
    expect(
      tableRows(
        log([
          "0002  SET ThousandSep=',';",
          "0009  [Orders]:",
          "0010  LOAD * FROM [lib://Data/orders.qvd] (qvd);",
          "      3 fields found: OrderID, Amount, Date,",
          "12,345 Lines fetched",
          "0012  Customers: LOAD * FROM [lib://Data/customers.qvd] (qvd);",
          "0 Lines fetched",
          "0014  LOAD * FROM [lib://Data/regions.csv] (txt);",
          "1 204 331 Lines fetched",
          "0016  TRACE Note: done;",
          "0017  LOAD RecNo() AS n AUTOGENERATE 10;",
          "10 Lines fetched",
        ]),
      ),
    ).toEqual({ Orders: 12345, Customers: 0, "lib://Data/regions.csv": 1204331, "line 17": 10 });
  });

  test("progress lines name the table; a table loaded twice sums its rows", () => {
    expect(tableRows(["Orders << orders.qvd 1,000 Lines fetched", "Orders << orders_2.qvd 500 Lines fetched", "Fact_Returns 6,214 Lines fetched"])).toEqual({
      Orders: 1500,
      Fact_Returns: 6214,
    });
  });

  test("a load skipped under ErrorMode 0 does not lend its label to the next load", () => {
    expect(
      tableRows(
        log([
          "0009  [Orders]:",
          "0010  LOAD * FROM [lib://Data/missing.qvd] (qvd);",
          "      Error: Cannot open file 'lib://Data/missing.qvd'",
          "0012  LOAD * FROM x.csv;",
          "5 Lines fetched",
        ]),
      ),
    ).toEqual({ "x.csv": 5 });
  });

  test("at most MAX_TABLES tables; a lib:// path is never a label", () => {
    const lines = Array.from({ length: MAX_TABLES + 50 }, (_, i) => [`${String(i + 1).padStart(4, "0")}  [T${i}]:`, "1 Lines fetched"]).flat();
    expect(Object.keys(tableRows(log(lines))).length).toBe(MAX_TABLES);
    expect(tableRows(log(["0001  FROM [lib://Data/a.qvd] (qvd);", "2 Lines fetched"]))).toEqual({ "lib://Data/a.qvd": 2 });
  });

  test("a long log with loads in a loop: one key per label, rows summed", () => {
    const lines = log(Array.from({ length: 100_000 }, (_, i) => (i % 2 ? "2 Lines fetched" : `${String(i).padStart(4, "0")}  [T${(i / 2) % 50}]:`)));
    const rows = tableRows(lines);
    expect(Object.keys(rows).length).toBe(50);
    expect(rows.T0).toBe(2 * 1000);
  });
});
