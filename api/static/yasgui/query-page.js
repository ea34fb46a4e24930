// The query page: YASGUI (vendored, see README.md here) talking only to this server's /sparql,
// with the competency questions of queries/*.rq as examples. Loaded as a file (the CSP
// allows scripts from this origin only); nothing here contacts another host.
(function () {
  "use strict";
  var endpoint = window.location.origin + "/sparql";
  document.getElementById("endpoint-url").textContent = endpoint;

  // Only the completers that work offline: the class/property completers ask lov.linkeddata.es.
  var Yasqe = Yasgui.Yasqe;
  Yasqe.defaults.autocompleters = Yasqe.defaults.autocompleters.filter(function (name) {
    return name === "prefixes" || name === "variables";
  });

  var prefixes = {};
  fetch("/context.jsonld").then(function (r) { return r.json(); })
    .then(function (doc) { prefixes = doc["@context"]; });
  Yasgui.Yasr.defaults.prefixes = function () { return prefixes; };

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    persistenceId: "zdg-query-page",
    yasqe: { value: "SELECT * WHERE { ?s ?p ?o } LIMIT 10" }
  });
  window.zdgYasgui = yasgui;

  function useExample(example, run) {
    var tab = yasgui.getTab();
    tab.setEndpoint(endpoint);
    tab.setQuery(example.query);
    if (run) { tab.query(); }
  }

  // The page's language, by the rule of every page (api.negotiation): ?lang=, then the lang
  // cookie (the language switch sets it), then the browser's languages, then German.
  var asked = new URLSearchParams(window.location.search).get("lang");
  var kept = (document.cookie.match(/(?:^|;\s*)lang=(de|en)(?:;|$)/) || [])[1];
  var browser = (navigator.languages || []).map(function (l) { return l.slice(0, 2); })
    .filter(function (l) { return l === "de" || l === "en"; })[0];
  var lang = asked === "en" || asked === "de" ? asked : kept || browser || "de";
  document.documentElement.lang = lang;

  fetch("/sparql/examples", { headers: { Accept: "application/json" } })
    .then(function (response) { return response.json(); })
    .then(function (examples) {
      var list = document.getElementById("example-list");
      var number = 0, group = null, topic = null;
      examples.forEach(function (example) {
        if (example.topic !== topic) {  // one numbered list per topic, numbers running on
          topic = example.topic;
          var heading = document.createElement("h3");
          heading.className = "example-topic";
          heading.textContent = example.topic_label[lang];
          list.appendChild(heading);
          group = document.createElement("ol");
          group.start = number + 1;
          list.appendChild(group);
        }
        number += 1;
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "example";
        button.dataset.example = example.id;
        button.textContent = example.question[lang] || example.question.de || example.id;  // never parsed as HTML
        button.title = example.id + ".rq";
        button.addEventListener("click", function () { useExample(example, true); });
        item.appendChild(button);
        group.appendChild(item);
      });
    });

  // Results: IRIs shown with our prefixes (those of /context.jsonld) and our own resources
  // linked to their /id/ page in this tab, not to w3id.org in a new one.
  var ID_BASE = "https://w3id.org/zukunftsdialog/id/";
  var ONTOLOGY = "https://w3id.org/zukunftsdialog/ontology#";
  function localise(root) {
    root.querySelectorAll("a.iri").forEach(function (a) {
      var href = a.getAttribute("href") || "";
      if (href.indexOf(ID_BASE) === 0) { a.setAttribute("href", "/id/" + href.slice(ID_BASE.length)); }
      else if (href.indexOf(ONTOLOGY) === 0) { a.setAttribute("href", "/ontology#zd-" + href.slice(ONTOLOGY.length)); }
      else { return; }
      a.removeAttribute("target");
      a.removeAttribute("ref");
    });
  }
  var results = document.getElementById("yasgui");
  new MutationObserver(function () { localise(results); }).observe(results, { childList: true, subtree: true });
})();
