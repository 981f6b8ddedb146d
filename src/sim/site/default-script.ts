// A plausible load script for fixture apps that do not bring their own.

/** Folder-safe short name of an app, used for connection and QVD names. */
function slug(name: string): string {
  const s = name
    .normalize("NFKD")
    .replace(/[^\w\s-]/g, "")
    .trim()
    .replace(/\s+/g, "_")
    .toLowerCase();
  return s === "" ? "data" : s;
}

export function defaultScript(appName: string): string {
  const s = slug(appName);
  return [
    "///$tab Main",
    "SET ThousandSep=' ';",
    "SET DecimalSep=',';",
    "SET DateFormat='YYYY-MM-DD';",
    "",
    "///$tab Load",
    "LIB CONNECT TO 'DWH';",
    "",
    `[${s}_facts]:`,
    "LOAD OrderID, CustomerID, OrderDate, Region, Sales, Quantity",
    `FROM [lib://Data/${s}/facts.qvd] (qvd);`,
    "",
    "[customers]:",
    "LOAD CustomerID, CustomerName, Country",
    "FROM [lib://Data/shared/customers.qvd] (qvd);",
    "",
    `STORE [${s}_facts] INTO [lib://Data/${s}/facts_out.qvd] (qvd);`,
  ].join("\n");
}
