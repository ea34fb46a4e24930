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

  fetch("/sparql/examples", { headers: { Accept: "application/json" } })
    .then(function (response) { return response.json(); })
    .then(function (examples) {
      var list = document.getElementById("example-list");
      examples.forEach(function (example) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "example";
        button.dataset.example = example.id;
        var de = document.createElement("span");
        de.textContent = example.question.de || example.id;  // textContent: never parsed as HTML
        var en = document.createElement("span");
        en.className = "en";
        en.textContent = example.question.en || "";
        button.appendChild(de);
        button.appendChild(en);
        button.addEventListener("click", function () { useExample(example, true); });
        item.appendChild(button);
        list.appendChild(item);
      });
    });
})();
