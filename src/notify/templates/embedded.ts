// The built-in templates, embedded in the binary at build time (static text imports). A unit test checks
// that every file under templates/ is listed here. Written by scripts/gen-embedded-templates.ts.
import t1 from "../../../templates/email/_check.html.eta" with { type: "text" };
import t2 from "../../../templates/email/_check.text.eta" with { type: "text" };
import t3 from "../../../templates/email/_service.html.eta" with { type: "text" };
import t4 from "../../../templates/email/_service.text.eta" with { type: "text" };
import t5 from "../../../templates/email/_site.html.eta" with { type: "text" };
import t6 from "../../../templates/email/_site.text.eta" with { type: "text" };
import t7 from "../../../templates/email/_task.html.eta" with { type: "text" };
import t8 from "../../../templates/email/_task.text.eta" with { type: "text" };
import t9 from "../../../templates/email/app.stale.html.eta" with { type: "text" };
import t10 from "../../../templates/email/app.stale.subject.eta" with { type: "text" };
import t11 from "../../../templates/email/app.stale.text.eta" with { type: "text" };
import t12 from "../../../templates/email/data.check_error.html.eta" with { type: "text" };
import t13 from "../../../templates/email/data.check_error.subject.eta" with { type: "text" };
import t14 from "../../../templates/email/data.check_error.text.eta" with { type: "text" };
import t15 from "../../../templates/email/data.check_failed.html.eta" with { type: "text" };
import t16 from "../../../templates/email/data.check_failed.subject.eta" with { type: "text" };
import t17 from "../../../templates/email/data.check_failed.text.eta" with { type: "text" };
import t18 from "../../../templates/email/data.check_passed.html.eta" with { type: "text" };
import t19 from "../../../templates/email/data.check_passed.subject.eta" with { type: "text" };
import t20 from "../../../templates/email/data.check_passed.text.eta" with { type: "text" };
import t21 from "../../../templates/email/digest.html.eta" with { type: "text" };
import t22 from "../../../templates/email/digest.subject.eta" with { type: "text" };
import t23 from "../../../templates/email/digest.text.eta" with { type: "text" };
import t24 from "../../../templates/email/influxdb.field_conflict.html.eta" with { type: "text" };
import t25 from "../../../templates/email/influxdb.field_conflict.subject.eta" with { type: "text" };
import t26 from "../../../templates/email/influxdb.field_conflict.text.eta" with { type: "text" };
import t27 from "../../../templates/email/license.expired.html.eta" with { type: "text" };
import t28 from "../../../templates/email/license.expired.subject.eta" with { type: "text" };
import t29 from "../../../templates/email/license.expired.text.eta" with { type: "text" };
import t30 from "../../../templates/email/license.expiring.html.eta" with { type: "text" };
import t31 from "../../../templates/email/license.expiring.subject.eta" with { type: "text" };
import t32 from "../../../templates/email/license.expiring.text.eta" with { type: "text" };
import t33 from "../../../templates/email/license.low_availability.html.eta" with { type: "text" };
import t34 from "../../../templates/email/license.low_availability.subject.eta" with { type: "text" };
import t35 from "../../../templates/email/license.low_availability.text.eta" with { type: "text" };
import t36 from "../../../templates/email/license.released.html.eta" with { type: "text" };
import t37 from "../../../templates/email/license.released.subject.eta" with { type: "text" };
import t38 from "../../../templates/email/license.released.text.eta" with { type: "text" };
import t39 from "../../../templates/email/qlikcloud.key_rejected.html.eta" with { type: "text" };
import t40 from "../../../templates/email/qlikcloud.key_rejected.subject.eta" with { type: "text" };
import t41 from "../../../templates/email/qlikcloud.key_rejected.text.eta" with { type: "text" };
import t42 from "../../../templates/email/qliksense.version_changed.html.eta" with { type: "text" };
import t43 from "../../../templates/email/qliksense.version_changed.subject.eta" with { type: "text" };
import t44 from "../../../templates/email/qliksense.version_changed.text.eta" with { type: "text" };
import t45 from "../../../templates/email/service.started.html.eta" with { type: "text" };
import t46 from "../../../templates/email/service.started.subject.eta" with { type: "text" };
import t47 from "../../../templates/email/service.started.text.eta" with { type: "text" };
import t48 from "../../../templates/email/service.stopped.html.eta" with { type: "text" };
import t49 from "../../../templates/email/service.stopped.subject.eta" with { type: "text" };
import t50 from "../../../templates/email/service.stopped.text.eta" with { type: "text" };
import t51 from "../../../templates/email/task.aborted.html.eta" with { type: "text" };
import t52 from "../../../templates/email/task.aborted.subject.eta" with { type: "text" };
import t53 from "../../../templates/email/task.aborted.text.eta" with { type: "text" };
import t54 from "../../../templates/email/task.chain_broken.html.eta" with { type: "text" };
import t55 from "../../../templates/email/task.chain_broken.subject.eta" with { type: "text" };
import t56 from "../../../templates/email/task.chain_broken.text.eta" with { type: "text" };
import t57 from "../../../templates/email/task.failed.html.eta" with { type: "text" };
import t58 from "../../../templates/email/task.failed.subject.eta" with { type: "text" };
import t59 from "../../../templates/email/task.failed.text.eta" with { type: "text" };
import t60 from "../../../templates/email/task.missed.html.eta" with { type: "text" };
import t61 from "../../../templates/email/task.missed.subject.eta" with { type: "text" };
import t62 from "../../../templates/email/task.missed.text.eta" with { type: "text" };
import t63 from "../../../templates/email/task.on_track.html.eta" with { type: "text" };
import t64 from "../../../templates/email/task.on_track.subject.eta" with { type: "text" };
import t65 from "../../../templates/email/task.on_track.text.eta" with { type: "text" };
import t66 from "../../../templates/email/task.recovered.html.eta" with { type: "text" };
import t67 from "../../../templates/email/task.recovered.subject.eta" with { type: "text" };
import t68 from "../../../templates/email/task.recovered.text.eta" with { type: "text" };
import t69 from "../../../templates/email/task.retrying.html.eta" with { type: "text" };
import t70 from "../../../templates/email/task.retrying.subject.eta" with { type: "text" };
import t71 from "../../../templates/email/task.retrying.text.eta" with { type: "text" };
import t72 from "../../../templates/email/task.running_long.html.eta" with { type: "text" };
import t73 from "../../../templates/email/task.running_long.subject.eta" with { type: "text" };
import t74 from "../../../templates/email/task.running_long.text.eta" with { type: "text" };
import t75 from "../../../templates/email/task.succeeded.html.eta" with { type: "text" };
import t76 from "../../../templates/email/task.succeeded.subject.eta" with { type: "text" };
import t77 from "../../../templates/email/task.succeeded.text.eta" with { type: "text" };
import t78 from "../../../templates/email/task.warning.html.eta" with { type: "text" };
import t79 from "../../../templates/email/task.warning.subject.eta" with { type: "text" };
import t80 from "../../../templates/email/task.warning.text.eta" with { type: "text" };
import t81 from "../../../templates/slack/_check.json.eta" with { type: "text" };
import t82 from "../../../templates/slack/_service.json.eta" with { type: "text" };
import t83 from "../../../templates/slack/_site.json.eta" with { type: "text" };
import t84 from "../../../templates/slack/_task.json.eta" with { type: "text" };
import t85 from "../../../templates/slack/app.stale.json.eta" with { type: "text" };
import t86 from "../../../templates/slack/data.check_error.json.eta" with { type: "text" };
import t87 from "../../../templates/slack/data.check_failed.json.eta" with { type: "text" };
import t88 from "../../../templates/slack/data.check_passed.json.eta" with { type: "text" };
import t89 from "../../../templates/slack/digest.json.eta" with { type: "text" };
import t90 from "../../../templates/slack/influxdb.field_conflict.json.eta" with { type: "text" };
import t91 from "../../../templates/slack/license.expired.json.eta" with { type: "text" };
import t92 from "../../../templates/slack/license.expiring.json.eta" with { type: "text" };
import t93 from "../../../templates/slack/license.low_availability.json.eta" with { type: "text" };
import t94 from "../../../templates/slack/license.released.json.eta" with { type: "text" };
import t95 from "../../../templates/slack/qlikcloud.key_rejected.json.eta" with { type: "text" };
import t96 from "../../../templates/slack/qliksense.version_changed.json.eta" with { type: "text" };
import t97 from "../../../templates/slack/service.started.json.eta" with { type: "text" };
import t98 from "../../../templates/slack/service.stopped.json.eta" with { type: "text" };
import t99 from "../../../templates/slack/task.aborted.json.eta" with { type: "text" };
import t100 from "../../../templates/slack/task.chain_broken.json.eta" with { type: "text" };
import t101 from "../../../templates/slack/task.failed.json.eta" with { type: "text" };
import t102 from "../../../templates/slack/task.missed.json.eta" with { type: "text" };
import t103 from "../../../templates/slack/task.on_track.json.eta" with { type: "text" };
import t104 from "../../../templates/slack/task.recovered.json.eta" with { type: "text" };
import t105 from "../../../templates/slack/task.retrying.json.eta" with { type: "text" };
import t106 from "../../../templates/slack/task.running_long.json.eta" with { type: "text" };
import t107 from "../../../templates/slack/task.succeeded.json.eta" with { type: "text" };
import t108 from "../../../templates/slack/task.warning.json.eta" with { type: "text" };
import t109 from "../../../templates/teams/_check.json.eta" with { type: "text" };
import t110 from "../../../templates/teams/_service.json.eta" with { type: "text" };
import t111 from "../../../templates/teams/_site.json.eta" with { type: "text" };
import t112 from "../../../templates/teams/_task.json.eta" with { type: "text" };
import t113 from "../../../templates/teams/app.stale.json.eta" with { type: "text" };
import t114 from "../../../templates/teams/data.check_error.json.eta" with { type: "text" };
import t115 from "../../../templates/teams/data.check_failed.json.eta" with { type: "text" };
import t116 from "../../../templates/teams/data.check_passed.json.eta" with { type: "text" };
import t117 from "../../../templates/teams/digest.json.eta" with { type: "text" };
import t118 from "../../../templates/teams/influxdb.field_conflict.json.eta" with { type: "text" };
import t119 from "../../../templates/teams/license.expired.json.eta" with { type: "text" };
import t120 from "../../../templates/teams/license.expiring.json.eta" with { type: "text" };
import t121 from "../../../templates/teams/license.low_availability.json.eta" with { type: "text" };
import t122 from "../../../templates/teams/license.released.json.eta" with { type: "text" };
import t123 from "../../../templates/teams/qlikcloud.key_rejected.json.eta" with { type: "text" };
import t124 from "../../../templates/teams/qliksense.version_changed.json.eta" with { type: "text" };
import t125 from "../../../templates/teams/service.started.json.eta" with { type: "text" };
import t126 from "../../../templates/teams/service.stopped.json.eta" with { type: "text" };
import t127 from "../../../templates/teams/task.aborted.json.eta" with { type: "text" };
import t128 from "../../../templates/teams/task.chain_broken.json.eta" with { type: "text" };
import t129 from "../../../templates/teams/task.failed.json.eta" with { type: "text" };
import t130 from "../../../templates/teams/task.missed.json.eta" with { type: "text" };
import t131 from "../../../templates/teams/task.on_track.json.eta" with { type: "text" };
import t132 from "../../../templates/teams/task.recovered.json.eta" with { type: "text" };
import t133 from "../../../templates/teams/task.retrying.json.eta" with { type: "text" };
import t134 from "../../../templates/teams/task.running_long.json.eta" with { type: "text" };
import t135 from "../../../templates/teams/task.succeeded.json.eta" with { type: "text" };
import t136 from "../../../templates/teams/task.warning.json.eta" with { type: "text" };
import t137 from "../../../templates/webhook/_check.json.eta" with { type: "text" };
import t138 from "../../../templates/webhook/_service.json.eta" with { type: "text" };
import t139 from "../../../templates/webhook/_site.json.eta" with { type: "text" };
import t140 from "../../../templates/webhook/_task.json.eta" with { type: "text" };
import t141 from "../../../templates/webhook/_watch.json.eta" with { type: "text" };
import t142 from "../../../templates/webhook/app.stale.json.eta" with { type: "text" };
import t143 from "../../../templates/webhook/data.check_error.json.eta" with { type: "text" };
import t144 from "../../../templates/webhook/data.check_failed.json.eta" with { type: "text" };
import t145 from "../../../templates/webhook/data.check_passed.json.eta" with { type: "text" };
import t146 from "../../../templates/webhook/digest.json.eta" with { type: "text" };
import t147 from "../../../templates/webhook/influxdb.field_conflict.json.eta" with { type: "text" };
import t148 from "../../../templates/webhook/license.expired.json.eta" with { type: "text" };
import t149 from "../../../templates/webhook/license.expiring.json.eta" with { type: "text" };
import t150 from "../../../templates/webhook/license.low_availability.json.eta" with { type: "text" };
import t151 from "../../../templates/webhook/license.released.json.eta" with { type: "text" };
import t152 from "../../../templates/webhook/qlikcloud.key_rejected.json.eta" with { type: "text" };
import t153 from "../../../templates/webhook/qliksense.version_changed.json.eta" with { type: "text" };
import t154 from "../../../templates/webhook/service.started.json.eta" with { type: "text" };
import t155 from "../../../templates/webhook/service.stopped.json.eta" with { type: "text" };
import t156 from "../../../templates/webhook/task.aborted.json.eta" with { type: "text" };
import t157 from "../../../templates/webhook/task.chain_broken.json.eta" with { type: "text" };
import t158 from "../../../templates/webhook/task.failed.json.eta" with { type: "text" };
import t159 from "../../../templates/webhook/task.missed.json.eta" with { type: "text" };
import t160 from "../../../templates/webhook/task.on_track.json.eta" with { type: "text" };
import t161 from "../../../templates/webhook/task.recovered.json.eta" with { type: "text" };
import t162 from "../../../templates/webhook/task.retrying.json.eta" with { type: "text" };
import t163 from "../../../templates/webhook/task.running_long.json.eta" with { type: "text" };
import t164 from "../../../templates/webhook/task.succeeded.json.eta" with { type: "text" };
import t165 from "../../../templates/webhook/task.warning.json.eta" with { type: "text" };

