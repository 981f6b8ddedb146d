// Lets TypeScript accept `import text from "….eta" with { type: "text" }` (Bun inlines the file as a string).
declare module "*.eta" {
  const text: string;
  export default text;
}
