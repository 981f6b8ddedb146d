// The built-in templates, embedded in the binary at build time (static text imports). A unit test checks
// that every file under templates/ is listed here.
import t1 from "../../../templates/email/_service.html.eta" with { type: "text" };
import t2 from "../../../templates/email/_service.text.eta" with { type: "text" };
import t3 from "../../../templates/email/_site.html.eta" with { type: "text" };
import t4 from "../../../templates/email/_site.text.eta" with { type: "text" };
import t5 from "../../../templates/email/_task.html.eta" with { type: "text" };
import t6 from "../../../templates/email/_task.text.eta" with { type: "text" };
import t7 from "../../../templates/email/digest.html.eta" with { type: "text" };
import t8 from "../../../templates/email/digest.subject.eta" with { type: "text" };
import t9 from "../../../templates/email/digest.text.eta" with { type: "text" };
import t10 from "../../../templates/email/license.expired.html.eta" with { type: "text" };
import t11 from "../../../templates/email/license.expired.subject.eta" with { type: "text" };
import t12 from "../../../templates/email/license.expired.text.eta" with { type: "text" };
import t13 from "../../../templates/email/license.expiring.html.eta" with { type: "text" };
import t14 from "../../../templates/email/license.expiring.subject.eta" with { type: "text" };
import t15 from "../../../templates/email/license.expiring.text.eta" with { type: "text" };
import t16 from "../../../templates/email/license.low_availability.html.eta" with { type: "text" };
import t17 from "../../../templates/email/license.low_availability.subject.eta" with { type: "text" };
import t18 from "../../../templates/email/license.low_availability.text.eta" with { type: "text" };
import t19 from "../../../templates/email/license.released.html.eta" with { type: "text" };
import t20 from "../../../templates/email/license.released.subject.eta" with { type: "text" };
import t21 from "../../../templates/email/license.released.text.eta" with { type: "text" };
import t22 from "../../../templates/email/qliksense.version_changed.html.eta" with { type: "text" };
import t23 from "../../../templates/email/qliksense.version_changed.subject.eta" with { type: "text" };
import t24 from "../../../templates/email/qliksense.version_changed.text.eta" with { type: "text" };
import t25 from "../../../templates/email/service.started.html.eta" with { type: "text" };
import t26 from "../../../templates/email/service.started.subject.eta" with { type: "text" };
import t27 from "../../../templates/email/service.started.text.eta" with { type: "text" };
import t28 from "../../../templates/email/service.stopped.html.eta" with { type: "text" };
import t29 from "../../../templates/email/service.stopped.subject.eta" with { type: "text" };
import t30 from "../../../templates/email/service.stopped.text.eta" with { type: "text" };
import t31 from "../../../templates/email/task.aborted.html.eta" with { type: "text" };
import t32 from "../../../templates/email/task.aborted.subject.eta" with { type: "text" };
import t33 from "../../../templates/email/task.aborted.text.eta" with { type: "text" };
import t34 from "../../../templates/email/task.failed.html.eta" with { type: "text" };
import t35 from "../../../templates/email/task.failed.subject.eta" with { type: "text" };
import t36 from "../../../templates/email/task.failed.text.eta" with { type: "text" };
import t37 from "../../../templates/email/task.recovered.html.eta" with { type: "text" };
import t38 from "../../../templates/email/task.recovered.subject.eta" with { type: "text" };
import t39 from "../../../templates/email/task.recovered.text.eta" with { type: "text" };
import t40 from "../../../templates/email/task.succeeded.html.eta" with { type: "text" };
import t41 from "../../../templates/email/task.succeeded.subject.eta" with { type: "text" };
import t42 from "../../../templates/email/task.succeeded.text.eta" with { type: "text" };
import t43 from "../../../templates/email/task.warning.html.eta" with { type: "text" };
import t44 from "../../../templates/email/task.warning.subject.eta" with { type: "text" };
import t45 from "../../../templates/email/task.warning.text.eta" with { type: "text" };
import t46 from "../../../templates/slack/_service.json.eta" with { type: "text" };
import t47 from "../../../templates/slack/_site.json.eta" with { type: "text" };
import t48 from "../../../templates/slack/_task.json.eta" with { type: "text" };
import t49 from "../../../templates/slack/digest.json.eta" with { type: "text" };
import t50 from "../../../templates/slack/license.expired.json.eta" with { type: "text" };
import t51 from "../../../templates/slack/license.expiring.json.eta" with { type: "text" };
import t52 from "../../../templates/slack/license.low_availability.json.eta" with { type: "text" };
import t53 from "../../../templates/slack/license.released.json.eta" with { type: "text" };
import t54 from "../../../templates/slack/qliksense.version_changed.json.eta" with { type: "text" };
import t55 from "../../../templates/slack/service.started.json.eta" with { type: "text" };
import t56 from "../../../templates/slack/service.stopped.json.eta" with { type: "text" };
import t57 from "../../../templates/slack/task.aborted.json.eta" with { type: "text" };
import t58 from "../../../templates/slack/task.failed.json.eta" with { type: "text" };
import t59 from "../../../templates/slack/task.recovered.json.eta" with { type: "text" };
import t60 from "../../../templates/slack/task.succeeded.json.eta" with { type: "text" };
import t61 from "../../../templates/slack/task.warning.json.eta" with { type: "text" };
import t62 from "../../../templates/teams/_service.json.eta" with { type: "text" };
import t63 from "../../../templates/teams/_site.json.eta" with { type: "text" };
import t64 from "../../../templates/teams/_task.json.eta" with { type: "text" };
import t65 from "../../../templates/teams/digest.json.eta" with { type: "text" };
import t66 from "../../../templates/teams/license.expired.json.eta" with { type: "text" };
import t67 from "../../../templates/teams/license.expiring.json.eta" with { type: "text" };
import t68 from "../../../templates/teams/license.low_availability.json.eta" with { type: "text" };
import t69 from "../../../templates/teams/license.released.json.eta" with { type: "text" };
import t70 from "../../../templates/teams/qliksense.version_changed.json.eta" with { type: "text" };
import t71 from "../../../templates/teams/service.started.json.eta" with { type: "text" };
import t72 from "../../../templates/teams/service.stopped.json.eta" with { type: "text" };
import t73 from "../../../templates/teams/task.aborted.json.eta" with { type: "text" };
import t74 from "../../../templates/teams/task.failed.json.eta" with { type: "text" };
import t75 from "../../../templates/teams/task.recovered.json.eta" with { type: "text" };
import t76 from "../../../templates/teams/task.succeeded.json.eta" with { type: "text" };
import t77 from "../../../templates/teams/task.warning.json.eta" with { type: "text" };
import t78 from "../../../templates/webhook/_service.json.eta" with { type: "text" };
import t79 from "../../../templates/webhook/_site.json.eta" with { type: "text" };
import t80 from "../../../templates/webhook/_task.json.eta" with { type: "text" };
import t81 from "../../../templates/webhook/digest.json.eta" with { type: "text" };
import t82 from "../../../templates/webhook/license.expired.json.eta" with { type: "text" };
import t83 from "../../../templates/webhook/license.expiring.json.eta" with { type: "text" };
import t84 from "../../../templates/webhook/license.low_availability.json.eta" with { type: "text" };
import t85 from "../../../templates/webhook/license.released.json.eta" with { type: "text" };
import t86 from "../../../templates/webhook/qliksense.version_changed.json.eta" with { type: "text" };
import t87 from "../../../templates/webhook/service.started.json.eta" with { type: "text" };
import t88 from "../../../templates/webhook/service.stopped.json.eta" with { type: "text" };
import t89 from "../../../templates/webhook/task.aborted.json.eta" with { type: "text" };
import t90 from "../../../templates/webhook/task.failed.json.eta" with { type: "text" };
import t91 from "../../../templates/webhook/task.recovered.json.eta" with { type: "text" };
import t92 from "../../../templates/webhook/task.succeeded.json.eta" with { type: "text" };
import t93 from "../../../templates/webhook/task.warning.json.eta" with { type: "text" };

