// The built-in templates, embedded in the binary at build time (static text imports). A unit test checks
// that every file under templates/ is listed here. Written by scripts/gen-embedded-templates.ts.
import t1 from "../../../../templates/email/_check.html.eta" with { type: "text" };
import t2 from "../../../../templates/email/_check.text.eta" with { type: "text" };
import t3 from "../../../../templates/email/_service.html.eta" with { type: "text" };
import t4 from "../../../../templates/email/_service.text.eta" with { type: "text" };
import t5 from "../../../../templates/email/_site.html.eta" with { type: "text" };
import t6 from "../../../../templates/email/_site.text.eta" with { type: "text" };
import t7 from "../../../../templates/email/_task.html.eta" with { type: "text" };
import t8 from "../../../../templates/email/_task.text.eta" with { type: "text" };
import t9 from "../../../../templates/email/app.freshness_breached.html.eta" with { type: "text" };
import t10 from "../../../../templates/email/app.freshness_breached.subject.eta" with { type: "text" };
import t11 from "../../../../templates/email/app.freshness_breached.text.eta" with { type: "text" };
import t12 from "../../../../templates/email/app.freshness_recovered.html.eta" with { type: "text" };
import t13 from "../../../../templates/email/app.freshness_recovered.subject.eta" with { type: "text" };
import t14 from "../../../../templates/email/app.freshness_recovered.text.eta" with { type: "text" };
import t15 from "../../../../templates/email/app.freshness_warning.html.eta" with { type: "text" };
import t16 from "../../../../templates/email/app.freshness_warning.subject.eta" with { type: "text" };
import t17 from "../../../../templates/email/app.freshness_warning.text.eta" with { type: "text" };
import t18 from "../../../../templates/email/app.stale.html.eta" with { type: "text" };
import t19 from "../../../../templates/email/app.stale.subject.eta" with { type: "text" };
import t20 from "../../../../templates/email/app.stale.text.eta" with { type: "text" };
import t21 from "../../../../templates/email/checkin.failed.html.eta" with { type: "text" };
import t22 from "../../../../templates/email/checkin.failed.subject.eta" with { type: "text" };
import t23 from "../../../../templates/email/checkin.failed.text.eta" with { type: "text" };
import t24 from "../../../../templates/email/checkin.missed.html.eta" with { type: "text" };
import t25 from "../../../../templates/email/checkin.missed.subject.eta" with { type: "text" };
import t26 from "../../../../templates/email/checkin.missed.text.eta" with { type: "text" };
import t27 from "../../../../templates/email/checkin.recovered.html.eta" with { type: "text" };
import t28 from "../../../../templates/email/checkin.recovered.subject.eta" with { type: "text" };
import t29 from "../../../../templates/email/checkin.recovered.text.eta" with { type: "text" };
import t30 from "../../../../templates/email/checkin.running_long.html.eta" with { type: "text" };
import t31 from "../../../../templates/email/checkin.running_long.subject.eta" with { type: "text" };
import t32 from "../../../../templates/email/checkin.running_long.text.eta" with { type: "text" };
import t33 from "../../../../templates/email/data.check_error.html.eta" with { type: "text" };
import t34 from "../../../../templates/email/data.check_error.subject.eta" with { type: "text" };
import t35 from "../../../../templates/email/data.check_error.text.eta" with { type: "text" };
import t36 from "../../../../templates/email/data.check_failed.html.eta" with { type: "text" };
import t37 from "../../../../templates/email/data.check_failed.subject.eta" with { type: "text" };
import t38 from "../../../../templates/email/data.check_failed.text.eta" with { type: "text" };
import t39 from "../../../../templates/email/data.check_passed.html.eta" with { type: "text" };
import t40 from "../../../../templates/email/data.check_passed.subject.eta" with { type: "text" };
import t41 from "../../../../templates/email/data.check_passed.text.eta" with { type: "text" };
import t42 from "../../../../templates/email/digest.html.eta" with { type: "text" };
import t43 from "../../../../templates/email/digest.subject.eta" with { type: "text" };
import t44 from "../../../../templates/email/digest.text.eta" with { type: "text" };
import t45 from "../../../../templates/email/influxdb.field_conflict.html.eta" with { type: "text" };
import t46 from "../../../../templates/email/influxdb.field_conflict.subject.eta" with { type: "text" };
import t47 from "../../../../templates/email/influxdb.field_conflict.text.eta" with { type: "text" };
import t48 from "../../../../templates/email/intake.node_recovered.html.eta" with { type: "text" };
import t49 from "../../../../templates/email/intake.node_recovered.subject.eta" with { type: "text" };
import t50 from "../../../../templates/email/intake.node_recovered.text.eta" with { type: "text" };
import t51 from "../../../../templates/email/intake.node_silent.html.eta" with { type: "text" };
import t52 from "../../../../templates/email/intake.node_silent.subject.eta" with { type: "text" };
import t53 from "../../../../templates/email/intake.node_silent.text.eta" with { type: "text" };
import t54 from "../../../../templates/email/license.expired.html.eta" with { type: "text" };
import t55 from "../../../../templates/email/license.expired.subject.eta" with { type: "text" };
import t56 from "../../../../templates/email/license.expired.text.eta" with { type: "text" };
import t57 from "../../../../templates/email/license.expiring.html.eta" with { type: "text" };
import t58 from "../../../../templates/email/license.expiring.subject.eta" with { type: "text" };
import t59 from "../../../../templates/email/license.expiring.text.eta" with { type: "text" };
import t60 from "../../../../templates/email/license.low_availability.html.eta" with { type: "text" };
import t61 from "../../../../templates/email/license.low_availability.subject.eta" with { type: "text" };
import t62 from "../../../../templates/email/license.low_availability.text.eta" with { type: "text" };
import t63 from "../../../../templates/email/license.released.html.eta" with { type: "text" };
import t64 from "../../../../templates/email/license.released.subject.eta" with { type: "text" };
import t65 from "../../../../templates/email/license.released.text.eta" with { type: "text" };
import t66 from "../../../../templates/email/maintenance.summary.html.eta" with { type: "text" };
import t67 from "../../../../templates/email/maintenance.summary.subject.eta" with { type: "text" };
import t68 from "../../../../templates/email/maintenance.summary.text.eta" with { type: "text" };
import t69 from "../../../../templates/email/qlikcloud.key_expiring.html.eta" with { type: "text" };
import t70 from "../../../../templates/email/qlikcloud.key_expiring.subject.eta" with { type: "text" };
import t71 from "../../../../templates/email/qlikcloud.key_expiring.text.eta" with { type: "text" };
import t72 from "../../../../templates/email/qlikcloud.key_rejected.html.eta" with { type: "text" };
import t73 from "../../../../templates/email/qlikcloud.key_rejected.subject.eta" with { type: "text" };
import t74 from "../../../../templates/email/qlikcloud.key_rejected.text.eta" with { type: "text" };
import t75 from "../../../../templates/email/qliksense.version_changed.html.eta" with { type: "text" };
import t76 from "../../../../templates/email/qliksense.version_changed.subject.eta" with { type: "text" };
import t77 from "../../../../templates/email/qliksense.version_changed.text.eta" with { type: "text" };
import t78 from "../../../../templates/email/service.started.html.eta" with { type: "text" };
import t79 from "../../../../templates/email/service.started.subject.eta" with { type: "text" };
import t80 from "../../../../templates/email/service.started.text.eta" with { type: "text" };
import t81 from "../../../../templates/email/service.stopped.html.eta" with { type: "text" };
import t82 from "../../../../templates/email/service.stopped.subject.eta" with { type: "text" };
import t83 from "../../../../templates/email/service.stopped.text.eta" with { type: "text" };
import t84 from "../../../../templates/email/steward.degraded.html.eta" with { type: "text" };
import t85 from "../../../../templates/email/steward.degraded.subject.eta" with { type: "text" };
import t86 from "../../../../templates/email/steward.degraded.text.eta" with { type: "text" };
import t87 from "../../../../templates/email/steward.recovered.html.eta" with { type: "text" };
import t88 from "../../../../templates/email/steward.recovered.subject.eta" with { type: "text" };
import t89 from "../../../../templates/email/steward.recovered.text.eta" with { type: "text" };
import t90 from "../../../../templates/email/task.aborted.html.eta" with { type: "text" };
import t91 from "../../../../templates/email/task.aborted.subject.eta" with { type: "text" };
import t92 from "../../../../templates/email/task.aborted.text.eta" with { type: "text" };
import t93 from "../../../../templates/email/task.chain_broken.html.eta" with { type: "text" };
import t94 from "../../../../templates/email/task.chain_broken.subject.eta" with { type: "text" };
import t95 from "../../../../templates/email/task.chain_broken.text.eta" with { type: "text" };
import t96 from "../../../../templates/email/task.disabled.html.eta" with { type: "text" };
import t97 from "../../../../templates/email/task.disabled.subject.eta" with { type: "text" };
import t98 from "../../../../templates/email/task.disabled.text.eta" with { type: "text" };
import t99 from "../../../../templates/email/task.failed.html.eta" with { type: "text" };
import t100 from "../../../../templates/email/task.failed.subject.eta" with { type: "text" };
import t101 from "../../../../templates/email/task.failed.text.eta" with { type: "text" };
import t102 from "../../../../templates/email/task.missed.html.eta" with { type: "text" };
import t103 from "../../../../templates/email/task.missed.subject.eta" with { type: "text" };
import t104 from "../../../../templates/email/task.missed.text.eta" with { type: "text" };
import t105 from "../../../../templates/email/task.on_track.html.eta" with { type: "text" };
import t106 from "../../../../templates/email/task.on_track.subject.eta" with { type: "text" };
import t107 from "../../../../templates/email/task.on_track.text.eta" with { type: "text" };
import t108 from "../../../../templates/email/task.recovered.html.eta" with { type: "text" };
import t109 from "../../../../templates/email/task.recovered.subject.eta" with { type: "text" };
import t110 from "../../../../templates/email/task.recovered.text.eta" with { type: "text" };
import t111 from "../../../../templates/email/task.retrying.html.eta" with { type: "text" };
import t112 from "../../../../templates/email/task.retrying.subject.eta" with { type: "text" };
import t113 from "../../../../templates/email/task.retrying.text.eta" with { type: "text" };
import t114 from "../../../../templates/email/task.running_long.html.eta" with { type: "text" };
import t115 from "../../../../templates/email/task.running_long.subject.eta" with { type: "text" };
import t116 from "../../../../templates/email/task.running_long.text.eta" with { type: "text" };
import t117 from "../../../../templates/email/task.succeeded.html.eta" with { type: "text" };
import t118 from "../../../../templates/email/task.succeeded.subject.eta" with { type: "text" };
import t119 from "../../../../templates/email/task.succeeded.text.eta" with { type: "text" };
import t120 from "../../../../templates/email/task.warning.html.eta" with { type: "text" };
import t121 from "../../../../templates/email/task.warning.subject.eta" with { type: "text" };
import t122 from "../../../../templates/email/task.warning.text.eta" with { type: "text" };
import t123 from "../../../../templates/slack/_check.json.eta" with { type: "text" };
import t124 from "../../../../templates/slack/_service.json.eta" with { type: "text" };
import t125 from "../../../../templates/slack/_site.json.eta" with { type: "text" };
import t126 from "../../../../templates/slack/_task.json.eta" with { type: "text" };
import t127 from "../../../../templates/slack/app.freshness_breached.json.eta" with { type: "text" };
import t128 from "../../../../templates/slack/app.freshness_recovered.json.eta" with { type: "text" };
import t129 from "../../../../templates/slack/app.freshness_warning.json.eta" with { type: "text" };
import t130 from "../../../../templates/slack/app.stale.json.eta" with { type: "text" };
import t131 from "../../../../templates/slack/checkin.failed.json.eta" with { type: "text" };
import t132 from "../../../../templates/slack/checkin.missed.json.eta" with { type: "text" };
import t133 from "../../../../templates/slack/checkin.recovered.json.eta" with { type: "text" };
import t134 from "../../../../templates/slack/checkin.running_long.json.eta" with { type: "text" };
import t135 from "../../../../templates/slack/data.check_error.json.eta" with { type: "text" };
import t136 from "../../../../templates/slack/data.check_failed.json.eta" with { type: "text" };
import t137 from "../../../../templates/slack/data.check_passed.json.eta" with { type: "text" };
import t138 from "../../../../templates/slack/digest.json.eta" with { type: "text" };
import t139 from "../../../../templates/slack/influxdb.field_conflict.json.eta" with { type: "text" };
import t140 from "../../../../templates/slack/intake.node_recovered.json.eta" with { type: "text" };
import t141 from "../../../../templates/slack/intake.node_silent.json.eta" with { type: "text" };
import t142 from "../../../../templates/slack/license.expired.json.eta" with { type: "text" };
import t143 from "../../../../templates/slack/license.expiring.json.eta" with { type: "text" };
import t144 from "../../../../templates/slack/license.low_availability.json.eta" with { type: "text" };
import t145 from "../../../../templates/slack/license.released.json.eta" with { type: "text" };
import t146 from "../../../../templates/slack/maintenance.summary.json.eta" with { type: "text" };
import t147 from "../../../../templates/slack/qlikcloud.key_expiring.json.eta" with { type: "text" };
import t148 from "../../../../templates/slack/qlikcloud.key_rejected.json.eta" with { type: "text" };
import t149 from "../../../../templates/slack/qliksense.version_changed.json.eta" with { type: "text" };
import t150 from "../../../../templates/slack/service.started.json.eta" with { type: "text" };
import t151 from "../../../../templates/slack/service.stopped.json.eta" with { type: "text" };
import t152 from "../../../../templates/slack/steward.degraded.json.eta" with { type: "text" };
import t153 from "../../../../templates/slack/steward.recovered.json.eta" with { type: "text" };
import t154 from "../../../../templates/slack/task.aborted.json.eta" with { type: "text" };
import t155 from "../../../../templates/slack/task.chain_broken.json.eta" with { type: "text" };
import t156 from "../../../../templates/slack/task.disabled.json.eta" with { type: "text" };
import t157 from "../../../../templates/slack/task.failed.json.eta" with { type: "text" };
import t158 from "../../../../templates/slack/task.missed.json.eta" with { type: "text" };
import t159 from "../../../../templates/slack/task.on_track.json.eta" with { type: "text" };
import t160 from "../../../../templates/slack/task.recovered.json.eta" with { type: "text" };
import t161 from "../../../../templates/slack/task.retrying.json.eta" with { type: "text" };
import t162 from "../../../../templates/slack/task.running_long.json.eta" with { type: "text" };
import t163 from "../../../../templates/slack/task.succeeded.json.eta" with { type: "text" };
import t164 from "../../../../templates/slack/task.warning.json.eta" with { type: "text" };
import t165 from "../../../../templates/teams/_check.json.eta" with { type: "text" };
import t166 from "../../../../templates/teams/_service.json.eta" with { type: "text" };
import t167 from "../../../../templates/teams/_site.json.eta" with { type: "text" };
import t168 from "../../../../templates/teams/_task.json.eta" with { type: "text" };
import t169 from "../../../../templates/teams/app.freshness_breached.json.eta" with { type: "text" };
import t170 from "../../../../templates/teams/app.freshness_recovered.json.eta" with { type: "text" };
import t171 from "../../../../templates/teams/app.freshness_warning.json.eta" with { type: "text" };
import t172 from "../../../../templates/teams/app.stale.json.eta" with { type: "text" };
import t173 from "../../../../templates/teams/checkin.failed.json.eta" with { type: "text" };
import t174 from "../../../../templates/teams/checkin.missed.json.eta" with { type: "text" };
import t175 from "../../../../templates/teams/checkin.recovered.json.eta" with { type: "text" };
import t176 from "../../../../templates/teams/checkin.running_long.json.eta" with { type: "text" };
import t177 from "../../../../templates/teams/data.check_error.json.eta" with { type: "text" };
import t178 from "../../../../templates/teams/data.check_failed.json.eta" with { type: "text" };
import t179 from "../../../../templates/teams/data.check_passed.json.eta" with { type: "text" };
import t180 from "../../../../templates/teams/digest.json.eta" with { type: "text" };
import t181 from "../../../../templates/teams/influxdb.field_conflict.json.eta" with { type: "text" };
import t182 from "../../../../templates/teams/intake.node_recovered.json.eta" with { type: "text" };
import t183 from "../../../../templates/teams/intake.node_silent.json.eta" with { type: "text" };
import t184 from "../../../../templates/teams/license.expired.json.eta" with { type: "text" };
import t185 from "../../../../templates/teams/license.expiring.json.eta" with { type: "text" };
import t186 from "../../../../templates/teams/license.low_availability.json.eta" with { type: "text" };
import t187 from "../../../../templates/teams/license.released.json.eta" with { type: "text" };
import t188 from "../../../../templates/teams/maintenance.summary.json.eta" with { type: "text" };
import t189 from "../../../../templates/teams/qlikcloud.key_expiring.json.eta" with { type: "text" };
import t190 from "../../../../templates/teams/qlikcloud.key_rejected.json.eta" with { type: "text" };
import t191 from "../../../../templates/teams/qliksense.version_changed.json.eta" with { type: "text" };
import t192 from "../../../../templates/teams/service.started.json.eta" with { type: "text" };
import t193 from "../../../../templates/teams/service.stopped.json.eta" with { type: "text" };
import t194 from "../../../../templates/teams/steward.degraded.json.eta" with { type: "text" };
import t195 from "../../../../templates/teams/steward.recovered.json.eta" with { type: "text" };
import t196 from "../../../../templates/teams/task.aborted.json.eta" with { type: "text" };
import t197 from "../../../../templates/teams/task.chain_broken.json.eta" with { type: "text" };
import t198 from "../../../../templates/teams/task.disabled.json.eta" with { type: "text" };
import t199 from "../../../../templates/teams/task.failed.json.eta" with { type: "text" };
import t200 from "../../../../templates/teams/task.missed.json.eta" with { type: "text" };
import t201 from "../../../../templates/teams/task.on_track.json.eta" with { type: "text" };
import t202 from "../../../../templates/teams/task.recovered.json.eta" with { type: "text" };
import t203 from "../../../../templates/teams/task.retrying.json.eta" with { type: "text" };
import t204 from "../../../../templates/teams/task.running_long.json.eta" with { type: "text" };
import t205 from "../../../../templates/teams/task.succeeded.json.eta" with { type: "text" };
import t206 from "../../../../templates/teams/task.warning.json.eta" with { type: "text" };
import t207 from "../../../../templates/webhook/_check.json.eta" with { type: "text" };
import t208 from "../../../../templates/webhook/_service.json.eta" with { type: "text" };
import t209 from "../../../../templates/webhook/_site.json.eta" with { type: "text" };
import t210 from "../../../../templates/webhook/_task.json.eta" with { type: "text" };
import t211 from "../../../../templates/webhook/_watch.json.eta" with { type: "text" };
import t212 from "../../../../templates/webhook/app.freshness_breached.json.eta" with { type: "text" };
import t213 from "../../../../templates/webhook/app.freshness_recovered.json.eta" with { type: "text" };
import t214 from "../../../../templates/webhook/app.freshness_warning.json.eta" with { type: "text" };
import t215 from "../../../../templates/webhook/app.stale.json.eta" with { type: "text" };
import t216 from "../../../../templates/webhook/checkin.failed.json.eta" with { type: "text" };
import t217 from "../../../../templates/webhook/checkin.missed.json.eta" with { type: "text" };
import t218 from "../../../../templates/webhook/checkin.recovered.json.eta" with { type: "text" };
import t219 from "../../../../templates/webhook/checkin.running_long.json.eta" with { type: "text" };
import t220 from "../../../../templates/webhook/data.check_error.json.eta" with { type: "text" };
import t221 from "../../../../templates/webhook/data.check_failed.json.eta" with { type: "text" };
import t222 from "../../../../templates/webhook/data.check_passed.json.eta" with { type: "text" };
import t223 from "../../../../templates/webhook/digest.json.eta" with { type: "text" };
import t224 from "../../../../templates/webhook/influxdb.field_conflict.json.eta" with { type: "text" };
import t225 from "../../../../templates/webhook/intake.node_recovered.json.eta" with { type: "text" };
import t226 from "../../../../templates/webhook/intake.node_silent.json.eta" with { type: "text" };
import t227 from "../../../../templates/webhook/license.expired.json.eta" with { type: "text" };
import t228 from "../../../../templates/webhook/license.expiring.json.eta" with { type: "text" };
import t229 from "../../../../templates/webhook/license.low_availability.json.eta" with { type: "text" };
import t230 from "../../../../templates/webhook/license.released.json.eta" with { type: "text" };
import t231 from "../../../../templates/webhook/maintenance.summary.json.eta" with { type: "text" };
import t232 from "../../../../templates/webhook/qlikcloud.key_expiring.json.eta" with { type: "text" };
import t233 from "../../../../templates/webhook/qlikcloud.key_rejected.json.eta" with { type: "text" };
import t234 from "../../../../templates/webhook/qliksense.version_changed.json.eta" with { type: "text" };
import t235 from "../../../../templates/webhook/service.started.json.eta" with { type: "text" };
import t236 from "../../../../templates/webhook/service.stopped.json.eta" with { type: "text" };
import t237 from "../../../../templates/webhook/steward.degraded.json.eta" with { type: "text" };
import t238 from "../../../../templates/webhook/steward.recovered.json.eta" with { type: "text" };
import t239 from "../../../../templates/webhook/task.aborted.json.eta" with { type: "text" };
import t240 from "../../../../templates/webhook/task.chain_broken.json.eta" with { type: "text" };
import t241 from "../../../../templates/webhook/task.disabled.json.eta" with { type: "text" };
import t242 from "../../../../templates/webhook/task.failed.json.eta" with { type: "text" };
import t243 from "../../../../templates/webhook/task.missed.json.eta" with { type: "text" };
import t244 from "../../../../templates/webhook/task.on_track.json.eta" with { type: "text" };
import t245 from "../../../../templates/webhook/task.recovered.json.eta" with { type: "text" };
import t246 from "../../../../templates/webhook/task.retrying.json.eta" with { type: "text" };
import t247 from "../../../../templates/webhook/task.running_long.json.eta" with { type: "text" };
import t248 from "../../../../templates/webhook/task.succeeded.json.eta" with { type: "text" };
import t249 from "../../../../templates/webhook/task.warning.json.eta" with { type: "text" };