export const EMBEDDED_TEMPLATES: Readonly<Record<string, string>> = {
  "email/_check.html": t1,
  "email/_check.text": t2,
  "email/_service.html": t3,
  "email/_service.text": t4,
  "email/_site.html": t5,
  "email/_site.text": t6,
  "email/_task.html": t7,
  "email/_task.text": t8,
  "email/app.stale.html": t9,
  "email/app.stale.subject": t10,
  "email/app.stale.text": t11,
  "email/data.check_error.html": t12,
  "email/data.check_error.subject": t13,
  "email/data.check_error.text": t14,
  "email/data.check_failed.html": t15,
  "email/data.check_failed.subject": t16,
  "email/data.check_failed.text": t17,
  "email/data.check_passed.html": t18,
  "email/data.check_passed.subject": t19,
  "email/data.check_passed.text": t20,
  "email/digest.html": t21,
  "email/digest.subject": t22,
  "email/digest.text": t23,
  "email/influxdb.field_conflict.html": t24,
  "email/influxdb.field_conflict.subject": t25,
  "email/influxdb.field_conflict.text": t26,
  "email/license.expired.html": t27,
  "email/license.expired.subject": t28,
  "email/license.expired.text": t29,
  "email/license.expiring.html": t30,
  "email/license.expiring.subject": t31,
  "email/license.expiring.text": t32,
  "email/license.low_availability.html": t33,
  "email/license.low_availability.subject": t34,
  "email/license.low_availability.text": t35,
  "email/license.released.html": t36,
  "email/license.released.subject": t37,
  "email/license.released.text": t38,
  "email/qlikcloud.key_rejected.html": t39,
  "email/qlikcloud.key_rejected.subject": t40,
  "email/qlikcloud.key_rejected.text": t41,
  "email/qliksense.version_changed.html": t42,
  "email/qliksense.version_changed.subject": t43,
  "email/qliksense.version_changed.text": t44,
  "email/service.started.html": t45,
  "email/service.started.subject": t46,
  "email/service.started.text": t47,
  "email/service.stopped.html": t48,
  "email/service.stopped.subject": t49,
  "email/service.stopped.text": t50,
  "email/task.aborted.html": t51,
  "email/task.aborted.subject": t52,
  "email/task.aborted.text": t53,
  "email/task.chain_broken.html": t54,
  "email/task.chain_broken.subject": t55,
  "email/task.chain_broken.text": t56,
  "email/task.failed.html": t57,
  "email/task.failed.subject": t58,
  "email/task.failed.text": t59,
  "email/task.missed.html": t60,
  "email/task.missed.subject": t61,
  "email/task.missed.text": t62,
  "email/task.on_track.html": t63,
  "email/task.on_track.subject": t64,
  "email/task.on_track.text": t65,
  "email/task.recovered.html": t66,
  "email/task.recovered.subject": t67,
  "email/task.recovered.text": t68,
  "email/task.retrying.html": t69,
  "email/task.retrying.subject": t70,
  "email/task.retrying.text": t71,
  "email/task.running_long.html": t72,
  "email/task.running_long.subject": t73,
  "email/task.running_long.text": t74,
  "email/task.succeeded.html": t75,
  "email/task.succeeded.subject": t76,
  "email/task.succeeded.text": t77,
  "email/task.warning.html": t78,
  "email/task.warning.subject": t79,
  "email/task.warning.text": t80,
  "slack/_check.json": t81,
  "slack/_service.json": t82,
  "slack/_site.json": t83,
  "slack/_task.json": t84,
  "slack/app.stale.json": t85,
  "slack/data.check_error.json": t86,
  "slack/data.check_failed.json": t87,
  "slack/data.check_passed.json": t88,
  "slack/digest.json": t89,
  "slack/influxdb.field_conflict.json": t90,
  "slack/license.expired.json": t91,
  "slack/license.expiring.json": t92,
  "slack/license.low_availability.json": t93,
  "slack/license.released.json": t94,
  "slack/qlikcloud.key_rejected.json": t95,
  "slack/qliksense.version_changed.json": t96,
  "slack/service.started.json": t97,
  "slack/service.stopped.json": t98,
  "slack/task.aborted.json": t99,
  "slack/task.chain_broken.json": t100,
  "slack/task.failed.json": t101,
  "slack/task.missed.json": t102,
  "slack/task.on_track.json": t103,
  "slack/task.recovered.json": t104,
  "slack/task.retrying.json": t105,
  "slack/task.running_long.json": t106,
  "slack/task.succeeded.json": t107,
  "slack/task.warning.json": t108,
  "teams/_check.json": t109,
  "teams/_service.json": t110,
  "teams/_site.json": t111,
  "teams/_task.json": t112,
  "teams/app.stale.json": t113,
  "teams/data.check_error.json": t114,
  "teams/data.check_failed.json": t115,
  "teams/data.check_passed.json": t116,
  "teams/digest.json": t117,
  "teams/influxdb.field_conflict.json": t118,
  "teams/license.expired.json": t119,
  "teams/license.expiring.json": t120,
  "teams/license.low_availability.json": t121,
  "teams/license.released.json": t122,
  "teams/qlikcloud.key_rejected.json": t123,
  "teams/qliksense.version_changed.json": t124,
  "teams/service.started.json": t125,
  "teams/service.stopped.json": t126,
  "teams/task.aborted.json": t127,
  "teams/task.chain_broken.json": t128,
  "teams/task.failed.json": t129,
  "teams/task.missed.json": t130,
  "teams/task.on_track.json": t131,
  "teams/task.recovered.json": t132,
  "teams/task.retrying.json": t133,
  "teams/task.running_long.json": t134,
  "teams/task.succeeded.json": t135,
  "teams/task.warning.json": t136,
  "webhook/_check.json": t137,
  "webhook/_service.json": t138,
  "webhook/_site.json": t139,
  "webhook/_task.json": t140,
  "webhook/_watch.json": t141,
  "webhook/app.stale.json": t142,
  "webhook/data.check_error.json": t143,
  "webhook/data.check_failed.json": t144,
  "webhook/data.check_passed.json": t145,
  "webhook/digest.json": t146,
  "webhook/influxdb.field_conflict.json": t147,
  "webhook/license.expired.json": t148,
  "webhook/license.expiring.json": t149,
  "webhook/license.low_availability.json": t150,
  "webhook/license.released.json": t151,
  "webhook/qlikcloud.key_rejected.json": t152,
  "webhook/qliksense.version_changed.json": t153,
  "webhook/service.started.json": t154,
  "webhook/service.stopped.json": t155,
  "webhook/task.aborted.json": t156,
  "webhook/task.chain_broken.json": t157,
  "webhook/task.failed.json": t158,
  "webhook/task.missed.json": t159,
  "webhook/task.on_track.json": t160,
  "webhook/task.recovered.json": t161,
  "webhook/task.retrying.json": t162,
  "webhook/task.running_long.json": t163,
  "webhook/task.succeeded.json": t164,
  "webhook/task.warning.json": t165,
};
