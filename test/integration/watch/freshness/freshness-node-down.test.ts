// Issue 76 on SQLite: Reload01 down on Thursday while Sales dashboard's promised chain runs; the promise at risk the
// moment its chain stops, its projection naming the node's cause, its alerts folded into that cause's two pages (the
// night and what it must say: test/helpers/freshness-node-down-thursday.ts). The same night on PostgreSQL is
// freshness-node-down-postgres.test.ts, a file of its own so that the suite's workers run the two side by side.
import { describeNodeDownThursday } from "../../../helpers/freshness-node-down-thursday";

describeNodeDownThursday("sqlite");
