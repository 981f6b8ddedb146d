// What a QRS route handler gets: the request, its parsed query (lower-case keys), the caller and the body.
import type { QlikUser } from "./auth";

export interface QrsContext {
  req: Request;
  url: URL;
  query: Map<string, string>;
  user: QlikUser;
  body: string;
  nowMs: number;
}
