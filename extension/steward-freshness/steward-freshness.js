// Qlik Sense extension: this app's freshness from Steward (GET /v4/status/apps/<this app's id>), shown in the sheet.
// It calls only that endpoint, with a key that has the "status" scope only (docs/status.md). Plain ES5 and the DOM:
// no library beyond what Qlik Sense gives every extension.
define(["qlik"], function (qlik) {
  "use strict";
  // The states in Steward's words (docs/freshness.md); "failed" is what earlier Stewards answered for late with a
  // failed load, kept so an extension imported before or after Steward's upgrade still shows a colour.
  var COLOURS = { fresh: "#2e7d32", at_risk: "#b45309", late: "#b3261e", failed: "#b3261e", unknown: "#6b7280" };
  var WORDS = { fresh: "fresh", at_risk: "at risk", late: "late", failed: "late", unknown: "not known yet" };
  function text(tag, value, style) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (style) el.setAttribute("style", style);
    return el;
  }
  return {
    initialProperties: { props: { stewardUrl: "", apiKey: "" } },
    definition: {
      type: "items",
      component: "accordion",
      items: {
        steward: {
          label: "Steward",
          type: "items",
          items: {
            url: { ref: "props.stewardUrl", label: "Steward URL (e.g. https://steward.corp.example:8443)", type: "string" },
            key: { ref: "props.apiKey", label: "API key (status scope only)", type: "string" },
          },
        },
      },
    },
    support: { snapshot: false, export: false, exportData: false },
    paint: function ($element, layout) {
      var root = $element[0] || $element;
      var props = (layout && layout.props) || {};
      var appId = qlik.currApp(this).id;
      root.innerHTML = "";
      var box = document.createElement("div");
      box.setAttribute("class", "steward-freshness");
      box.setAttribute("style", "font-family: sans-serif; padding: 8px;");
      root.appendChild(box);
      if (!props.stewardUrl) {
        box.appendChild(text("span", "Set the Steward URL and key in the properties."));
        return qlik.Promise.resolve();
      }
      var url = props.stewardUrl.replace(/\/+$/, "") + "/v4/status/apps/" + encodeURIComponent(appId);
      return fetch(url, { headers: { "X-API-Key": props.apiKey || "" } })
        .then(function (r) {
          return r.json().then(function (body) {
            if (!r.ok) throw new Error(body.error || "HTTP " + r.status);
            return body;
          });
        })
        .then(function (s) {
          var state = text("strong", WORDS[s.state] || s.state, "color: #fff; background: " + (COLOURS[s.state] || COLOURS.unknown) + "; padding: 2px 8px; border-radius: 3px;");
          state.setAttribute("data-state", s.state);
          box.appendChild(state);
          // Steward's own sentence: its times on the site's clock with the zone's name, the same as /status and the
          // alerts (the viewer's browser may be in another zone).
          box.appendChild(text("div", s.message || "", "margin-top: 4px;"));
        })
        .catch(function (err) {
          box.appendChild(text("span", "Steward status unavailable: " + err.message, "color: #b3261e;"));
        });
    },
  };
});
