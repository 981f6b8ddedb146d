// Public surface of the Butler config import.
export { convertButlerConfig, type ConvertResult, type ImportReport } from "./convert";
export { renderConfig, renderReport } from "./render";
export { laterToDuration, secondsToDuration } from "./units";
