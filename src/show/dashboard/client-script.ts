// The dashboard's only JavaScript, inlined into every page: actions call Steward's REST API (so they pass the
// same access control as any API client), then the page's <main> is refreshed in place; optional auto-refresh.
// With an API key entered on /ui/login, every dashboard request carries it as X-API-Key: links and forms are
// then followed with fetch (a plain navigation could not send the header).
import { REHEARSE_JS } from "./rehearse-script";

export const DASHBOARD_JS = `
(function () {
  "use strict";
  var toastTimer;
  function toast(message, isError) {
    var el = document.getElementById("toast");
    if (!el) return;
    el.textContent = message;
    el.className = isError ? "error" : "";
    el.style.display = "block";
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { el.style.display = "none"; }, isError ? 6000 : 2500);
  }
  var KEY = "steward.apiKey";
  function withKey(headers) {
    var k = sessionStorage.getItem(KEY);
    if (k) headers["x-api-key"] = k;
    return headers;
  }
  async function api(method, path, body) {
    var init = { method: method, credentials: "same-origin", headers: withKey({ accept: "application/json" }) };
    if (body !== undefined) { init.headers["content-type"] = "application/json"; init.body = JSON.stringify(body); }
    var res = await fetch(path, init);
    if (!res.ok) {
      var msg = "HTTP " + res.status;
      try { var j = await res.json(); if (j && j.error) msg = j.error + " (HTTP " + res.status + ")"; } catch (e) {}
      throw new Error(msg);
    }
    return res;
  }
${REHEARSE_JS}
  // Under the two-person rule (remediation.approval) the answer says whether this press waits for a second person or confirmed another's.
  function secondPerson(asked) {
    return async function (res) {
      var j = {};
      try { j = await res.json(); } catch (e) {}
      if (j.awaiting) return "Recorded: it waits for a second person to confirm it (two-person rule)";
      if (j.confirmed) return "Confirmed what " + j.confirmed.firstBy + " asked for: it runs once";
      return asked;
    };
  }
  // Before a person confirms a re-run or a retry, its dry run says what it would do (issue 105, docs/rehearse.md).
  function promiseLine(x) {
    return x.expectedIfApproved ? x.text : x.promise + ": expected fresh time not known yet" + (x.heldUpBy ? ": " + x.heldUpBy : "");
  }
  function previewText(p) {
    var lines = ["", "", "If you confirm now:"];
    if (p.runs) {
      lines.push("On " + (p.node || "the node Qlik picks") + ": " + p.startsWhen + ".");
      p.runs.forEach(function (r) { lines.push(r.order + ". " + r.taskName + (r.after ? " (after " + r.after + " has ended)" : "")); });
    } else lines.push((p.app ? p.app.name : p.task.name) + ": " + p.startsWhen + ".");
    (p.promises || []).forEach(function (x) { lines.push(promiseLine(x)); });
    return lines.join("\\n");
  }
  async function previewed(button, path, body) {
    button.disabled = true;
    try { return previewText(await (await api("POST", path, Object.assign({ dryRun: true }, body))).json()); }
    catch (err) { toast(err.message, true); return undefined; }
    finally { button.disabled = false; }
  }
  var refreshing = false;
  // The main part as the server last sent it (this script runs after it, before anything changes it): a refresh that
  // brings the same leaves the page as it is, so a mail's frame is not loaded again every 5 s (a link in it was being
  // clicked as the frame went: demo-rerun-link failed so in Firefox), an opened detail stays open, the scroll stays.
  var served = (document.querySelector("main") || {}).innerHTML;
  // A person choosing, typing or selecting: the auto-refresh leaves the page alone.
  function personBusy() {
    if (selectedIds().length || document.querySelector("form[data-dirty]")) return true;
    return !!(document.activeElement && /INPUT|SELECT|TEXTAREA/.test(document.activeElement.tagName));
  }
  // auto: the page's own refresh, which gives way to a person who began choosing while it was fetched (a snooze
  // time picked then was put back to the default by the new page).
  async function refresh(auto) {
    if (refreshing) return;
    refreshing = true;
    try {
      var res = await fetch(location.href, { credentials: "same-origin", headers: withKey({}) });
      if (!res.ok) return;
      var doc = new DOMParser().parseFromString(await res.text(), "text/html");
      var next = doc.querySelector("main"), cur = document.querySelector("main");
      if (auto && personBusy()) return;
      if (!next || !cur || (auto && next.innerHTML === served)) return;
      served = next.innerHTML;
      cur.replaceWith(next);
    } finally { refreshing = false; }
  }
  // Follows a dashboard link with the key: fetch the page, swap header and main, keep this script running.
  async function navigate(url, push) {
    var res = await fetch(url, { credentials: "same-origin", headers: withKey({}) });
    if (res.status === 401 || res.status === 403) {
      var msg = "HTTP " + res.status;
      try { msg = (await res.json()).error || msg; } catch (e) {}
      toast(msg, true);
      return;
    }
    // Only a dashboard page may replace this one: an API answer (JSON with stored text in it) parsed as HTML
    // could carry markup. The server refuses such targets too; this holds if a link slips through.
    var type = res.headers.get("content-type") || "";
    var landed = new URL(res.url || url, location.href);
    if (type.indexOf("text/html") !== 0 || landed.origin !== location.origin || (landed.pathname !== "/ui" && landed.pathname.indexOf("/ui/") !== 0)) {
      toast("HTTP " + res.status + ": not a dashboard page", true);
      return;
    }
    var doc = new DOMParser().parseFromString(await res.text(), "text/html");
    served = (doc.querySelector("main") || {}).innerHTML;
    ["header", "main"].forEach(function (sel) {
      var next = doc.querySelector(sel), cur = document.querySelector(sel);
      if (next && cur) cur.replaceWith(next);
    });
    document.title = doc.title;
    if (push) history.pushState(null, "", url);
    initPage();
  }
  function initPage() {
    var auto = document.getElementById("autorefresh");
    if (auto) auto.checked = localStorage.getItem("steward.autorefresh") !== "0";
    // Beside the zone, not among the sections: the header's navigation stays the site's questions.
    var zone = document.getElementById("page-zone");
    if (zone && sessionStorage.getItem(KEY) && !document.getElementById("signout")) {
      var a = document.createElement("a");
      a.href = "/ui/login"; a.id = "signout"; a.textContent = "Sign out";
      zone.after(a);
    } else if (zone && !sessionStorage.getItem(KEY) && !document.getElementById("sso-signout")) {
      // Signed in with the company directory (security.sso): its cookie is HttpOnly, so the page asks who is signed in.
      fetch("/auth/session", { headers: { accept: "application/json" } }).then(function (r) { return r.ok ? r.json() : null; }).then(function (s) {
        if (!s || !s.signedIn || document.getElementById("sso-signout")) return;
        var out = document.createElement("a");
        out.href = "/auth/logout"; out.id = "sso-signout"; out.textContent = "Sign out (" + (s.name || s.email || s.subject) + ")";
        zone.after(out);
      }).catch(function () {});
    }
  }
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[href]");
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    if (a.id === "signout") { e.preventDefault(); sessionStorage.removeItem(KEY); location.href = "/ui/login"; return; }
    var url = new URL(a.href, location.href);
    if (!sessionStorage.getItem(KEY) || url.origin !== location.origin || (url.pathname !== "/ui" && url.pathname.indexOf("/ui/") !== 0) || url.pathname === "/ui/login") return;
    e.preventDefault();
    navigate(url.pathname + url.search, true);
  });
  // A form that writes through the API (data-api-form = its path): fields to JSON, "a.b" names nest, data-list
  // fields are comma-separated lists, empty fields are left out.
  function formBody(f) {
    var body = {};
    Array.prototype.forEach.call(f.elements, function (el) {
      if (!el.name || el.value.trim() === "") return;
      var value = el.dataset.list ? el.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean) : el.value.trim();
      var path = el.name.split("."), at = body;
      for (var i = 0; i < path.length - 1; i++) at = at[path[i]] = at[path[i]] || {};
      at[path[path.length - 1]] = value;
    });
    return body;
  }
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (f.dataset && f.dataset.apiForm) {
      e.preventDefault();
      var btn = f.querySelector("button[type=submit]") || f;
      run(btn, function () { return api("POST", f.dataset.apiForm, formBody(f)); }, f.dataset.done || "Saved");
      return;
    }
    if (f.id === "login") {
      e.preventDefault();
      sessionStorage.setItem(KEY, f.elements.key.value.trim());
      navigate(f.dataset.next || "/ui", true);
      return;
    }
    if (!sessionStorage.getItem(KEY) || (f.method || "get").toLowerCase() !== "get") return;
    e.preventDefault();
    var url = new URL(f.action, location.href);
    url.search = new URLSearchParams(new FormData(f)).toString();
    navigate(url.pathname + url.search, true);
  });
  // A form being filled in keeps what was typed: auto-refresh waits until it is sent (which draws the page anew).
  document.addEventListener("input", function (e) {
    var f = e.target.form;
    if (f && f.dataset.apiForm) f.dataset.dirty = "1";
  });
  window.addEventListener("popstate", function () { if (sessionStorage.getItem(KEY)) navigate(location.pathname + location.search, false); });
  function selectedIds() {
    return Array.prototype.map.call(document.querySelectorAll("input[name=sel]:checked"), function (c) { return c.value; });
  }
  async function run(button, work, done) {
    button.disabled = true;
    try { var res = await work(); toast(typeof done === "function" ? await done(res) : done); await refresh(); }
    catch (err) { toast(err.message, true); }
    finally { button.disabled = false; }
  }
  document.addEventListener("change", async function (e) {
    var t = e.target;
    if (t.matches && t.matches("input[data-schedule-toggle]")) {
      var on = t.checked;
      t.disabled = true;
      try {
        await api("PUT", "/v4/schedules/" + encodeURIComponent(t.dataset.id) + "/" + (on ? "start" : "stop"));
        toast((on ? "Enabled " : "Disabled ") + t.dataset.name);
        await refresh();
      } catch (err) { t.checked = !on; toast(err.message, true); }
      finally { t.disabled = false; }
    } else if (t.matches && t.matches("input[data-select-all]")) {
      document.querySelectorAll("input[name=sel]").forEach(function (c) { c.checked = t.checked; });
    } else if (t.id === "autorefresh") {
      localStorage.setItem("steward.autorefresh", t.checked ? "1" : "0");
    }
  });
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("button[data-action]");
    if (!b) return;
    var a = b.dataset.action;
    if (a === "bulk-start" || a === "bulk-stop") {
      var ids = selectedIds();
      if (!ids.length) { toast("Select schedules first", true); return; }
      run(b, function () { return api("PUT", "/v4/schedules/bulk/" + (a === "bulk-start" ? "start" : "stop"), { ids: ids }); },
        (a === "bulk-start" ? "Enabled " : "Disabled ") + ids.length + " schedule(s)");
    } else if (a === "tag-start" || a === "tag-stop") {
      var tag = document.getElementById("bulk-tag").value;
      if (!tag) { toast("Choose a tag first", true); return; }
      run(b, function () { return api("PUT", "/v4/schedules/bulk/" + (a === "tag-start" ? "start" : "stop"), { tags: [tag] }); },
        (a === "tag-start" ? "Enabled" : "Disabled") + " schedules tagged " + tag);
    } else if (a === "start-task") {
      // Starting a reload is not undone: ask first. The start goes through the REST API with this viewer's key.
      if (!confirm("Start the task " + b.dataset.name + " now?")) return;
      run(b, function () { return api("POST", "/v4/reloadtask/" + encodeURIComponent(b.dataset.id) + "/start"); }, "Started " + b.dataset.name);
    } else if (a === "ack-incident") {
      // Acknowledging quiets the incident's further failures until it recovers: say so, and take a note.
      var note = prompt("Acknowledge the incident of " + b.dataset.name + "? Its further failures will not notify again until it recovers. Note (optional):", "");
      if (note === null) return;
      run(b, function () { return api("POST", "/v4/incidents/" + encodeURIComponent(b.dataset.id) + "/acknowledge", note ? { note: note } : {}); }, "Acknowledged " + b.dataset.name);
    } else if (a === "ack-cause") {
      var causeNote = prompt("Acknowledge the cause " + b.dataset.name + "? Every incident it holds is acknowledged with it; their further failures will not notify again until they recover. Note (optional):", "");
      if (causeNote === null) return;
      run(b, function () { return api("POST", "/v4/causes/" + encodeURIComponent(b.dataset.id) + "/acknowledge", causeNote ? { note: causeNote } : {}); }, "Acknowledged " + b.dataset.name);
    } else if (a === "snooze") {
      // The silence an alert's Snooze link makes: the cause's open incidents, for the chosen time; ask first.
      var pick = b.closest("[data-role=snooze-action]").querySelector("select[data-snooze-choice]");
      var until = pick.options[pick.selectedIndex];
      // A cause holding no task incident (a node down) is snoozed by its id, as its alert's Snooze link does.
      var incidents = b.dataset.causeId ? [] : b.dataset.ids.split(",").map(Number);
      var matcher = b.dataset.causeId ? { causeIds: [Number(b.dataset.causeId)] } : { incidentIds: incidents };
      if (!confirm("Snooze " + b.dataset.name + " " + until.textContent + "? Its further alerts are held until then" + (incidents.length > 1 ? " (all " + incidents.length + " incidents of this cause)" : "") + "; its recovery is still sent.")) return;
      var snooze = Object.assign({ matcher: matcher, reason: "snoozed from the dashboard (" + b.dataset.name.slice(0, 400) + ")" }, JSON.parse(pick.value));
      run(b, function () { return api("POST", "/v4/silences", snooze); }, "Snoozed " + b.dataset.name + " " + until.textContent);
    } else if (a === "resolve-incident" || a === "resolve-cause") {
      // Closing by hand is not undone (the next failure opens a new incident): ask first, and take a note.
      var one = a === "resolve-incident";
      var why = prompt("Resolve " + (one ? "the incident of " : "the cause ") + b.dataset.name + " now, before " + (one ? "its task succeeds" : "it ends") + "? " +
        (one ? "" : "Every incident it holds is closed with it. ") + "Its follow-up says you resolved it; a later failure opens a new incident. Note (optional):", "");
      if (why === null) return;
      run(b, function () { return api("POST", (one ? "/v4/incidents/" : "/v4/causes/") + encodeURIComponent(b.dataset.id) + "/resolve", why ? { note: why, from: "dashboard" } : { from: "dashboard" }); }, "Resolved " + b.dataset.name);
    } else if (a === "retry-incident") {
      // A retry starts the task (now or later): ask first. It goes through the REST API with this viewer's key.
      var inPick = b.closest("[data-role=retry-action]").querySelector("select[data-retry-choice]");
      var inMin = Number(inPick.value);
      var retryPath = "/v4/incidents/" + encodeURIComponent(b.dataset.id) + "/retry";
      previewed(b, retryPath, { inMinutes: inMin }).then(function (shown) {
        if (shown === undefined || !confirm("Retry " + b.dataset.name + " " + inPick.options[inPick.selectedIndex].textContent + "? Steward starts the task once; the incident's next message says how it went." + shown)) return;
        run(b, function () { return api("POST", retryPath, { inMinutes: inMin }); }, secondPerson("Retry of " + b.dataset.name + " asked for"));
      });
    } else if (a === "reload-app") {
      var reloadPath = "/v4/incidents/" + encodeURIComponent(b.dataset.id) + "/reload-app";
      previewed(b, reloadPath, {}).then(function (shown) {
        if (shown === undefined || !confirm("Reload the app of " + b.dataset.name + " through the Engine now, as its task would? Steward reloads it once; the incident's next message says what the Engine answered." + shown)) return;
        run(b, function () { return api("POST", reloadPath, {}); }, secondPerson("Engine reload of " + b.dataset.name + " asked for"));
      });
    } else if (a === "restart-chain") {
      var chainPick = b.closest("[data-role=chain-action]").querySelector("select[data-chain-task]");
      var from = chainPick.options[chainPick.selectedIndex].textContent;
      var chainPath = "/v4/incidents/" + encodeURIComponent(b.dataset.id) + "/restart-chain";
      var chainTask = chainPick.value;
      previewed(b, chainPath, { taskId: chainTask }).then(function (shown) {
        if (shown === undefined || !confirm("Start " + from + " now? Qlik's triggers run the rest of the chain after it." + shown)) return;
        run(b, function () { return api("POST", chainPath, { taskId: chainTask }); }, secondPerson("Chain started again from " + from));
      });
    } else if (a === "rerun-cause") {
      var rerunPath = "/v4/causes/" + encodeURIComponent(b.dataset.id) + "/rerun-cancelled";
      previewed(b, rerunPath, {}).then(function (shown) {
        if (shown === undefined || !confirm("Re-run the runs the queue cancelled (" + b.dataset.name + ")? Steward starts them once the queue has drained, in chain order." + shown)) return;
        run(b, function () { return api("POST", rerunPath); }, secondPerson("Re-run of the cancelled runs asked for"));
      });
    } else if (a === "end-silence") {
      if (!confirm("End silence #" + b.dataset.id + " now? What it held is sent if the condition still lasts.")) return;
      run(b, function () { return api("DELETE", "/v4/silences/" + encodeURIComponent(b.dataset.id)); }, "Silence #" + b.dataset.id + " ended");
    } else if (a === "cancel-override") {
      if (!confirm("Cancel the override of " + b.dataset.name + "? The rotation holds again for its hours, and both people are told.")) return;
      run(b, function () { return api("DELETE", "/v4/oncall/overrides/" + encodeURIComponent(b.dataset.id)); }, "Override cancelled: the people are told");
    } else if (a === "rehearse") {
      rehearseConfig(b);
    } else if (a === "apply-proposal") {
      // The change is written to the config file (after the config check) and the config reloaded: ask first.
      if (!confirm("Write proposal " + b.dataset.id + " to the config file and reload? It is checked first, and audited.")) return;
      run(b, function () { return api("POST", "/v4/noise/proposals/" + encodeURIComponent(b.dataset.id) + "/apply"); }, "Applied " + b.dataset.id);
    } else if (a === "end-session") {
      if (!confirm("End this session of " + b.dataset.name + "? That browser is signed out at its next request.")) return;
      run(b, function () { return api("DELETE", "/v4/sso/sessions/" + encodeURIComponent(b.dataset.id)); }, "Ended a session of " + b.dataset.name);
    } else if (a === "sign-out-everywhere") {
      if (!confirm("Sign " + b.dataset.name + " out everywhere? Every session of theirs ends, on every Steward.")) return;
      run(b, function () { return api("DELETE", "/v4/sso/people/" + encodeURIComponent(b.dataset.id) + "/sessions"); }, "Signed " + b.dataset.name + " out everywhere");
    } else if (a === "retry") {
      run(b, function () { return api("POST", "/v4/deliveries/" + encodeURIComponent(b.dataset.id) + "/retry"); }, "Delivery " + b.dataset.id + " queued again");
    } else if (a === "refresh") {
      refresh();
    }
  });
  initPage();
  setInterval(function () {
    var box = document.getElementById("autorefresh");
    if (!box || !box.checked || document.hidden || personBusy()) return;
    // The doctor tries every server on each look: it runs again only when asked.
    if (document.querySelector('main[data-page="doctor"]')) return;
    refresh(true);
  }, 5000);
})();
`;