export const EMBEDDED_TEMPLATES: Readonly<Record<string, string>> = {
  "email/_check.html": t1,
  "email/_check.text": t2,
  "email/_service.html": t3,
  "email/_service.text": t4,
  "email/_site.html": t5,
  "email/_site.text": t6,
  "email/_task.html": t7,
  "email/_task.text": t8,
  "email/app.freshness_breached.html": t9,
  "email/app.freshness_breached.subject": t10,
  "email/app.freshness_breached.text": t11,
  "email/app.freshness_recovered.html": t12,
  "email/app.freshness_recovered.subject": t13,
  "email/app.freshness_recovered.text": t14,
  "email/app.freshness_warning.html": t15,
  "email/app.freshness_warning.subject": t16,
  "email/app.freshness_warning.text": t17,
  "email/app.stale.html": t18,
  "email/app.stale.subject": t19,
  "email/app.stale.text": t20,
  "email/checkin.failed.html": t21,
  "email/checkin.failed.subject": t22,
  "email/checkin.failed.text": t23,
  "email/checkin.missed.html": t24,
  "email/checkin.missed.subject": t25,
  "email/checkin.missed.text": t26,
  "email/checkin.recovered.html": t27,
  "email/checkin.recovered.subject": t28,
  "email/checkin.recovered.text": t29,
  "email/checkin.running_long.html": t30,
  "email/checkin.running_long.subject": t31,
  "email/checkin.running_long.text": t32,
  "email/data.check_error.html": t33,
  "email/data.check_error.subject": t34,
  "email/data.check_error.text": t35,
  "email/data.check_failed.html": t36,
  "email/data.check_failed.subject": t37,
  "email/data.check_failed.text": t38,
  "email/data.check_passed.html": t39,
  "email/data.check_passed.subject": t40,
  "email/data.check_passed.text": t41,
  "email/digest.html": t42,
  "email/digest.subject": t43,
  "email/digest.text": t44,
  "email/influxdb.field_conflict.html": t45,
  "email/influxdb.field_conflict.subject": t46,
  "email/influxdb.field_conflict.text": t47,
  "email/intake.node_recovered.html": t48,
  "email/intake.node_recovered.subject": t49,
  "email/intake.node_recovered.text": t50,
  "email/intake.node_silent.html": t51,
  "email/intake.node_silent.subject": t52,
  "email/intake.node_silent.text": t53,
  "email/license.expired.html": t54,
  "email/license.expired.subject": t55,
  "email/license.expired.text": t56,
  "email/license.expiring.html": t57,
  "email/license.expiring.subject": t58,
  "email/license.expiring.text": t59,
  "email/license.low_availability.html": t60,
  "email/license.low_availability.subject": t61,
  "email/license.low_availability.text": t62,
  "email/license.released.html": t63,
  "email/license.released.subject": t64,
  "email/license.released.text": t65,
  "email/maintenance.summary.html": t66,
  "email/maintenance.summary.subject": t67,
  "email/maintenance.summary.text": t68,
  "email/qlikcloud.key_expiring.html": t69,
  "email/qlikcloud.key_expiring.subject": t70,
  "email/qlikcloud.key_expiring.text": t71,
  "email/qlikcloud.key_rejected.html": t72,
  "email/qlikcloud.key_rejected.subject": t73,
  "email/qlikcloud.key_rejected.text": t74,
  "email/qliksense.version_changed.html": t75,
  "email/qliksense.version_changed.subject": t76,
  "email/qliksense.version_changed.text": t77,
  "email/service.started.html": t78,
  "email/service.started.subject": t79,
  "email/service.started.text": t80,
  "email/service.stopped.html": t81,
  "email/service.stopped.subject": t82,
  "email/service.stopped.text": t83,
  "email/steward.degraded.html": t84,
  "email/steward.degraded.subject": t85,
  "email/steward.degraded.text": t86,
  "email/steward.recovered.html": t87,
  "email/steward.recovered.subject": t88,
  "email/steward.recovered.text": t89,
  "email/task.aborted.html": t90,
  "email/task.aborted.subject": t91,
  "email/task.aborted.text": t92,
  "email/task.chain_broken.html": t93,
  "email/task.chain_broken.subject": t94,
  "email/task.chain_broken.text": t95,
  "email/task.disabled.html": t96,
  "email/task.disabled.subject": t97,
  "email/task.disabled.text": t98,
  "email/task.failed.html": t99,
  "email/task.failed.subject": t100,
  "email/task.failed.text": t101,
  "email/task.missed.html": t102,
  "email/task.missed.subject": t103,
  "email/task.missed.text": t104,
  "email/task.on_track.html": t105,
  "email/task.on_track.subject": t106,
  "email/task.on_track.text": t107,
  "email/task.recovered.html": t108,
  "email/task.recovered.subject": t109,
  "email/task.recovered.text": t110,
  "email/task.retrying.html": t111,
  "email/task.retrying.subject": t112,
  "email/task.retrying.text": t113,
  "email/task.running_long.html": t114,
  "email/task.running_long.subject": t115,
  "email/task.running_long.text": t116,
  "email/task.succeeded.html": t117,
  "email/task.succeeded.subject": t118,
  "email/task.succeeded.text": t119,
  "email/task.warning.html": t120,
  "email/task.warning.subject": t121,
  "email/task.warning.text": t122,
  "slack/_check.json": t123,
  "slack/_service.json": t124,
  "slack/_site.json": t125,
  "slack/_task.json": t126,
  "slack/app.freshness_breached.json": t127,
  "slack/app.freshness_recovered.json": t128,
  "slack/app.freshness_warning.json": t129,
  "slack/app.stale.json": t130,
  "slack/checkin.failed.json": t131,
  "slack/checkin.missed.json": t132,
  "slack/checkin.recovered.json": t133,
  "slack/checkin.running_long.json": t134,
  "slack/data.check_error.json": t135,
  "slack/data.check_failed.json": t136,
  "slack/data.check_passed.json": t137,
  "slack/digest.json": t138,
  "slack/influxdb.field_conflict.json": t139,
  "slack/intake.node_recovered.json": t140,
  "slack/intake.node_silent.json": t141,
  "slack/license.expired.json": t142,
  "slack/license.expiring.json": t143,
  "slack/license.low_availability.json": t144,
  "slack/license.released.json": t145,
  "slack/maintenance.summary.json": t146,
  "slack/qlikcloud.key_expiring.json": t147,
  "slack/qlikcloud.key_rejected.json": t148,
  "slack/qliksense.version_changed.json": t149,
  "slack/service.started.json": t150,
  "slack/service.stopped.json": t151,
  "slack/steward.degraded.json": t152,
  "slack/steward.recovered.json": t153,
  "slack/task.aborted.json": t154,
  "slack/task.chain_broken.json": t155,
  "slack/task.disabled.json": t156,
  "slack/task.failed.json": t157,
  "slack/task.missed.json": t158,
  "slack/task.on_track.json": t159,
  "slack/task.recovered.json": t160,
  "slack/task.retrying.json": t161,
  "slack/task.running_long.json": t162,
  "slack/task.succeeded.json": t163,
  "slack/task.warning.json": t164,
  "teams/_check.json": t165,
  "teams/_service.json": t166,
  "teams/_site.json": t167,
  "teams/_task.json": t168,
  "teams/app.freshness_breached.json": t169,
  "teams/app.freshness_recovered.json": t170,
  "teams/app.freshness_warning.json": t171,
  "teams/app.stale.json": t172,
  "teams/checkin.failed.json": t173,
  "teams/checkin.missed.json": t174,
  "teams/checkin.recovered.json": t175,
  "teams/checkin.running_long.json": t176,
  "teams/data.check_error.json": t177,
  "teams/data.check_failed.json": t178,
  "teams/data.check_passed.json": t179,
  "teams/digest.json": t180,
  "teams/influxdb.field_conflict.json": t181,
  "teams/intake.node_recovered.json": t182,
  "teams/intake.node_silent.json": t183,
  "teams/license.expired.json": t184,
  "teams/license.expiring.json": t185,
  "teams/license.low_availability.json": t186,
  "teams/license.released.json": t187,
  "teams/maintenance.summary.json": t188,
  "teams/qlikcloud.key_expiring.json": t189,
  "teams/qlikcloud.key_rejected.json": t190,
  "teams/qliksense.version_changed.json": t191,
  "teams/service.started.json": t192,
  "teams/service.stopped.json": t193,
  "teams/steward.degraded.json": t194,
  "teams/steward.recovered.json": t195,
  "teams/task.aborted.json": t196,
  "teams/task.chain_broken.json": t197,
  "teams/task.disabled.json": t198,
  "teams/task.failed.json": t199,
  "teams/task.missed.json": t200,
  "teams/task.on_track.json": t201,
  "teams/task.recovered.json": t202,
  "teams/task.retrying.json": t203,
  "teams/task.running_long.json": t204,
  "teams/task.succeeded.json": t205,
  "teams/task.warning.json": t206,
  "webhook/_check.json": t207,
  "webhook/_service.json": t208,
  "webhook/_site.json": t209,
  "webhook/_task.json": t210,
  "webhook/_watch.json": t211,
  "webhook/app.freshness_breached.json": t212,
  "webhook/app.freshness_recovered.json": t213,
  "webhook/app.freshness_warning.json": t214,
  "webhook/app.stale.json": t215,
  "webhook/checkin.failed.json": t216,
  "webhook/checkin.missed.json": t217,
  "webhook/checkin.recovered.json": t218,
  "webhook/checkin.running_long.json": t219,
  "webhook/data.check_error.json": t220,
  "webhook/data.check_failed.json": t221,
  "webhook/data.check_passed.json": t222,
  "webhook/digest.json": t223,
  "webhook/influxdb.field_conflict.json": t224,
  "webhook/intake.node_recovered.json": t225,
  "webhook/intake.node_silent.json": t226,
  "webhook/license.expired.json": t227,
  "webhook/license.expiring.json": t228,
  "webhook/license.low_availability.json": t229,
  "webhook/license.released.json": t230,
  "webhook/maintenance.summary.json": t231,
  "webhook/qlikcloud.key_expiring.json": t232,
  "webhook/qlikcloud.key_rejected.json": t233,
  "webhook/qliksense.version_changed.json": t234,
  "webhook/service.started.json": t235,
  "webhook/service.stopped.json": t236,
  "webhook/steward.degraded.json": t237,
  "webhook/steward.recovered.json": t238,
  "webhook/task.aborted.json": t239,
  "webhook/task.chain_broken.json": t240,
  "webhook/task.disabled.json": t241,
  "webhook/task.failed.json": t242,
  "webhook/task.missed.json": t243,
  "webhook/task.on_track.json": t244,
  "webhook/task.recovered.json": t245,
  "webhook/task.retrying.json": t246,
  "webhook/task.running_long.json": t247,
  "webhook/task.succeeded.json": t248,
  "webhook/task.warning.json": t249,
};
