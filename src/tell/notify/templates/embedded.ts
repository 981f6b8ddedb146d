// The built-in templates, embedded in the binary at build time (static text imports). A unit test checks
// that every file under templates/ is listed here. Written by scripts/gen-embedded-templates.ts.
import t1 from "../../../../templates/email/_check.html.eta" with { type: "text" };
import t2 from "../../../../templates/email/_check.text.eta" with { type: "text" };
import t3 from "../../../../templates/email/_report.html.eta" with { type: "text" };
import t4 from "../../../../templates/email/_report.text.eta" with { type: "text" };
import t5 from "../../../../templates/email/_service.html.eta" with { type: "text" };
import t6 from "../../../../templates/email/_service.text.eta" with { type: "text" };
import t7 from "../../../../templates/email/_site.html.eta" with { type: "text" };
import t8 from "../../../../templates/email/_site.text.eta" with { type: "text" };
import t9 from "../../../../templates/email/_task.html.eta" with { type: "text" };
import t10 from "../../../../templates/email/_task.text.eta" with { type: "text" };
import t11 from "../../../../templates/email/app.freshness_breached.html.eta" with { type: "text" };
import t12 from "../../../../templates/email/app.freshness_breached.subject.eta" with { type: "text" };
import t13 from "../../../../templates/email/app.freshness_breached.text.eta" with { type: "text" };
import t14 from "../../../../templates/email/app.freshness_recovered.html.eta" with { type: "text" };
import t15 from "../../../../templates/email/app.freshness_recovered.subject.eta" with { type: "text" };
import t16 from "../../../../templates/email/app.freshness_recovered.text.eta" with { type: "text" };
import t17 from "../../../../templates/email/app.freshness_warning.html.eta" with { type: "text" };
import t18 from "../../../../templates/email/app.freshness_warning.subject.eta" with { type: "text" };
import t19 from "../../../../templates/email/app.freshness_warning.text.eta" with { type: "text" };
import t20 from "../../../../templates/email/app.reload_failed.html.eta" with { type: "text" };
import t21 from "../../../../templates/email/app.reload_failed.subject.eta" with { type: "text" };
import t22 from "../../../../templates/email/app.reload_failed.text.eta" with { type: "text" };
import t23 from "../../../../templates/email/app.reload_succeeded.html.eta" with { type: "text" };
import t24 from "../../../../templates/email/app.reload_succeeded.subject.eta" with { type: "text" };
import t25 from "../../../../templates/email/app.reload_succeeded.text.eta" with { type: "text" };
import t26 from "../../../../templates/email/app.stale.html.eta" with { type: "text" };
import t27 from "../../../../templates/email/app.stale.subject.eta" with { type: "text" };
import t28 from "../../../../templates/email/app.stale.text.eta" with { type: "text" };
import t29 from "../../../../templates/email/cause.resolved.html.eta" with { type: "text" };
import t30 from "../../../../templates/email/cause.resolved.subject.eta" with { type: "text" };
import t31 from "../../../../templates/email/cause.resolved.text.eta" with { type: "text" };
import t32 from "../../../../templates/email/checkin.failed.html.eta" with { type: "text" };
import t33 from "../../../../templates/email/checkin.failed.subject.eta" with { type: "text" };
import t34 from "../../../../templates/email/checkin.failed.text.eta" with { type: "text" };
import t35 from "../../../../templates/email/checkin.missed.html.eta" with { type: "text" };
import t36 from "../../../../templates/email/checkin.missed.subject.eta" with { type: "text" };
import t37 from "../../../../templates/email/checkin.missed.text.eta" with { type: "text" };
import t38 from "../../../../templates/email/checkin.recovered.html.eta" with { type: "text" };
import t39 from "../../../../templates/email/checkin.recovered.subject.eta" with { type: "text" };
import t40 from "../../../../templates/email/checkin.recovered.text.eta" with { type: "text" };
import t41 from "../../../../templates/email/checkin.running_long.html.eta" with { type: "text" };
import t42 from "../../../../templates/email/checkin.running_long.subject.eta" with { type: "text" };
import t43 from "../../../../templates/email/checkin.running_long.text.eta" with { type: "text" };
import t44 from "../../../../templates/email/cloud.automation.disabled.html.eta" with { type: "text" };
import t45 from "../../../../templates/email/cloud.automation.disabled.subject.eta" with { type: "text" };
import t46 from "../../../../templates/email/cloud.automation.disabled.text.eta" with { type: "text" };
import t47 from "../../../../templates/email/cloud.automation.enabled.html.eta" with { type: "text" };
import t48 from "../../../../templates/email/cloud.automation.enabled.subject.eta" with { type: "text" };
import t49 from "../../../../templates/email/cloud.automation.enabled.text.eta" with { type: "text" };
import t50 from "../../../../templates/email/cloud.automation.failed.html.eta" with { type: "text" };
import t51 from "../../../../templates/email/cloud.automation.failed.subject.eta" with { type: "text" };
import t52 from "../../../../templates/email/cloud.automation.failed.text.eta" with { type: "text" };
import t53 from "../../../../templates/email/cloud.automation.recovered.html.eta" with { type: "text" };
import t54 from "../../../../templates/email/cloud.automation.recovered.subject.eta" with { type: "text" };
import t55 from "../../../../templates/email/cloud.automation.recovered.text.eta" with { type: "text" };
import t56 from "../../../../templates/email/cloud.automation.warning.html.eta" with { type: "text" };
import t57 from "../../../../templates/email/cloud.automation.warning.subject.eta" with { type: "text" };
import t58 from "../../../../templates/email/cloud.automation.warning.text.eta" with { type: "text" };
import t59 from "../../../../templates/email/cloud.datatask.failed.html.eta" with { type: "text" };
import t60 from "../../../../templates/email/cloud.datatask.failed.subject.eta" with { type: "text" };
import t61 from "../../../../templates/email/cloud.datatask.failed.text.eta" with { type: "text" };
import t62 from "../../../../templates/email/cloud.datatask.recovered.html.eta" with { type: "text" };
import t63 from "../../../../templates/email/cloud.datatask.recovered.subject.eta" with { type: "text" };
import t64 from "../../../../templates/email/cloud.datatask.recovered.text.eta" with { type: "text" };
import t65 from "../../../../templates/email/data.check_error.html.eta" with { type: "text" };
import t66 from "../../../../templates/email/data.check_error.subject.eta" with { type: "text" };
import t67 from "../../../../templates/email/data.check_error.text.eta" with { type: "text" };
import t68 from "../../../../templates/email/data.check_failed.html.eta" with { type: "text" };
import t69 from "../../../../templates/email/data.check_failed.subject.eta" with { type: "text" };
import t70 from "../../../../templates/email/data.check_failed.text.eta" with { type: "text" };
import t71 from "../../../../templates/email/data.check_passed.html.eta" with { type: "text" };
import t72 from "../../../../templates/email/data.check_passed.subject.eta" with { type: "text" };
import t73 from "../../../../templates/email/data.check_passed.text.eta" with { type: "text" };
import t74 from "../../../../templates/email/digest.html.eta" with { type: "text" };
import t75 from "../../../../templates/email/digest.subject.eta" with { type: "text" };
import t76 from "../../../../templates/email/digest.text.eta" with { type: "text" };
import t77 from "../../../../templates/email/influxdb.field_conflict.html.eta" with { type: "text" };
import t78 from "../../../../templates/email/influxdb.field_conflict.subject.eta" with { type: "text" };
import t79 from "../../../../templates/email/influxdb.field_conflict.text.eta" with { type: "text" };
import t80 from "../../../../templates/email/intake.node_recovered.html.eta" with { type: "text" };
import t81 from "../../../../templates/email/intake.node_recovered.subject.eta" with { type: "text" };
import t82 from "../../../../templates/email/intake.node_recovered.text.eta" with { type: "text" };
import t83 from "../../../../templates/email/intake.node_silent.html.eta" with { type: "text" };
import t84 from "../../../../templates/email/intake.node_silent.subject.eta" with { type: "text" };
import t85 from "../../../../templates/email/intake.node_silent.text.eta" with { type: "text" };
import t86 from "../../../../templates/email/license.expired.html.eta" with { type: "text" };
import t87 from "../../../../templates/email/license.expired.subject.eta" with { type: "text" };
import t88 from "../../../../templates/email/license.expired.text.eta" with { type: "text" };
import t89 from "../../../../templates/email/license.expiring.html.eta" with { type: "text" };
import t90 from "../../../../templates/email/license.expiring.subject.eta" with { type: "text" };
import t91 from "../../../../templates/email/license.expiring.text.eta" with { type: "text" };
import t92 from "../../../../templates/email/license.low_availability.html.eta" with { type: "text" };
import t93 from "../../../../templates/email/license.low_availability.subject.eta" with { type: "text" };
import t94 from "../../../../templates/email/license.low_availability.text.eta" with { type: "text" };
import t95 from "../../../../templates/email/license.released.html.eta" with { type: "text" };
import t96 from "../../../../templates/email/license.released.subject.eta" with { type: "text" };
import t97 from "../../../../templates/email/license.released.text.eta" with { type: "text" };
import t98 from "../../../../templates/email/maintenance.summary.html.eta" with { type: "text" };
import t99 from "../../../../templates/email/maintenance.summary.subject.eta" with { type: "text" };
import t100 from "../../../../templates/email/maintenance.summary.text.eta" with { type: "text" };
import t101 from "../../../../templates/email/qlikcloud.key_expiring.html.eta" with { type: "text" };
import t102 from "../../../../templates/email/qlikcloud.key_expiring.subject.eta" with { type: "text" };
import t103 from "../../../../templates/email/qlikcloud.key_expiring.text.eta" with { type: "text" };
import t104 from "../../../../templates/email/qlikcloud.key_rejected.html.eta" with { type: "text" };
import t105 from "../../../../templates/email/qlikcloud.key_rejected.subject.eta" with { type: "text" };
import t106 from "../../../../templates/email/qlikcloud.key_rejected.text.eta" with { type: "text" };
import t107 from "../../../../templates/email/qliksense.version_changed.html.eta" with { type: "text" };
import t108 from "../../../../templates/email/qliksense.version_changed.subject.eta" with { type: "text" };
import t109 from "../../../../templates/email/qliksense.version_changed.text.eta" with { type: "text" };
import t110 from "../../../../templates/email/remediation.action_update.html.eta" with { type: "text" };
import t111 from "../../../../templates/email/remediation.action_update.subject.eta" with { type: "text" };
import t112 from "../../../../templates/email/remediation.action_update.text.eta" with { type: "text" };
import t113 from "../../../../templates/email/report.morning.html.eta" with { type: "text" };
import t114 from "../../../../templates/email/report.morning.subject.eta" with { type: "text" };
import t115 from "../../../../templates/email/report.morning.text.eta" with { type: "text" };
import t116 from "../../../../templates/email/report.weekly.html.eta" with { type: "text" };
import t117 from "../../../../templates/email/report.weekly.subject.eta" with { type: "text" };
import t118 from "../../../../templates/email/report.weekly.text.eta" with { type: "text" };
import t119 from "../../../../templates/email/scheduler.queue_backlog.html.eta" with { type: "text" };
import t120 from "../../../../templates/email/scheduler.queue_backlog.subject.eta" with { type: "text" };
import t121 from "../../../../templates/email/scheduler.queue_backlog.text.eta" with { type: "text" };
import t122 from "../../../../templates/email/service.started.html.eta" with { type: "text" };
import t123 from "../../../../templates/email/service.started.subject.eta" with { type: "text" };
import t124 from "../../../../templates/email/service.started.text.eta" with { type: "text" };
import t125 from "../../../../templates/email/service.stopped.html.eta" with { type: "text" };
import t126 from "../../../../templates/email/service.stopped.subject.eta" with { type: "text" };
import t127 from "../../../../templates/email/service.stopped.text.eta" with { type: "text" };
import t128 from "../../../../templates/email/steward.degraded.html.eta" with { type: "text" };
import t129 from "../../../../templates/email/steward.degraded.subject.eta" with { type: "text" };
import t130 from "../../../../templates/email/steward.degraded.text.eta" with { type: "text" };
import t131 from "../../../../templates/email/steward.recovered.html.eta" with { type: "text" };
import t132 from "../../../../templates/email/steward.recovered.subject.eta" with { type: "text" };
import t133 from "../../../../templates/email/steward.recovered.text.eta" with { type: "text" };
import t134 from "../../../../templates/email/task.aborted.html.eta" with { type: "text" };
import t135 from "../../../../templates/email/task.aborted.subject.eta" with { type: "text" };
import t136 from "../../../../templates/email/task.aborted.text.eta" with { type: "text" };
import t137 from "../../../../templates/email/task.chain_broken.html.eta" with { type: "text" };
import t138 from "../../../../templates/email/task.chain_broken.subject.eta" with { type: "text" };
import t139 from "../../../../templates/email/task.chain_broken.text.eta" with { type: "text" };
import t140 from "../../../../templates/email/task.disabled.html.eta" with { type: "text" };
import t141 from "../../../../templates/email/task.disabled.subject.eta" with { type: "text" };
import t142 from "../../../../templates/email/task.disabled.text.eta" with { type: "text" };
import t143 from "../../../../templates/email/task.failed.html.eta" with { type: "text" };
import t144 from "../../../../templates/email/task.failed.subject.eta" with { type: "text" };
import t145 from "../../../../templates/email/task.failed.text.eta" with { type: "text" };
import t146 from "../../../../templates/email/task.missed.html.eta" with { type: "text" };
import t147 from "../../../../templates/email/task.missed.subject.eta" with { type: "text" };
import t148 from "../../../../templates/email/task.missed.text.eta" with { type: "text" };
import t149 from "../../../../templates/email/task.notice.html.eta" with { type: "text" };
import t150 from "../../../../templates/email/task.notice.subject.eta" with { type: "text" };
import t151 from "../../../../templates/email/task.notice.text.eta" with { type: "text" };
import t152 from "../../../../templates/email/task.on_track.html.eta" with { type: "text" };
import t153 from "../../../../templates/email/task.on_track.subject.eta" with { type: "text" };
import t154 from "../../../../templates/email/task.on_track.text.eta" with { type: "text" };
import t155 from "../../../../templates/email/task.recovered.html.eta" with { type: "text" };
import t156 from "../../../../templates/email/task.recovered.subject.eta" with { type: "text" };
import t157 from "../../../../templates/email/task.recovered.text.eta" with { type: "text" };
import t158 from "../../../../templates/email/task.retrying.html.eta" with { type: "text" };
import t159 from "../../../../templates/email/task.retrying.subject.eta" with { type: "text" };
import t160 from "../../../../templates/email/task.retrying.text.eta" with { type: "text" };
import t161 from "../../../../templates/email/task.running_long.html.eta" with { type: "text" };
import t162 from "../../../../templates/email/task.running_long.subject.eta" with { type: "text" };
import t163 from "../../../../templates/email/task.running_long.text.eta" with { type: "text" };
import t164 from "../../../../templates/email/task.succeeded.html.eta" with { type: "text" };
import t165 from "../../../../templates/email/task.succeeded.subject.eta" with { type: "text" };
import t166 from "../../../../templates/email/task.succeeded.text.eta" with { type: "text" };
import t167 from "../../../../templates/email/task.warning.html.eta" with { type: "text" };
import t168 from "../../../../templates/email/task.warning.subject.eta" with { type: "text" };
import t169 from "../../../../templates/email/task.warning.text.eta" with { type: "text" };
import t170 from "../../../../templates/slack/_check.json.eta" with { type: "text" };
import t171 from "../../../../templates/slack/_report.json.eta" with { type: "text" };
import t172 from "../../../../templates/slack/_service.json.eta" with { type: "text" };
import t173 from "../../../../templates/slack/_site.json.eta" with { type: "text" };
import t174 from "../../../../templates/slack/_task.json.eta" with { type: "text" };
import t175 from "../../../../templates/slack/app.freshness_breached.json.eta" with { type: "text" };
import t176 from "../../../../templates/slack/app.freshness_recovered.json.eta" with { type: "text" };
import t177 from "../../../../templates/slack/app.freshness_warning.json.eta" with { type: "text" };
import t178 from "../../../../templates/slack/app.reload_failed.json.eta" with { type: "text" };
import t179 from "../../../../templates/slack/app.reload_succeeded.json.eta" with { type: "text" };
import t180 from "../../../../templates/slack/app.stale.json.eta" with { type: "text" };
import t181 from "../../../../templates/slack/cause.resolved.json.eta" with { type: "text" };
import t182 from "../../../../templates/slack/checkin.failed.json.eta" with { type: "text" };
import t183 from "../../../../templates/slack/checkin.missed.json.eta" with { type: "text" };
import t184 from "../../../../templates/slack/checkin.recovered.json.eta" with { type: "text" };
import t185 from "../../../../templates/slack/checkin.running_long.json.eta" with { type: "text" };
import t186 from "../../../../templates/slack/cloud.automation.disabled.json.eta" with { type: "text" };
import t187 from "../../../../templates/slack/cloud.automation.enabled.json.eta" with { type: "text" };
import t188 from "../../../../templates/slack/cloud.automation.failed.json.eta" with { type: "text" };
import t189 from "../../../../templates/slack/cloud.automation.recovered.json.eta" with { type: "text" };
import t190 from "../../../../templates/slack/cloud.automation.warning.json.eta" with { type: "text" };
import t191 from "../../../../templates/slack/cloud.datatask.failed.json.eta" with { type: "text" };
import t192 from "../../../../templates/slack/cloud.datatask.recovered.json.eta" with { type: "text" };
import t193 from "../../../../templates/slack/data.check_error.json.eta" with { type: "text" };
import t194 from "../../../../templates/slack/data.check_failed.json.eta" with { type: "text" };
import t195 from "../../../../templates/slack/data.check_passed.json.eta" with { type: "text" };
import t196 from "../../../../templates/slack/digest.json.eta" with { type: "text" };
import t197 from "../../../../templates/slack/influxdb.field_conflict.json.eta" with { type: "text" };
import t198 from "../../../../templates/slack/intake.node_recovered.json.eta" with { type: "text" };
import t199 from "../../../../templates/slack/intake.node_silent.json.eta" with { type: "text" };
import t200 from "../../../../templates/slack/license.expired.json.eta" with { type: "text" };
import t201 from "../../../../templates/slack/license.expiring.json.eta" with { type: "text" };
import t202 from "../../../../templates/slack/license.low_availability.json.eta" with { type: "text" };
import t203 from "../../../../templates/slack/license.released.json.eta" with { type: "text" };
import t204 from "../../../../templates/slack/maintenance.summary.json.eta" with { type: "text" };
import t205 from "../../../../templates/slack/qlikcloud.key_expiring.json.eta" with { type: "text" };
import t206 from "../../../../templates/slack/qlikcloud.key_rejected.json.eta" with { type: "text" };
import t207 from "../../../../templates/slack/qliksense.version_changed.json.eta" with { type: "text" };
import t208 from "../../../../templates/slack/remediation.action_update.json.eta" with { type: "text" };
import t209 from "../../../../templates/slack/report.morning.json.eta" with { type: "text" };
import t210 from "../../../../templates/slack/report.weekly.json.eta" with { type: "text" };
import t211 from "../../../../templates/slack/scheduler.queue_backlog.json.eta" with { type: "text" };
import t212 from "../../../../templates/slack/service.started.json.eta" with { type: "text" };
import t213 from "../../../../templates/slack/service.stopped.json.eta" with { type: "text" };
import t214 from "../../../../templates/slack/steward.degraded.json.eta" with { type: "text" };
import t215 from "../../../../templates/slack/steward.recovered.json.eta" with { type: "text" };
import t216 from "../../../../templates/slack/task.aborted.json.eta" with { type: "text" };
import t217 from "../../../../templates/slack/task.chain_broken.json.eta" with { type: "text" };
import t218 from "../../../../templates/slack/task.disabled.json.eta" with { type: "text" };
import t219 from "../../../../templates/slack/task.failed.json.eta" with { type: "text" };
import t220 from "../../../../templates/slack/task.missed.json.eta" with { type: "text" };
import t221 from "../../../../templates/slack/task.notice.json.eta" with { type: "text" };
import t222 from "../../../../templates/slack/task.on_track.json.eta" with { type: "text" };
import t223 from "../../../../templates/slack/task.recovered.json.eta" with { type: "text" };
import t224 from "../../../../templates/slack/task.retrying.json.eta" with { type: "text" };
import t225 from "../../../../templates/slack/task.running_long.json.eta" with { type: "text" };
import t226 from "../../../../templates/slack/task.succeeded.json.eta" with { type: "text" };
import t227 from "../../../../templates/slack/task.warning.json.eta" with { type: "text" };
import t228 from "../../../../templates/teams/_check.json.eta" with { type: "text" };
import t229 from "../../../../templates/teams/_report.json.eta" with { type: "text" };
import t230 from "../../../../templates/teams/_service.json.eta" with { type: "text" };
import t231 from "../../../../templates/teams/_site.json.eta" with { type: "text" };
import t232 from "../../../../templates/teams/_task.json.eta" with { type: "text" };
import t233 from "../../../../templates/teams/app.freshness_breached.json.eta" with { type: "text" };
import t234 from "../../../../templates/teams/app.freshness_recovered.json.eta" with { type: "text" };
import t235 from "../../../../templates/teams/app.freshness_warning.json.eta" with { type: "text" };
import t236 from "../../../../templates/teams/app.reload_failed.json.eta" with { type: "text" };
import t237 from "../../../../templates/teams/app.reload_succeeded.json.eta" with { type: "text" };
import t238 from "../../../../templates/teams/app.stale.json.eta" with { type: "text" };
import t239 from "../../../../templates/teams/cause.resolved.json.eta" with { type: "text" };
import t240 from "../../../../templates/teams/checkin.failed.json.eta" with { type: "text" };
import t241 from "../../../../templates/teams/checkin.missed.json.eta" with { type: "text" };
import t242 from "../../../../templates/teams/checkin.recovered.json.eta" with { type: "text" };
import t243 from "../../../../templates/teams/checkin.running_long.json.eta" with { type: "text" };
import t244 from "../../../../templates/teams/cloud.automation.disabled.json.eta" with { type: "text" };
import t245 from "../../../../templates/teams/cloud.automation.enabled.json.eta" with { type: "text" };
import t246 from "../../../../templates/teams/cloud.automation.failed.json.eta" with { type: "text" };
import t247 from "../../../../templates/teams/cloud.automation.recovered.json.eta" with { type: "text" };
import t248 from "../../../../templates/teams/cloud.automation.warning.json.eta" with { type: "text" };
import t249 from "../../../../templates/teams/cloud.datatask.failed.json.eta" with { type: "text" };
import t250 from "../../../../templates/teams/cloud.datatask.recovered.json.eta" with { type: "text" };
import t251 from "../../../../templates/teams/data.check_error.json.eta" with { type: "text" };
import t252 from "../../../../templates/teams/data.check_failed.json.eta" with { type: "text" };
import t253 from "../../../../templates/teams/data.check_passed.json.eta" with { type: "text" };
import t254 from "../../../../templates/teams/digest.json.eta" with { type: "text" };
import t255 from "../../../../templates/teams/influxdb.field_conflict.json.eta" with { type: "text" };
import t256 from "../../../../templates/teams/intake.node_recovered.json.eta" with { type: "text" };
import t257 from "../../../../templates/teams/intake.node_silent.json.eta" with { type: "text" };
import t258 from "../../../../templates/teams/license.expired.json.eta" with { type: "text" };
import t259 from "../../../../templates/teams/license.expiring.json.eta" with { type: "text" };
import t260 from "../../../../templates/teams/license.low_availability.json.eta" with { type: "text" };
import t261 from "../../../../templates/teams/license.released.json.eta" with { type: "text" };
import t262 from "../../../../templates/teams/maintenance.summary.json.eta" with { type: "text" };
import t263 from "../../../../templates/teams/qlikcloud.key_expiring.json.eta" with { type: "text" };
import t264 from "../../../../templates/teams/qlikcloud.key_rejected.json.eta" with { type: "text" };
import t265 from "../../../../templates/teams/qliksense.version_changed.json.eta" with { type: "text" };
import t266 from "../../../../templates/teams/remediation.action_update.json.eta" with { type: "text" };
import t267 from "../../../../templates/teams/report.morning.json.eta" with { type: "text" };
import t268 from "../../../../templates/teams/report.weekly.json.eta" with { type: "text" };
import t269 from "../../../../templates/teams/scheduler.queue_backlog.json.eta" with { type: "text" };
import t270 from "../../../../templates/teams/service.started.json.eta" with { type: "text" };
import t271 from "../../../../templates/teams/service.stopped.json.eta" with { type: "text" };
import t272 from "../../../../templates/teams/steward.degraded.json.eta" with { type: "text" };
import t273 from "../../../../templates/teams/steward.recovered.json.eta" with { type: "text" };
import t274 from "../../../../templates/teams/task.aborted.json.eta" with { type: "text" };
import t275 from "../../../../templates/teams/task.chain_broken.json.eta" with { type: "text" };
import t276 from "../../../../templates/teams/task.disabled.json.eta" with { type: "text" };
import t277 from "../../../../templates/teams/task.failed.json.eta" with { type: "text" };
import t278 from "../../../../templates/teams/task.missed.json.eta" with { type: "text" };
import t279 from "../../../../templates/teams/task.notice.json.eta" with { type: "text" };
import t280 from "../../../../templates/teams/task.on_track.json.eta" with { type: "text" };
import t281 from "../../../../templates/teams/task.recovered.json.eta" with { type: "text" };
import t282 from "../../../../templates/teams/task.retrying.json.eta" with { type: "text" };
import t283 from "../../../../templates/teams/task.running_long.json.eta" with { type: "text" };
import t284 from "../../../../templates/teams/task.succeeded.json.eta" with { type: "text" };
import t285 from "../../../../templates/teams/task.warning.json.eta" with { type: "text" };
import t286 from "../../../../templates/webhook/_check.json.eta" with { type: "text" };
import t287 from "../../../../templates/webhook/_service.json.eta" with { type: "text" };
import t288 from "../../../../templates/webhook/_site.json.eta" with { type: "text" };
import t289 from "../../../../templates/webhook/_task.json.eta" with { type: "text" };
import t290 from "../../../../templates/webhook/_watch.json.eta" with { type: "text" };
import t291 from "../../../../templates/webhook/app.freshness_breached.json.eta" with { type: "text" };
import t292 from "../../../../templates/webhook/app.freshness_recovered.json.eta" with { type: "text" };
import t293 from "../../../../templates/webhook/app.freshness_warning.json.eta" with { type: "text" };
import t294 from "../../../../templates/webhook/app.reload_failed.json.eta" with { type: "text" };
import t295 from "../../../../templates/webhook/app.reload_succeeded.json.eta" with { type: "text" };
import t296 from "../../../../templates/webhook/app.stale.json.eta" with { type: "text" };
import t297 from "../../../../templates/webhook/cause.resolved.json.eta" with { type: "text" };
import t298 from "../../../../templates/webhook/checkin.failed.json.eta" with { type: "text" };
import t299 from "../../../../templates/webhook/checkin.missed.json.eta" with { type: "text" };
import t300 from "../../../../templates/webhook/checkin.recovered.json.eta" with { type: "text" };
import t301 from "../../../../templates/webhook/checkin.running_long.json.eta" with { type: "text" };
import t302 from "../../../../templates/webhook/cloud.automation.disabled.json.eta" with { type: "text" };
import t303 from "../../../../templates/webhook/cloud.automation.enabled.json.eta" with { type: "text" };
import t304 from "../../../../templates/webhook/cloud.automation.failed.json.eta" with { type: "text" };
import t305 from "../../../../templates/webhook/cloud.automation.recovered.json.eta" with { type: "text" };
import t306 from "../../../../templates/webhook/cloud.automation.warning.json.eta" with { type: "text" };
import t307 from "../../../../templates/webhook/cloud.datatask.failed.json.eta" with { type: "text" };
import t308 from "../../../../templates/webhook/cloud.datatask.recovered.json.eta" with { type: "text" };
import t309 from "../../../../templates/webhook/data.check_error.json.eta" with { type: "text" };
import t310 from "../../../../templates/webhook/data.check_failed.json.eta" with { type: "text" };
import t311 from "../../../../templates/webhook/data.check_passed.json.eta" with { type: "text" };
import t312 from "../../../../templates/webhook/digest.json.eta" with { type: "text" };
import t313 from "../../../../templates/webhook/influxdb.field_conflict.json.eta" with { type: "text" };
import t314 from "../../../../templates/webhook/intake.node_recovered.json.eta" with { type: "text" };
import t315 from "../../../../templates/webhook/intake.node_silent.json.eta" with { type: "text" };
import t316 from "../../../../templates/webhook/license.expired.json.eta" with { type: "text" };
import t317 from "../../../../templates/webhook/license.expiring.json.eta" with { type: "text" };
import t318 from "../../../../templates/webhook/license.low_availability.json.eta" with { type: "text" };
import t319 from "../../../../templates/webhook/license.released.json.eta" with { type: "text" };
import t320 from "../../../../templates/webhook/maintenance.summary.json.eta" with { type: "text" };
import t321 from "../../../../templates/webhook/qlikcloud.key_expiring.json.eta" with { type: "text" };
import t322 from "../../../../templates/webhook/qlikcloud.key_rejected.json.eta" with { type: "text" };
import t323 from "../../../../templates/webhook/qliksense.version_changed.json.eta" with { type: "text" };
import t324 from "../../../../templates/webhook/remediation.action_update.json.eta" with { type: "text" };
import t325 from "../../../../templates/webhook/report.morning.json.eta" with { type: "text" };
import t326 from "../../../../templates/webhook/report.weekly.json.eta" with { type: "text" };
import t327 from "../../../../templates/webhook/scheduler.queue_backlog.json.eta" with { type: "text" };
import t328 from "../../../../templates/webhook/service.started.json.eta" with { type: "text" };
import t329 from "../../../../templates/webhook/service.stopped.json.eta" with { type: "text" };
import t330 from "../../../../templates/webhook/steward.degraded.json.eta" with { type: "text" };
import t331 from "../../../../templates/webhook/steward.recovered.json.eta" with { type: "text" };
import t332 from "../../../../templates/webhook/task.aborted.json.eta" with { type: "text" };
import t333 from "../../../../templates/webhook/task.chain_broken.json.eta" with { type: "text" };
import t334 from "../../../../templates/webhook/task.disabled.json.eta" with { type: "text" };
import t335 from "../../../../templates/webhook/task.failed.json.eta" with { type: "text" };
import t336 from "../../../../templates/webhook/task.missed.json.eta" with { type: "text" };
import t337 from "../../../../templates/webhook/task.notice.json.eta" with { type: "text" };
import t338 from "../../../../templates/webhook/task.on_track.json.eta" with { type: "text" };
import t339 from "../../../../templates/webhook/task.recovered.json.eta" with { type: "text" };
import t340 from "../../../../templates/webhook/task.retrying.json.eta" with { type: "text" };
import t341 from "../../../../templates/webhook/task.running_long.json.eta" with { type: "text" };
import t342 from "../../../../templates/webhook/task.succeeded.json.eta" with { type: "text" };
import t343 from "../../../../templates/webhook/task.warning.json.eta" with { type: "text" };

