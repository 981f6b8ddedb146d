// freshness-node-down.test.ts's Thursday with the shared store on PostgreSQL (test/helpers/freshness-node-down-thursday.ts).
import { describeNodeDownThursday } from "../../../helpers/freshness-node-down-thursday";

describeNodeDownThursday("postgres");
