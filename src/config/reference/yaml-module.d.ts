// Lets TypeScript accept `import text from "….yaml" with { type: "text" }` (Bun inlines the file as a string).
declare module "*.yaml" {
  const text: string;
  export default text;
}