export const EMBEDDED_TEMPLATES: Readonly<Record<string, string>> = {
  "email/_check.html": t1,
  "email/_check.text": t2,
  "email/_report.html": t3,
  "email/_report.text": t4,
  "email/_service.html": t5,
  "email/_service.text": t6,
  "email/_site.html": t7,
  "email/_site.text": t8,
  "email/_task.html": t9,
  "email/_task.text": t10,
  "email/app.freshness_breached.html": t11,
  "email/app.freshness_breached.subject": t12,
  "email/app.freshness_breached.text": t13,
  "email/app.freshness_recovered.html": t14,
  "email/app.freshness_recovered.subject": t15,
  "email/app.freshness_recovered.text": t16,
  "email/app.freshness_warning.html": t17,
  "email/app.freshness_warning.subject": t18,
  "email/app.freshness_warning.text": t19,
  "email/app.reload_failed.html": t20,
  "email/app.reload_failed.subject": t21,
  "email/app.reload_failed.text": t22,
  "email/app.reload_succeeded.html": t23,
  "email/app.reload_succeeded.subject": t24,
  "email/app.reload_succeeded.text": t25,
  "email/app.stale.html": t26,
  "email/app.stale.subject": t27,
  "email/app.stale.text": t28,
  "email/cause.resolved.html": t29,
  "email/cause.resolved.subject": t30,
  "email/cause.resolved.text": t31,
  "email/checkin.failed.html": t32,
  "email/checkin.failed.subject": t33,
  "email/checkin.failed.text": t34,
  "email/checkin.missed.html": t35,
  "email/checkin.missed.subject": t36,
  "email/checkin.missed.text": t37,
  "email/checkin.recovered.html": t38,
  "email/checkin.recovered.subject": t39,
  "email/checkin.recovered.text": t40,
  "email/checkin.running_long.html": t41,
  "email/checkin.running_long.subject": t42,
  "email/checkin.running_long.text": t43,
  "email/cloud.automation.disabled.html": t44,
  "email/cloud.automation.disabled.subject": t45,
  "email/cloud.automation.disabled.text": t46,
  "email/cloud.automation.enabled.html": t47,
  "email/cloud.automation.enabled.subject": t48,
  "email/cloud.automation.enabled.text": t49,
  "email/cloud.automation.failed.html": t50,
  "email/cloud.automation.failed.subject": t51,
  "email/cloud.automation.failed.text": t52,
  "email/cloud.automation.recovered.html": t53,
  "email/cloud.automation.recovered.subject": t54,
  "email/cloud.automation.recovered.text": t55,
  "email/cloud.automation.warning.html": t56,
  "email/cloud.automation.warning.subject": t57,
  "email/cloud.automation.warning.text": t58,
  "email/cloud.datatask.failed.html": t59,
  "email/cloud.datatask.failed.subject": t60,
  "email/cloud.datatask.failed.text": t61,
  "email/cloud.datatask.recovered.html": t62,
  "email/cloud.datatask.recovered.subject": t63,
  "email/cloud.datatask.recovered.text": t64,
  "email/data.check_error.html": t65,
  "email/data.check_error.subject": t66,
  "email/data.check_error.text": t67,
  "email/data.check_failed.html": t68,
  "email/data.check_failed.subject": t69,
  "email/data.check_failed.text": t70,
  "email/data.check_passed.html": t71,
  "email/data.check_passed.subject": t72,
  "email/data.check_passed.text": t73,
  "email/digest.html": t74,
  "email/digest.subject": t75,
  "email/digest.text": t76,
  "email/influxdb.field_conflict.html": t77,
  "email/influxdb.field_conflict.subject": t78,
  "email/influxdb.field_conflict.text": t79,
  "email/intake.node_recovered.html": t80,
  "email/intake.node_recovered.subject": t81,
  "email/intake.node_recovered.text": t82,
  "email/intake.node_silent.html": t83,
  "email/intake.node_silent.subject": t84,
  "email/intake.node_silent.text": t85,
  "email/license.expired.html": t86,
  "email/license.expired.subject": t87,
  "email/license.expired.text": t88,
  "email/license.expiring.html": t89,
  "email/license.expiring.subject": t90,
  "email/license.expiring.text": t91,
  "email/license.low_availability.html": t92,
  "email/license.low_availability.subject": t93,
  "email/license.low_availability.text": t94,
  "email/license.released.html": t95,
  "email/license.released.subject": t96,
  "email/license.released.text": t97,
  "email/maintenance.summary.html": t98,
  "email/maintenance.summary.subject": t99,
  "email/maintenance.summary.text": t100,
  "email/qlikcloud.key_expiring.html": t101,
  "email/qlikcloud.key_expiring.subject": t102,
  "email/qlikcloud.key_expiring.text": t103,
  "email/qlikcloud.key_rejected.html": t104,
  "email/qlikcloud.key_rejected.subject": t105,
  "email/qlikcloud.key_rejected.text": t106,
  "email/qliksense.version_changed.html": t107,
  "email/qliksense.version_changed.subject": t108,
  "email/qliksense.version_changed.text": t109,
  "email/remediation.action_update.html": t110,
  "email/remediation.action_update.subject": t111,
  "email/remediation.action_update.text": t112,
  "email/report.morning.html": t113,
  "email/report.morning.subject": t114,
  "email/report.morning.text": t115,
  "email/report.weekly.html": t116,
  "email/report.weekly.subject": t117,
  "email/report.weekly.text": t118,
  "email/scheduler.queue_backlog.html": t119,
  "email/scheduler.queue_backlog.subject": t120,
  "email/scheduler.queue_backlog.text": t121,
  "email/service.started.html": t122,
  "email/service.started.subject": t123,
  "email/service.started.text": t124,
  "email/service.stopped.html": t125,
  "email/service.stopped.subject": t126,
  "email/service.stopped.text": t127,
  "email/steward.degraded.html": t128,
  "email/steward.degraded.subject": t129,
  "email/steward.degraded.text": t130,
  "email/steward.recovered.html": t131,
  "email/steward.recovered.subject": t132,
  "email/steward.recovered.text": t133,
  "email/task.aborted.html": t134,
  "email/task.aborted.subject": t135,
  "email/task.aborted.text": t136,
  "email/task.chain_broken.html": t137,
  "email/task.chain_broken.subject": t138,
  "email/task.chain_broken.text": t139,
  "email/task.disabled.html": t140,
  "email/task.disabled.subject": t141,
  "email/task.disabled.text": t142,
  "email/task.failed.html": t143,
  "email/task.failed.subject": t144,
  "email/task.failed.text": t145,
  "email/task.missed.html": t146,
  "email/task.missed.subject": t147,
  "email/task.missed.text": t148,
  "email/task.notice.html": t149,
  "email/task.notice.subject": t150,
  "email/task.notice.text": t151,
  "email/task.on_track.html": t152,
  "email/task.on_track.subject": t153,
  "email/task.on_track.text": t154,
  "email/task.recovered.html": t155,
  "email/task.recovered.subject": t156,
  "email/task.recovered.text": t157,
  "email/task.retrying.html": t158,
  "email/task.retrying.subject": t159,
  "email/task.retrying.text": t160,
  "email/task.running_long.html": t161,
  "email/task.running_long.subject": t162,
  "email/task.running_long.text": t163,
  "email/task.succeeded.html": t164,
  "email/task.succeeded.subject": t165,
  "email/task.succeeded.text": t166,
  "email/task.warning.html": t167,
  "email/task.warning.subject": t168,
  "email/task.warning.text": t169,
  "slack/_check.json": t170,
  "slack/_report.json": t171,
  "slack/_service.json": t172,
  "slack/_site.json": t173,
  "slack/_task.json": t174,
  "slack/app.freshness_breached.json": t175,
  "slack/app.freshness_recovered.json": t176,
  "slack/app.freshness_warning.json": t177,
  "slack/app.reload_failed.json": t178,
  "slack/app.reload_succeeded.json": t179,
  "slack/app.stale.json": t180,
  "slack/cause.resolved.json": t181,
  "slack/checkin.failed.json": t182,
  "slack/checkin.missed.json": t183,
  "slack/checkin.recovered.json": t184,
  "slack/checkin.running_long.json": t185,
  "slack/cloud.automation.disabled.json": t186,
  "slack/cloud.automation.enabled.json": t187,
  "slack/cloud.automation.failed.json": t188,
  "slack/cloud.automation.recovered.json": t189,
  "slack/cloud.automation.warning.json": t190,
  "slack/cloud.datatask.failed.json": t191,
  "slack/cloud.datatask.recovered.json": t192,
  "slack/data.check_error.json": t193,
  "slack/data.check_failed.json": t194,
  "slack/data.check_passed.json": t195,
  "slack/digest.json": t196,
  "slack/influxdb.field_conflict.json": t197,
  "slack/intake.node_recovered.json": t198,
  "slack/intake.node_silent.json": t199,
  "slack/license.expired.json": t200,
  "slack/license.expiring.json": t201,
  "slack/license.low_availability.json": t202,
  "slack/license.released.json": t203,
  "slack/maintenance.summary.json": t204,
  "slack/qlikcloud.key_expiring.json": t205,
  "slack/qlikcloud.key_rejected.json": t206,
  "slack/qliksense.version_changed.json": t207,
  "slack/remediation.action_update.json": t208,
  "slack/report.morning.json": t209,
  "slack/report.weekly.json": t210,
  "slack/scheduler.queue_backlog.json": t211,
  "slack/service.started.json": t212,
  "slack/service.stopped.json": t213,
  "slack/steward.degraded.json": t214,
  "slack/steward.recovered.json": t215,
  "slack/task.aborted.json": t216,
  "slack/task.chain_broken.json": t217,
  "slack/task.disabled.json": t218,
  "slack/task.failed.json": t219,
  "slack/task.missed.json": t220,
  "slack/task.notice.json": t221,
  "slack/task.on_track.json": t222,
  "slack/task.recovered.json": t223,
  "slack/task.retrying.json": t224,
  "slack/task.running_long.json": t225,
  "slack/task.succeeded.json": t226,
  "slack/task.warning.json": t227,
  "teams/_check.json": t228,
  "teams/_report.json": t229,
  "teams/_service.json": t230,
  "teams/_site.json": t231,
  "teams/_task.json": t232,
  "teams/app.freshness_breached.json": t233,
  "teams/app.freshness_recovered.json": t234,
  "teams/app.freshness_warning.json": t235,
  "teams/app.reload_failed.json": t236,
  "teams/app.reload_succeeded.json": t237,
  "teams/app.stale.json": t238,
  "teams/cause.resolved.json": t239,
  "teams/checkin.failed.json": t240,
  "teams/checkin.missed.json": t241,
  "teams/checkin.recovered.json": t242,
  "teams/checkin.running_long.json": t243,
  "teams/cloud.automation.disabled.json": t244,
  "teams/cloud.automation.enabled.json": t245,
  "teams/cloud.automation.failed.json": t246,
  "teams/cloud.automation.recovered.json": t247,
  "teams/cloud.automation.warning.json": t248,
  "teams/cloud.datatask.failed.json": t249,
  "teams/cloud.datatask.recovered.json": t250,
  "teams/data.check_error.json": t251,
  "teams/data.check_failed.json": t252,
  "teams/data.check_passed.json": t253,
  "teams/digest.json": t254,
  "teams/influxdb.field_conflict.json": t255,
  "teams/intake.node_recovered.json": t256,
  "teams/intake.node_silent.json": t257,
  "teams/license.expired.json": t258,
  "teams/license.expiring.json": t259,
  "teams/license.low_availability.json": t260,
  "teams/license.released.json": t261,
  "teams/maintenance.summary.json": t262,
  "teams/qlikcloud.key_expiring.json": t263,
  "teams/qlikcloud.key_rejected.json": t264,
  "teams/qliksense.version_changed.json": t265,
  "teams/remediation.action_update.json": t266,
  "teams/report.morning.json": t267,
  "teams/report.weekly.json": t268,
  "teams/scheduler.queue_backlog.json": t269,
  "teams/service.started.json": t270,
  "teams/service.stopped.json": t271,
  "teams/steward.degraded.json": t272,
  "teams/steward.recovered.json": t273,
  "teams/task.aborted.json": t274,
  "teams/task.chain_broken.json": t275,
  "teams/task.disabled.json": t276,
  "teams/task.failed.json": t277,
  "teams/task.missed.json": t278,
  "teams/task.notice.json": t279,
  "teams/task.on_track.json": t280,
  "teams/task.recovered.json": t281,
  "teams/task.retrying.json": t282,
  "teams/task.running_long.json": t283,
  "teams/task.succeeded.json": t284,
  "teams/task.warning.json": t285,
  "webhook/_check.json": t286,
  "webhook/_service.json": t287,
  "webhook/_site.json": t288,
  "webhook/_task.json": t289,
  "webhook/_watch.json": t290,
  "webhook/app.freshness_breached.json": t291,
  "webhook/app.freshness_recovered.json": t292,
  "webhook/app.freshness_warning.json": t293,
  "webhook/app.reload_failed.json": t294,
  "webhook/app.reload_succeeded.json": t295,
  "webhook/app.stale.json": t296,
  "webhook/cause.resolved.json": t297,
  "webhook/checkin.failed.json": t298,
  "webhook/checkin.missed.json": t299,
  "webhook/checkin.recovered.json": t300,
  "webhook/checkin.running_long.json": t301,
  "webhook/cloud.automation.disabled.json": t302,
  "webhook/cloud.automation.enabled.json": t303,
  "webhook/cloud.automation.failed.json": t304,
  "webhook/cloud.automation.recovered.json": t305,
  "webhook/cloud.automation.warning.json": t306,
  "webhook/cloud.datatask.failed.json": t307,
  "webhook/cloud.datatask.recovered.json": t308,
  "webhook/data.check_error.json": t309,
  "webhook/data.check_failed.json": t310,
  "webhook/data.check_passed.json": t311,
  "webhook/digest.json": t312,
  "webhook/influxdb.field_conflict.json": t313,
  "webhook/intake.node_recovered.json": t314,
  "webhook/intake.node_silent.json": t315,
  "webhook/license.expired.json": t316,
  "webhook/license.expiring.json": t317,
  "webhook/license.low_availability.json": t318,
  "webhook/license.released.json": t319,
  "webhook/maintenance.summary.json": t320,
  "webhook/qlikcloud.key_expiring.json": t321,
  "webhook/qlikcloud.key_rejected.json": t322,
  "webhook/qliksense.version_changed.json": t323,
  "webhook/remediation.action_update.json": t324,
  "webhook/report.morning.json": t325,
  "webhook/report.weekly.json": t326,
  "webhook/scheduler.queue_backlog.json": t327,
  "webhook/service.started.json": t328,
  "webhook/service.stopped.json": t329,
  "webhook/steward.degraded.json": t330,
  "webhook/steward.recovered.json": t331,
  "webhook/task.aborted.json": t332,
  "webhook/task.chain_broken.json": t333,
  "webhook/task.disabled.json": t334,
  "webhook/task.failed.json": t335,
  "webhook/task.missed.json": t336,
  "webhook/task.notice.json": t337,
  "webhook/task.on_track.json": t338,
  "webhook/task.recovered.json": t339,
  "webhook/task.retrying.json": t340,
  "webhook/task.running_long.json": t341,
  "webhook/task.succeeded.json": t342,
  "webhook/task.warning.json": t343,
};
