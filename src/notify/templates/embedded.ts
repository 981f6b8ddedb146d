// The built-in templates, embedded in the binary at build time (static text imports). A unit test checks
// that every file under templates/ is listed here.
import t1 from "../../../templates/email/_check.html.eta" with { type: "text" };
import t2 from "../../../templates/email/_check.text.eta" with { type: "text" };
import t3 from "../../../templates/email/_service.html.eta" with { type: "text" };
import t4 from "../../../templates/email/_service.text.eta" with { type: "text" };
import t5 from "../../../templates/email/_site.html.eta" with { type: "text" };
import t6 from "../../../templates/email/_site.text.eta" with { type: "text" };
import t7 from "../../../templates/email/_task.html.eta" with { type: "text" };
import t8 from "../../../templates/email/_task.text.eta" with { type: "text" };
import t9 from "../../../templates/email/data.check_error.html.eta" with { type: "text" };
import t10 from "../../../templates/email/data.check_error.subject.eta" with { type: "text" };
import t11 from "../../../templates/email/data.check_error.text.eta" with { type: "text" };
import t12 from "../../../templates/email/data.check_failed.html.eta" with { type: "text" };
import t13 from "../../../templates/email/data.check_failed.subject.eta" with { type: "text" };
import t14 from "../../../templates/email/data.check_failed.text.eta" with { type: "text" };
import t15 from "../../../templates/email/data.check_passed.html.eta" with { type: "text" };
import t16 from "../../../templates/email/data.check_passed.subject.eta" with { type: "text" };
import t17 from "../../../templates/email/data.check_passed.text.eta" with { type: "text" };
import t18 from "../../../templates/email/digest.html.eta" with { type: "text" };
import t19 from "../../../templates/email/digest.subject.eta" with { type: "text" };
import t20 from "../../../templates/email/digest.text.eta" with { type: "text" };
import t21 from "../../../templates/email/influxdb.field_conflict.html.eta" with { type: "text" };
import t22 from "../../../templates/email/influxdb.field_conflict.subject.eta" with { type: "text" };
import t23 from "../../../templates/email/influxdb.field_conflict.text.eta" with { type: "text" };
import t24 from "../../../templates/email/license.expired.html.eta" with { type: "text" };
import t25 from "../../../templates/email/license.expired.subject.eta" with { type: "text" };
import t26 from "../../../templates/email/license.expired.text.eta" with { type: "text" };
import t27 from "../../../templates/email/license.expiring.html.eta" with { type: "text" };
import t28 from "../../../templates/email/license.expiring.subject.eta" with { type: "text" };
import t29 from "../../../templates/email/license.expiring.text.eta" with { type: "text" };
import t30 from "../../../templates/email/license.low_availability.html.eta" with { type: "text" };
import t31 from "../../../templates/email/license.low_availability.subject.eta" with { type: "text" };
import t32 from "../../../templates/email/license.low_availability.text.eta" with { type: "text" };
import t33 from "../../../templates/email/license.released.html.eta" with { type: "text" };
import t34 from "../../../templates/email/license.released.subject.eta" with { type: "text" };
import t35 from "../../../templates/email/license.released.text.eta" with { type: "text" };
import t36 from "../../../templates/email/qliksense.version_changed.html.eta" with { type: "text" };
import t37 from "../../../templates/email/qliksense.version_changed.subject.eta" with { type: "text" };
import t38 from "../../../templates/email/qliksense.version_changed.text.eta" with { type: "text" };
import t39 from "../../../templates/email/service.started.html.eta" with { type: "text" };
import t40 from "../../../templates/email/service.started.subject.eta" with { type: "text" };
import t41 from "../../../templates/email/service.started.text.eta" with { type: "text" };
import t42 from "../../../templates/email/service.stopped.html.eta" with { type: "text" };
import t43 from "../../../templates/email/service.stopped.subject.eta" with { type: "text" };
import t44 from "../../../templates/email/service.stopped.text.eta" with { type: "text" };
import t45 from "../../../templates/email/task.aborted.html.eta" with { type: "text" };
import t46 from "../../../templates/email/task.aborted.subject.eta" with { type: "text" };
import t47 from "../../../templates/email/task.aborted.text.eta" with { type: "text" };
import t48 from "../../../templates/email/task.failed.html.eta" with { type: "text" };
import t49 from "../../../templates/email/task.failed.subject.eta" with { type: "text" };
import t50 from "../../../templates/email/task.failed.text.eta" with { type: "text" };
import t51 from "../../../templates/email/task.recovered.html.eta" with { type: "text" };
import t52 from "../../../templates/email/task.recovered.subject.eta" with { type: "text" };
import t53 from "../../../templates/email/task.recovered.text.eta" with { type: "text" };
import t54 from "../../../templates/email/task.succeeded.html.eta" with { type: "text" };
import t55 from "../../../templates/email/task.succeeded.subject.eta" with { type: "text" };
import t56 from "../../../templates/email/task.succeeded.text.eta" with { type: "text" };
import t57 from "../../../templates/email/task.warning.html.eta" with { type: "text" };
import t58 from "../../../templates/email/task.warning.subject.eta" with { type: "text" };
import t59 from "../../../templates/email/task.warning.text.eta" with { type: "text" };
import t60 from "../../../templates/slack/_check.json.eta" with { type: "text" };
import t61 from "../../../templates/slack/_service.json.eta" with { type: "text" };
import t62 from "../../../templates/slack/_site.json.eta" with { type: "text" };
import t63 from "../../../templates/slack/_task.json.eta" with { type: "text" };
import t64 from "../../../templates/slack/data.check_error.json.eta" with { type: "text" };
import t65 from "../../../templates/slack/data.check_failed.json.eta" with { type: "text" };
import t66 from "../../../templates/slack/data.check_passed.json.eta" with { type: "text" };
import t67 from "../../../templates/slack/digest.json.eta" with { type: "text" };
import t68 from "../../../templates/slack/influxdb.field_conflict.json.eta" with { type: "text" };
import t69 from "../../../templates/slack/license.expired.json.eta" with { type: "text" };
import t70 from "../../../templates/slack/license.expiring.json.eta" with { type: "text" };
import t71 from "../../../templates/slack/license.low_availability.json.eta" with { type: "text" };
import t72 from "../../../templates/slack/license.released.json.eta" with { type: "text" };
import t73 from "../../../templates/slack/qliksense.version_changed.json.eta" with { type: "text" };
import t74 from "../../../templates/slack/service.started.json.eta" with { type: "text" };
import t75 from "../../../templates/slack/service.stopped.json.eta" with { type: "text" };
import t76 from "../../../templates/slack/task.aborted.json.eta" with { type: "text" };
import t77 from "../../../templates/slack/task.failed.json.eta" with { type: "text" };
import t78 from "../../../templates/slack/task.recovered.json.eta" with { type: "text" };
import t79 from "../../../templates/slack/task.succeeded.json.eta" with { type: "text" };
import t80 from "../../../templates/slack/task.warning.json.eta" with { type: "text" };
import t81 from "../../../templates/teams/_check.json.eta" with { type: "text" };
import t82 from "../../../templates/teams/_service.json.eta" with { type: "text" };
import t83 from "../../../templates/teams/_site.json.eta" with { type: "text" };
import t84 from "../../../templates/teams/_task.json.eta" with { type: "text" };
import t85 from "../../../templates/teams/data.check_error.json.eta" with { type: "text" };
import t86 from "../../../templates/teams/data.check_failed.json.eta" with { type: "text" };
import t87 from "../../../templates/teams/data.check_passed.json.eta" with { type: "text" };
import t88 from "../../../templates/teams/digest.json.eta" with { type: "text" };
import t89 from "../../../templates/teams/influxdb.field_conflict.json.eta" with { type: "text" };
import t90 from "../../../templates/teams/license.expired.json.eta" with { type: "text" };
import t91 from "../../../templates/teams/license.expiring.json.eta" with { type: "text" };
import t92 from "../../../templates/teams/license.low_availability.json.eta" with { type: "text" };
import t93 from "../../../templates/teams/license.released.json.eta" with { type: "text" };
import t94 from "../../../templates/teams/qliksense.version_changed.json.eta" with { type: "text" };
import t95 from "../../../templates/teams/service.started.json.eta" with { type: "text" };
import t96 from "../../../templates/teams/service.stopped.json.eta" with { type: "text" };
import t97 from "../../../templates/teams/task.aborted.json.eta" with { type: "text" };
import t98 from "../../../templates/teams/task.failed.json.eta" with { type: "text" };
import t99 from "../../../templates/teams/task.recovered.json.eta" with { type: "text" };
import t100 from "../../../templates/teams/task.succeeded.json.eta" with { type: "text" };
import t101 from "../../../templates/teams/task.warning.json.eta" with { type: "text" };
import t102 from "../../../templates/webhook/_check.json.eta" with { type: "text" };
import t103 from "../../../templates/webhook/_service.json.eta" with { type: "text" };
import t104 from "../../../templates/webhook/_site.json.eta" with { type: "text" };
import t105 from "../../../templates/webhook/_task.json.eta" with { type: "text" };
import t106 from "../../../templates/webhook/data.check_error.json.eta" with { type: "text" };
import t107 from "../../../templates/webhook/data.check_failed.json.eta" with { type: "text" };
import t108 from "../../../templates/webhook/data.check_passed.json.eta" with { type: "text" };
import t109 from "../../../templates/webhook/digest.json.eta" with { type: "text" };
import t110 from "../../../templates/webhook/influxdb.field_conflict.json.eta" with { type: "text" };
import t111 from "../../../templates/webhook/license.expired.json.eta" with { type: "text" };
import t112 from "../../../templates/webhook/license.expiring.json.eta" with { type: "text" };
import t113 from "../../../templates/webhook/license.low_availability.json.eta" with { type: "text" };
import t114 from "../../../templates/webhook/license.released.json.eta" with { type: "text" };
import t115 from "../../../templates/webhook/qliksense.version_changed.json.eta" with { type: "text" };
import t116 from "../../../templates/webhook/service.started.json.eta" with { type: "text" };
import t117 from "../../../templates/webhook/service.stopped.json.eta" with { type: "text" };
import t118 from "../../../templates/webhook/task.aborted.json.eta" with { type: "text" };
import t119 from "../../../templates/webhook/task.failed.json.eta" with { type: "text" };
import t120 from "../../../templates/webhook/task.recovered.json.eta" with { type: "text" };
import t121 from "../../../templates/webhook/task.succeeded.json.eta" with { type: "text" };
import t122 from "../../../templates/webhook/task.warning.json.eta" with { type: "text" };

