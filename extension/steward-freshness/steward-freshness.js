// Qlik Sense extension: this app's freshness from Steward (GET /v4/status/apps/<this app's id>), shown in the sheet.
// It calls only that endpoint, with a key that has the "status" scope only (docs/status.md). Plain ES5 and the DOM:
// no library beyond what Qlik Sense gives every extension.
define(["qlik"], function (qlik) {
  "use strict";
  var COLOURS = { fresh: "#2e7d32", late: "#b45309", failed: "#b3261e", unknown: "#6b7280" };
  function text(tag, value, style) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (style) el.setAttribute("style", style);
    return el;
  }
  function clock(iso) {
    var d = new Date(iso);
    return d.toLocaleString([], { weekday: "short", hour: "2-digit", minute: "2-digit" });
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
          var state = text("strong", s.state, "color: #fff; background: " + (COLOURS[s.state] || COLOURS.unknown) + "; padding: 2px 8px; border-radius: 3px;");
          state.setAttribute("data-state", s.state);
          box.appendChild(state);
          box.appendChild(text("span", s.dataAsOf ? " data as of " + clock(s.dataAsOf) : " no data yet", "margin-left: 6px;"));
          if (s.state !== "fresh" && s.expectedAt) box.appendChild(text("div", "expected at about " + clock(s.expectedAt), "margin-top: 4px;"));
        })
        .catch(function (err) {
          box.appendChild(text("span", "Steward status unavailable: " + err.message, "color: #b3261e;"));
        });
    },
  };
});
