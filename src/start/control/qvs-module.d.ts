// Lets TypeScript accept `import text from "….qvs" with { type: "text" }` (Bun inlines the file as a string).
declare module "*.qvs" {
  const text: string;
  export default text;
}
