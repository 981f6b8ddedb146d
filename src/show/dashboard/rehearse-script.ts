// The Noise page's rehearsal, in the dashboard's one script (client-script.ts): the pasted or uploaded config and the
// window go to POST /v4/config/rehearse with the viewer's key (an admin's), and the answer is shown as a table per
// route and channel and the faults that would go unpaged. Built with textContent: nothing of the answer is HTML.
export const REHEARSE_JS = `
  function cell(tr, text, tag) {
    var td = document.createElement(tag || "td");
    td.textContent = String(text);
    tr.appendChild(td);
    return td;
  }
  function rehearsalTable(rows) {
    var table = document.createElement("table");
    table.className = "noise";
    table.setAttribute("data-role", "rehearse-channels");
    var head = document.createElement("tr");
    ["Route", "Channel", "Pages now", "Pages with the new config", "Change"].forEach(function (h) { cell(head, h, "th"); });
    table.appendChild(head);
    rows.forEach(function (r) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-route", r.route);
      tr.setAttribute("data-channel", r.channel);
      [r.route, r.channel, r.current, r.rehearsed, (r.rehearsed - r.current > 0 ? "+" : "") + (r.rehearsed - r.current)].forEach(function (v) { cell(tr, v); });
      table.appendChild(tr);
    });
    return table;
  }
  // Re-runs a [queue] rule would ask for and the live Steward would skip at their turn: their task ran since.
  function notNeededText(list) {
    if (list.length === 0) return "";
    return "; " + list.length + " asked for and not needed, their task having run since: " + list.map(function (s) { return s.taskName; }).join(", ");
  }
  // The watch's pages judged again (a promise's lateness or warning, a queue's backlog) that one config gives and the
  // other does not, named as the CLI names them: + appears with the new config, - vanishes.
  function thresholdList(list) {
    var div = document.createElement("div");
    div.setAttribute("data-role", "rehearse-thresholds");
    var h = document.createElement("h3");
    h.textContent = list.length + " page(s) of the promises and the queue judged again:";
    div.appendChild(h);
    var ul = document.createElement("ul");
    list.forEach(function (t) {
      var li = document.createElement("li");
      li.setAttribute("data-change", t.change);
      li.textContent = (t.change === "appears" ? "+ " : "- ") + t.route + " → " + t.channel + ": " + t.text;
      ul.appendChild(li);
    });
    div.appendChild(ul);
    return div;
  }
  function showRehearsal(out, r) {
    out.textContent = "";
    var sum = document.createElement("p");
    sum.setAttribute("data-role", "rehearse-summary");
    sum.textContent = r.events + " events from " + r.from + " to " + r.to + ": " + r.pages.current + " pages with the config in force, " + r.pages.rehearsed + " with the new one; " +
      r.remediation.current.length + " automatic starts now, " + r.remediation.rehearsed.length + " with the new one (" + r.remediation.refused.length + " refused by a budget or a quiet window" +
      notNeededText(r.remediation.notNeeded || []) + ").";
    out.appendChild(sum);
    out.appendChild(rehearsalTable(r.channels));
    if ((r.thresholds || []).length > 0) out.appendChild(thresholdList(r.thresholds));
    var faults = document.createElement("div");
    faults.setAttribute("data-role", "rehearse-unpaged");
    var h = document.createElement("h3");
    h.textContent = r.unpagedFaults.length === 0 ? "No fault that paged would go unpaged." : r.unpagedFaults.length + " fault(s) that paged would go unpaged:";
    faults.appendChild(h);
    var ul = document.createElement("ul");
    r.unpagedFaults.forEach(function (f) {
      var li = document.createElement("li");
      li.textContent = f.taskName + " (" + (f.incidentId === undefined ? "" : "incident #" + f.incidentId + ", ") + "route " + f.route + ", first paged " + f.firstPagedAt + "): " + f.why;
      ul.appendChild(li);
    });
    faults.appendChild(ul);
    out.appendChild(faults);
    (r.notes || []).forEach(function (n) { var p = document.createElement("p"); p.className = "small muted"; p.textContent = n; out.appendChild(p); });
  }
  // A config being pasted stays: the auto-refresh leaves a page with a dirty form alone.
  document.addEventListener("input", function (e) {
    var f = e.target.form;
    if (f && f.id === "rehearse-form") f.dataset.dirty = "1";
  });
  async function rehearseConfig(button) {
    var form = button.closest("form");
    var out = document.getElementById("rehearse-result");
    var text = form.querySelector("#rehearse-config").value;
    var file = form.querySelector("#rehearse-file").files[0];
    if (!text.trim() && file) text = await file.text();
    if (!text.trim()) { toast("Paste the new config's YAML, or choose its file", true); return; }
    // The answer stays on the page: the auto-refresh leaves a page with a dirty form alone.
    form.dataset.dirty = "1";
    button.disabled = true;
    out.textContent = "Rehearsing…";
    try {
      var res = await api("POST", "/v4/config/rehearse", { config: text, since: form.querySelector("#rehearse-since").value });
      showRehearsal(out, await res.json());
    } catch (err) { out.textContent = err.message; toast(err.message, true); }
    finally { button.disabled = false; }
  }
`;