export const EMBEDDED_TEMPLATES: Readonly<Record<string, string>> = {
  "email/_check.html": t1,
  "email/_check.text": t2,
  "email/_service.html": t3,
  "email/_service.text": t4,
  "email/_site.html": t5,
  "email/_site.text": t6,
  "email/_task.html": t7,
  "email/_task.text": t8,
  "email/data.check_error.html": t9,
  "email/data.check_error.subject": t10,
  "email/data.check_error.text": t11,
  "email/data.check_failed.html": t12,
  "email/data.check_failed.subject": t13,
  "email/data.check_failed.text": t14,
  "email/data.check_passed.html": t15,
  "email/data.check_passed.subject": t16,
  "email/data.check_passed.text": t17,
  "email/digest.html": t18,
  "email/digest.subject": t19,
  "email/digest.text": t20,
  "email/influxdb.field_conflict.html": t21,
  "email/influxdb.field_conflict.subject": t22,
  "email/influxdb.field_conflict.text": t23,
  "email/license.expired.html": t24,
  "email/license.expired.subject": t25,
  "email/license.expired.text": t26,
  "email/license.expiring.html": t27,
  "email/license.expiring.subject": t28,
  "email/license.expiring.text": t29,
  "email/license.low_availability.html": t30,
  "email/license.low_availability.subject": t31,
  "email/license.low_availability.text": t32,
  "email/license.released.html": t33,
  "email/license.released.subject": t34,
  "email/license.released.text": t35,
  "email/qliksense.version_changed.html": t36,
  "email/qliksense.version_changed.subject": t37,
  "email/qliksense.version_changed.text": t38,
  "email/service.started.html": t39,
  "email/service.started.subject": t40,
  "email/service.started.text": t41,
  "email/service.stopped.html": t42,
  "email/service.stopped.subject": t43,
  "email/service.stopped.text": t44,
  "email/task.aborted.html": t45,
  "email/task.aborted.subject": t46,
  "email/task.aborted.text": t47,
  "email/task.failed.html": t48,
  "email/task.failed.subject": t49,
  "email/task.failed.text": t50,
  "email/task.recovered.html": t51,
  "email/task.recovered.subject": t52,
  "email/task.recovered.text": t53,
  "email/task.succeeded.html": t54,
  "email/task.succeeded.subject": t55,
  "email/task.succeeded.text": t56,
  "email/task.warning.html": t57,
  "email/task.warning.subject": t58,
  "email/task.warning.text": t59,
  "slack/_check.json": t60,
  "slack/_service.json": t61,
  "slack/_site.json": t62,
  "slack/_task.json": t63,
  "slack/data.check_error.json": t64,
  "slack/data.check_failed.json": t65,
  "slack/data.check_passed.json": t66,
  "slack/digest.json": t67,
  "slack/influxdb.field_conflict.json": t68,
  "slack/license.expired.json": t69,
  "slack/license.expiring.json": t70,
  "slack/license.low_availability.json": t71,
  "slack/license.released.json": t72,
  "slack/qliksense.version_changed.json": t73,
  "slack/service.started.json": t74,
  "slack/service.stopped.json": t75,
  "slack/task.aborted.json": t76,
  "slack/task.failed.json": t77,
  "slack/task.recovered.json": t78,
  "slack/task.succeeded.json": t79,
  "slack/task.warning.json": t80,
  "teams/_check.json": t81,
  "teams/_service.json": t82,
  "teams/_site.json": t83,
  "teams/_task.json": t84,
  "teams/data.check_error.json": t85,
  "teams/data.check_failed.json": t86,
  "teams/data.check_passed.json": t87,
  "teams/digest.json": t88,
  "teams/influxdb.field_conflict.json": t89,
  "teams/license.expired.json": t90,
  "teams/license.expiring.json": t91,
  "teams/license.low_availability.json": t92,
  "teams/license.released.json": t93,
  "teams/qliksense.version_changed.json": t94,
  "teams/service.started.json": t95,
  "teams/service.stopped.json": t96,
  "teams/task.aborted.json": t97,
  "teams/task.failed.json": t98,
  "teams/task.recovered.json": t99,
  "teams/task.succeeded.json": t100,
  "teams/task.warning.json": t101,
  "webhook/_check.json": t102,
  "webhook/_service.json": t103,
  "webhook/_site.json": t104,
  "webhook/_task.json": t105,
  "webhook/data.check_error.json": t106,
  "webhook/data.check_failed.json": t107,
  "webhook/data.check_passed.json": t108,
  "webhook/digest.json": t109,
  "webhook/influxdb.field_conflict.json": t110,
  "webhook/license.expired.json": t111,
  "webhook/license.expiring.json": t112,
  "webhook/license.low_availability.json": t113,
  "webhook/license.released.json": t114,
  "webhook/qliksense.version_changed.json": t115,
  "webhook/service.started.json": t116,
  "webhook/service.stopped.json": t117,
  "webhook/task.aborted.json": t118,
  "webhook/task.failed.json": t119,
  "webhook/task.recovered.json": t120,
  "webhook/task.succeeded.json": t121,
  "webhook/task.warning.json": t122,
};