export const EMBEDDED_TEMPLATES: Readonly<Record<string, string>> = {
  "email/_service.html": t1,
  "email/_service.text": t2,
  "email/_site.html": t3,
  "email/_site.text": t4,
  "email/_task.html": t5,
  "email/_task.text": t6,
  "email/digest.html": t7,
  "email/digest.subject": t8,
  "email/digest.text": t9,
  "email/license.expired.html": t10,
  "email/license.expired.subject": t11,
  "email/license.expired.text": t12,
  "email/license.expiring.html": t13,
  "email/license.expiring.subject": t14,
  "email/license.expiring.text": t15,
  "email/license.low_availability.html": t16,
  "email/license.low_availability.subject": t17,
  "email/license.low_availability.text": t18,
  "email/license.released.html": t19,
  "email/license.released.subject": t20,
  "email/license.released.text": t21,
  "email/qliksense.version_changed.html": t22,
  "email/qliksense.version_changed.subject": t23,
  "email/qliksense.version_changed.text": t24,
  "email/service.started.html": t25,
  "email/service.started.subject": t26,
  "email/service.started.text": t27,
  "email/service.stopped.html": t28,
  "email/service.stopped.subject": t29,
  "email/service.stopped.text": t30,
  "email/task.aborted.html": t31,
  "email/task.aborted.subject": t32,
  "email/task.aborted.text": t33,
  "email/task.failed.html": t34,
  "email/task.failed.subject": t35,
  "email/task.failed.text": t36,
  "email/task.recovered.html": t37,
  "email/task.recovered.subject": t38,
  "email/task.recovered.text": t39,
  "email/task.succeeded.html": t40,
  "email/task.succeeded.subject": t41,
  "email/task.succeeded.text": t42,
  "email/task.warning.html": t43,
  "email/task.warning.subject": t44,
  "email/task.warning.text": t45,
  "slack/_service.json": t46,
  "slack/_site.json": t47,
  "slack/_task.json": t48,
  "slack/digest.json": t49,
  "slack/license.expired.json": t50,
  "slack/license.expiring.json": t51,
  "slack/license.low_availability.json": t52,
  "slack/license.released.json": t53,
  "slack/qliksense.version_changed.json": t54,
  "slack/service.started.json": t55,
  "slack/service.stopped.json": t56,
  "slack/task.aborted.json": t57,
  "slack/task.failed.json": t58,
  "slack/task.recovered.json": t59,
  "slack/task.succeeded.json": t60,
  "slack/task.warning.json": t61,
  "teams/_service.json": t62,
  "teams/_site.json": t63,
  "teams/_task.json": t64,
  "teams/digest.json": t65,
  "teams/license.expired.json": t66,
  "teams/license.expiring.json": t67,
  "teams/license.low_availability.json": t68,
  "teams/license.released.json": t69,
  "teams/qliksense.version_changed.json": t70,
  "teams/service.started.json": t71,
  "teams/service.stopped.json": t72,
  "teams/task.aborted.json": t73,
  "teams/task.failed.json": t74,
  "teams/task.recovered.json": t75,
  "teams/task.succeeded.json": t76,
  "teams/task.warning.json": t77,
  "webhook/_service.json": t78,
  "webhook/_site.json": t79,
  "webhook/_task.json": t80,
  "webhook/digest.json": t81,
  "webhook/license.expired.json": t82,
  "webhook/license.expiring.json": t83,
  "webhook/license.low_availability.json": t84,
  "webhook/license.released.json": t85,
  "webhook/qliksense.version_changed.json": t86,
  "webhook/service.started.json": t87,
  "webhook/service.stopped.json": t88,
  "webhook/task.aborted.json": t89,
  "webhook/task.failed.json": t90,
  "webhook/task.recovered.json": t91,
  "webhook/task.succeeded.json": t92,
  "webhook/task.warning.json": t93,
};
