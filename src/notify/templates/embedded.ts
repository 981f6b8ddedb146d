// The built-in templates, embedded in the binary at build time (static text imports). A unit test checks
// that every file under templates/ is listed here.
import t1 from "../../../templates/email/_service.html.eta" with { type: "text" };
import t2 from "../../../templates/email/_service.text.eta" with { type: "text" };
import t3 from "../../../templates/email/_task.html.eta" with { type: "text" };
import t4 from "../../../templates/email/_task.text.eta" with { type: "text" };
import t5 from "../../../templates/email/digest.html.eta" with { type: "text" };
import t6 from "../../../templates/email/digest.subject.eta" with { type: "text" };
import t7 from "../../../templates/email/digest.text.eta" with { type: "text" };
import t8 from "../../../templates/email/service.started.html.eta" with { type: "text" };
import t9 from "../../../templates/email/service.started.subject.eta" with { type: "text" };
import t10 from "../../../templates/email/service.started.text.eta" with { type: "text" };
import t11 from "../../../templates/email/service.stopped.html.eta" with { type: "text" };
import t12 from "../../../templates/email/service.stopped.subject.eta" with { type: "text" };
import t13 from "../../../templates/email/service.stopped.text.eta" with { type: "text" };
import t14 from "../../../templates/email/task.aborted.html.eta" with { type: "text" };
import t15 from "../../../templates/email/task.aborted.subject.eta" with { type: "text" };
import t16 from "../../../templates/email/task.aborted.text.eta" with { type: "text" };
import t17 from "../../../templates/email/task.failed.html.eta" with { type: "text" };
import t18 from "../../../templates/email/task.failed.subject.eta" with { type: "text" };
import t19 from "../../../templates/email/task.failed.text.eta" with { type: "text" };
import t20 from "../../../templates/email/task.succeeded.html.eta" with { type: "text" };
import t21 from "../../../templates/email/task.succeeded.subject.eta" with { type: "text" };
import t22 from "../../../templates/email/task.succeeded.text.eta" with { type: "text" };
import t23 from "../../../templates/slack/_service.json.eta" with { type: "text" };
import t24 from "../../../templates/slack/_task.json.eta" with { type: "text" };
import t25 from "../../../templates/slack/digest.json.eta" with { type: "text" };
import t26 from "../../../templates/slack/service.started.json.eta" with { type: "text" };
import t27 from "../../../templates/slack/service.stopped.json.eta" with { type: "text" };
import t28 from "../../../templates/slack/task.aborted.json.eta" with { type: "text" };
import t29 from "../../../templates/slack/task.failed.json.eta" with { type: "text" };
import t30 from "../../../templates/slack/task.succeeded.json.eta" with { type: "text" };
import t31 from "../../../templates/teams/_service.json.eta" with { type: "text" };
import t32 from "../../../templates/teams/_task.json.eta" with { type: "text" };
import t33 from "../../../templates/teams/digest.json.eta" with { type: "text" };
import t34 from "../../../templates/teams/service.started.json.eta" with { type: "text" };
import t35 from "../../../templates/teams/service.stopped.json.eta" with { type: "text" };
import t36 from "../../../templates/teams/task.aborted.json.eta" with { type: "text" };
import t37 from "../../../templates/teams/task.failed.json.eta" with { type: "text" };
import t38 from "../../../templates/teams/task.succeeded.json.eta" with { type: "text" };
import t39 from "../../../templates/webhook/_service.json.eta" with { type: "text" };
import t40 from "../../../templates/webhook/_task.json.eta" with { type: "text" };
import t41 from "../../../templates/webhook/digest.json.eta" with { type: "text" };
import t42 from "../../../templates/webhook/service.started.json.eta" with { type: "text" };
import t43 from "../../../templates/webhook/service.stopped.json.eta" with { type: "text" };
import t44 from "../../../templates/webhook/task.aborted.json.eta" with { type: "text" };
import t45 from "../../../templates/webhook/task.failed.json.eta" with { type: "text" };
import t46 from "../../../templates/webhook/task.succeeded.json.eta" with { type: "text" };

export const EMBEDDED_TEMPLATES: Readonly<Record<string, string>> = {
  "email/_service.html": t1,
  "email/_service.text": t2,
  "email/_task.html": t3,
  "email/_task.text": t4,
  "email/digest.html": t5,
  "email/digest.subject": t6,
  "email/digest.text": t7,
  "email/service.started.html": t8,
  "email/service.started.subject": t9,
  "email/service.started.text": t10,
  "email/service.stopped.html": t11,
  "email/service.stopped.subject": t12,
  "email/service.stopped.text": t13,
  "email/task.aborted.html": t14,
  "email/task.aborted.subject": t15,
  "email/task.aborted.text": t16,
  "email/task.failed.html": t17,
  "email/task.failed.subject": t18,
  "email/task.failed.text": t19,
  "email/task.succeeded.html": t20,
  "email/task.succeeded.subject": t21,
  "email/task.succeeded.text": t22,
  "slack/_service.json": t23,
  "slack/_task.json": t24,
  "slack/digest.json": t25,
  "slack/service.started.json": t26,
  "slack/service.stopped.json": t27,
  "slack/task.aborted.json": t28,
  "slack/task.failed.json": t29,
  "slack/task.succeeded.json": t30,
  "teams/_service.json": t31,
  "teams/_task.json": t32,
  "teams/digest.json": t33,
  "teams/service.started.json": t34,
  "teams/service.stopped.json": t35,
  "teams/task.aborted.json": t36,
  "teams/task.failed.json": t37,
  "teams/task.succeeded.json": t38,
  "webhook/_service.json": t39,
  "webhook/_task.json": t40,
  "webhook/digest.json": t41,
  "webhook/service.started.json": t42,
  "webhook/service.stopped.json": t43,
  "webhook/task.aborted.json": t44,
  "webhook/task.failed.json": t45,
  "webhook/task.succeeded.json": t46,
};
