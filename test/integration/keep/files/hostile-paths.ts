// A corpus of hostile request paths for the file routes. Each entry builds a path from the allowed folder
// it attacks (`root`, absolute) and the outside folder with the sentinel files (`outside`). `literal`
// entries only look hostile: they name odd but real entries inside the folder, so an operation may succeed.
export interface HostilePath {
  name: string;
  path: (root: string, outside: string) => string;
  literal?: boolean;
}

export const HOSTILE_PATHS: HostilePath[] = [
  // Traversal
  { name: "dot-dot to outside", path: (r) => `${r}/../../outside/secret.txt` },
  { name: "dot-dot back and forth", path: (r) => `${r}/../${r.split("/").pop()}/../../outside/secret.txt` },
  { name: "dot then dot-dot", path: (r) => `${r}/./../../outside/secret.txt` },
  { name: "through a missing subfolder", path: (r) => `${r}/sub/../../../outside/secret.txt` },
  { name: "many dot-dots to /etc/passwd", path: (r) => `${r}/../../../../../../../../etc/passwd` },
  { name: "outside absolute", path: (_r, o) => `${o}/secret.txt` },
  { name: "/etc/passwd", path: () => "/etc/passwd" },
  { name: "filesystem root", path: () => "/" },
  { name: "sibling with the root as name prefix", path: (r) => `${r}-evil/x.txt` },
  { name: "parent of the root", path: (r) => `${r}/..` },
  { name: "dot-dot after a file name", path: (r) => `${r}/real.txt/../../../outside/secret.txt` },
  { name: "doubled slashes and dot-dots", path: (r) => `/${r}//..//..//outside/secret.txt` },
  // Relative forms
  { name: "relative", path: () => "real.txt" },
  { name: "relative dot-dot", path: () => "../outside/secret.txt" },
  { name: "dot relative", path: () => "./secret.txt" },
  { name: "tilde", path: () => "~/secret.txt" },
  { name: "file URL", path: () => "file:///etc/passwd" },
  { name: "encoded relative", path: () => "%2e%2e%2f%2e%2e%2fetc%2fpasswd" },
  // Percent-encoded and Unicode look-alikes: literal names, never decoded
  { name: "percent-encoded dots", path: (r) => `${r}/%2e%2e/%2e%2e/outside/secret.txt`, literal: true },
  { name: "percent-encoded slashes", path: (r) => `${r}/..%2f..%2foutside%2fsecret.txt`, literal: true },
  { name: "double percent-encoding", path: (r) => `${r}/%252e%252e/%252e%252e/outside/secret.txt`, literal: true },
  { name: "overlong UTF-8 dots", path: (r) => `${r}/%c0%ae%c0%ae/%c0%ae%c0%ae/outside/secret.txt`, literal: true },
  { name: "two-dot leader", path: (r) => `${r}/\u2025/\u2025/outside/secret.txt`, literal: true },
  { name: "fullwidth dots", path: (r) => `${r}/\uff0e\uff0e/\uff0e\uff0e/outside/secret.txt`, literal: true },
  { name: "division slash", path: (r) => `${r}/..\u2215..\u2215outside\u2215secret.txt`, literal: true },
  // Backslashes and mixed separators (not separators on this host: refused)
  { name: "backslash traversal", path: (r) => `${r}\\..\\..\\outside\\secret.txt` },
  { name: "mixed separators", path: (r) => `${r}/..\\../outside/secret.txt` },
  { name: "all backslashes", path: (r) => `${r.replace(/\//g, "\\")}\\real.txt` },
  { name: "root-relative backslash", path: () => "\\etc\\passwd" },
  // Windows forms
  { name: "drive path", path: () => "C:\\Windows\\win.ini" },
  { name: "drive path with slashes", path: () => "C:/Windows/win.ini" },
  { name: "drive-relative", path: () => "c:..\\..\\secret.txt" },
  { name: "UNC", path: () => "\\\\server\\share\\secret.txt" },
  { name: "UNC with slashes", path: () => "//server/share/secret.txt" },
  { name: "long-path prefix", path: () => "\\\\?\\C:\\Windows\\win.ini" },
  { name: "device namespace", path: () => "\\\\.\\PhysicalDrive0" },
  { name: "long UNC prefix", path: () => "\\\\?\\UNC\\server\\share\\x" },
  { name: "long-path prefix with slashes", path: () => "//?/C:/x" },
  { name: "NT object prefix", path: () => "\\??\\C:\\x" },
  // Device names
  { name: "CON", path: (r) => `${r}/CON` },
  { name: "nul.txt", path: (r) => `${r}/nul.txt` },
  { name: "COM1.csv", path: (r) => `${r}/COM1.csv` },
  { name: "lpt9", path: (r) => `${r}/lpt9` },
  { name: "AUX with space before extension", path: (r) => `${r}/AUX .txt` },
  { name: "PRN in a subfolder", path: (r) => `${r}/sub/PRN.qvd` },
  { name: "CONOUT$", path: (r) => `${r}/CONOUT$` },
  { name: "COM superscript", path: (r) => `${r}/COM\u00b9` },
  // Alternate data streams
  { name: "named stream", path: (r) => `${r}/real.txt:stream` },
  { name: "default data stream", path: (r) => `${r}/real.txt::$DATA` },
  { name: "Zone.Identifier stream", path: (r) => `${r}/real.txt:Zone.Identifier:$DATA` },
  // NUL and control characters
  { name: "NUL before extension", path: (r) => `${r}/real.txt\0.png` },
  { name: "NUL then traversal", path: (r) => `${r}/\0/../../outside/secret.txt` },
  { name: "newline", path: (r) => `${r}/a\nb` },
  { name: "carriage return", path: (r) => `${r}/a\rb` },
  { name: "escape character", path: (r) => `${r}/a\u001b[0mb` },
  // Symbolic links planted inside the allowed folder (see the test's fixture)
  { name: "link to an outside file", path: (r) => `${r}/link-out-file` },
  { name: "through a link to an outside folder", path: (r) => `${r}/link-out-dir/secret.txt` },
  { name: "through a relative link", path: (r) => `${r}/link-rel/secret.txt` },
  { name: "dangling link to outside", path: (r) => `${r}/dangling` },
  { name: "new file below a dangling link", path: (r) => `${r}/link-out-dir/new-file.txt` },
  { name: "link loop", path: (r) => `${r}/loop1` },
  { name: "link to the grandparent", path: (r) => `${r}/link-parent/outside/secret.txt` },
  { name: "link chain to outside", path: (r) => `${r}/chain1/secret.txt` },
  // Size and case
  { name: "very long", path: (r) => `${r}/${"a/".repeat(2100)}x` },
  { name: "one name longer than the file system allows", path: (r) => `${r}/${"n".repeat(300)}` },
  { name: "zero-width space after the root", path: (r) => `${r}\u200b/real.txt` },
  { name: "NFD look-alike of an accented sibling", path: (r) => `${r}/../${r.split("/").pop()}e\u0301/real.txt` },
  { name: "upper-cased root (case-sensitive host)", path: (r) => `${r.toUpperCase()}/real.txt` },
];
