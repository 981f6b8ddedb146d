// The door of the commands a person types (run, config check, explain and schema, the service, the demo) to the
// config: Steward's reader, with the schema the composition root assembles from the features' sections.
export * from "../../composition/config";
