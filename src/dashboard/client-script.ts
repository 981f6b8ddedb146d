// The dashboard's only JavaScript, inlined into every page: actions call Steward's REST API (so they pass the
// same access control as any API client), then the page's <main> is refreshed in place; optional auto-refresh.
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
  async function api(method, path, body) {
    var init = { method: method, credentials: "same-origin", headers: { accept: "application/json" } };
    if (body !== undefined) { init.headers["content-type"] = "application/json"; init.body = JSON.stringify(body); }
    var res = await fetch(path, init);
    if (!res.ok) {
      var msg = "HTTP " + res.status;
      try { var j = await res.json(); if (j && j.error) msg = j.error + " (HTTP " + res.status + ")"; } catch (e) {}
      throw new Error(msg);
    }
    return res;
  }
  var refreshing = false;
  async function refresh() {
    if (refreshing) return;
    refreshing = true;
    try {
      var res = await fetch(location.href, { credentials: "same-origin" });
      if (!res.ok) return;
      var doc = new DOMParser().parseFromString(await res.text(), "text/html");
      var next = doc.querySelector("main"), cur = document.querySelector("main");
      if (next && cur) cur.replaceWith(next);
    } finally { refreshing = false; }
  }
  function selectedIds() {
    return Array.prototype.map.call(document.querySelectorAll("input[name=sel]:checked"), function (c) { return c.value; });
  }
  async function run(button, work, done) {
    button.disabled = true;
    try { await work(); toast(done); await refresh(); }
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
    } else if (a === "retry") {
      run(b, function () { return api("POST", "/v4/deliveries/" + encodeURIComponent(b.dataset.id) + "/retry"); }, "Delivery " + b.dataset.id + " queued again");
    } else if (a === "refresh") {
      refresh();
    }
  });
  var auto = document.getElementById("autorefresh");
  if (auto) auto.checked = localStorage.getItem("steward.autorefresh") !== "0";
  setInterval(function () {
    var box = document.getElementById("autorefresh");
    if (!box || !box.checked || document.hidden || selectedIds().length) return;
    if (document.activeElement && /INPUT|SELECT|TEXTAREA/.test(document.activeElement.tagName)) return;
    refresh();
  }, 5000);
})();
`;
