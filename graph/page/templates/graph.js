/* The staff network page. Data comes from the JSON element #zdg-data (type application/json);
   every text from the graph is written with textContent (never innerHTML), so a label such as
   <img src=x onerror=alert(1)> stays text. Works served (/graph) and as an offline file. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("zdg-data").textContent);
  var ui = data.ui;
  var lang = new URLSearchParams(location.search).get("lang") || data.lang || "de";
  if (lang !== "de" && lang !== "en") lang = "de";
  var served = location.protocol === "http:" || location.protocol === "https:";

  var meta = {};            // node id -> attributes from the projection
  var typeStyle = {};
  data.types.forEach(function (t) { typeStyle[t.id] = t; });
  var adjacency = {};       // node id -> [{id, edge}]
  var visNodes = data.nodes.map(function (n) {
    meta[n.id] = n.zd;
    adjacency[n.id] = [];
    return { id: n.id, label: short(n.zd.display[lang]), title: n.zd.display[lang], shape: n.shape,
             color: n.color, x: n.x, y: n.y, size: n.size };
  });
  var visEdges = data.edges.map(function (e, i) {
    adjacency[e.from].push({ id: e.to, edge: e.zd });
    adjacency[e.to].push({ id: e.from, edge: e.zd });
    return { id: i, from: e.from, to: e.to, width: e.width, zd: e.zd };
  });

  var state = { hiddenTypes: {}, theme: "", level: "", orgType: "", date: "", ego: null, selected: null };
  var nodes = new vis.DataSet(visNodes);
  var edges = new vis.DataSet(visEdges.map(function (e) { return { id: e.id, from: e.from, to: e.to, width: e.width }; }));
  var container = document.getElementById("network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);

  function t(key) { return (ui[key] || {})[lang] || key; }
  function short(text) { return text && text.length > 48 ? text.slice(0, 46) + "…" : text; }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function labelOf(id) { return meta[id] ? meta[id].display[lang] : id; }
  function safeUrl(url) {
    // Only our own paths and http(s) links: a javascript: IRI written into the graph stays inert.
    return typeof url === "string" && (/^https?:\/\//i.test(url) || /^\/id\//.test(url)) ? url : "#";
  }
  function idLink(iri, href) {
    // Served: our own /id/ page; as a file: the IRI, which dereferences to the same page.
    var a = el("a", t("id_page"));
    a.href = safeUrl(served && href ? href : iri);
    return a;
  }

  // ---- filters -------------------------------------------------------------------------
  function inDate(start, end) {
    if (!state.date) return true;
    return (!start || start <= state.date) && (!end || end > state.date);
  }
  function egoSet() {
    if (!state.ego) return null;
    var seen = {}; seen[state.ego.id] = true;
    var frontier = [state.ego.id];
    for (var d = 0; d < state.ego.depth; d++) {
      var next = [];
      frontier.forEach(function (v) {
        adjacency[v].forEach(function (n) { if (!seen[n.id]) { seen[n.id] = true; next.push(n.id); } });
      });
      frontier = next;
    }
    return seen;
  }
  function nodeVisible(id, ego) {
    var m = meta[id];
    if (state.hiddenTypes[m.type]) return false;
    if (ego && !ego[id]) return false;
    if (!inDate(m.start || m.seen_from, m.end)) return false;
    if (state.theme && id !== state.theme && (m.themes || []).indexOf(state.theme) < 0) return false;
    if (state.level && id !== state.level && (m.levels || []).indexOf(state.level) < 0) return false;
    if (state.orgType) {
      if (m.type === "organisation" && !(m.org_type && m.org_type.id === state.orgType)) return false;
      if (m.type === "person" && !(m.organisations || []).some(function (o) {
        return meta[o] && meta[o].org_type && meta[o].org_type.id === state.orgType; })) return false;
    }
    return true;
  }
  // Everything starts shown (the records carry no "hidden"), so the first apply() only
  // touches what a filter really hides: no full DataSet update before the first drawing.
  var current = {};
  visNodes.forEach(function (n) { current[n.id] = true; });
  visEdges.forEach(function (e) { e.shown = true; });
  function apply() {
    var ego = egoSet(), nodeUpdates = [], edgeUpdates = [], shown = 0;
    visNodes.forEach(function (n) {
      var vis = nodeVisible(n.id, ego);
      if (vis) shown++;
      if (current[n.id] !== vis) { current[n.id] = vis; nodeUpdates.push({ id: n.id, hidden: !vis }); }
    });
    visEdges.forEach(function (e) {
      var vis = current[e.from] && current[e.to] && inDate(e.zd.start, e.zd.end);
      if (e.shown !== vis) { e.shown = vis; edgeUpdates.push({ id: e.id, hidden: !vis }); }
    });
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    if (edgeUpdates.length) edges.update(edgeUpdates);
    document.getElementById("count").textContent = String(shown);
    // The ego network cut in the page, or else the one the server cut (?focus=&depth=).
    var ego0 = state.ego || (data.focus && meta[data.focus] ? { id: data.focus, depth: data.depth } : null);
    document.getElementById("ego-banner").hidden = !ego0;
    if (ego0) {
      document.getElementById("ego-name").textContent = labelOf(ego0.id);
      document.getElementById("ego-depth").textContent = String(ego0.depth);
    }
  }
  window.zdgVisibleIds = function () { return Object.keys(current).filter(function (k) { return current[k]; }); };

  // ---- legend and selects ----------------------------------------------------------------
  function counts() {
    var c = {};
    visNodes.forEach(function (n) { var ty = meta[n.id].type; c[ty] = (c[ty] || 0) + 1; });
    return c;
  }
  function buildLegend() {
    var ul = document.getElementById("legend"), c = counts();
    ul.replaceChildren();
    data.types.forEach(function (ty) {
      var li = el("li");
      li.dataset.type = ty.id;
      if (state.hiddenTypes[ty.id]) li.classList.add("off");
      var sw = el("span", null, "swatch"); sw.style.background = ty.color;
      li.append(sw, el("span", ty.labels[lang], "name"), el("span", String(c[ty.id] || 0), "n"));
      li.title = ty.labels[lang];
      li.addEventListener("click", function () {
        state.hiddenTypes[ty.id] = !state.hiddenTypes[ty.id];
        li.classList.toggle("off", !!state.hiddenTypes[ty.id]);
        apply();
      });
      ul.append(li);
    });
  }
  function fillSelect(id, items, value) {
    var sel = document.getElementById(id);
    sel.replaceChildren();
    var all = el("option", t("all")); all.value = ""; sel.append(all);
    items.forEach(function (it) {
      var o = el("option", it.labels[lang]); o.value = it.id; sel.append(o);
    });
    sel.value = value;
  }
  function buildSelects() {
    fillSelect("f-theme", data.themes, state.theme);
    fillSelect("f-level", data.levels, state.level);
    fillSelect("f-orgtype", data.org_types, state.orgType);
  }
  document.getElementById("f-theme").addEventListener("change", function (e) { state.theme = e.target.value; apply(); });
  document.getElementById("f-level").addEventListener("change", function (e) { state.level = e.target.value; apply(); });
  document.getElementById("f-orgtype").addEventListener("change", function (e) { state.orgType = e.target.value; apply(); });
  var dateInput = document.getElementById("f-date");
  if (data.dates.length) { dateInput.min = data.dates[0].slice(0, 4) + "-01-01"; dateInput.max = data.dates[data.dates.length - 1].slice(0, 4) + "-12-31"; }
  // The timeline steps through the dates the data knows; its right end means "no date filter".
  var slider = document.getElementById("f-date-slider"), sliderValue = document.getElementById("f-date-slider-value");
  slider.max = String(data.dates.length);
  slider.value = slider.max;
  function syncSlider() {
    var i = data.dates.indexOf(state.date);
    if (!state.date) slider.value = slider.max; else if (i >= 0) slider.value = String(i);
    sliderValue.textContent = state.date || t("all");
  }
  function setDate(value) { state.date = value; dateInput.value = value; syncSlider(); apply(); }
  dateInput.addEventListener("change", function (e) { setDate(e.target.value); });
  dateInput.addEventListener("input", function (e) { setDate(e.target.value); });
  slider.addEventListener("input", function () {
    var i = Number(slider.value);
    setDate(i >= data.dates.length ? "" : data.dates[i]);
  });

  // ---- details panel -------------------------------------------------------------------
  function section(body, key) { body.append(el("h3", t(key))); }
  function nodeLink(id, text) {
    var a = el("a", text || labelOf(id), "node-link");
    a.href = "#"; a.dataset.node = id;
    a.addEventListener("click", function (ev) { ev.preventDefault(); select(id); });
    return a;
  }
  function showDetails(id) {
    var m = meta[id], body = document.getElementById("details-body");
    var panel = document.getElementById("details");
    body.replaceChildren();
    if (!m) { panel.hidden = true; return; }
    panel.hidden = false;
    var h = el("h2", m.display[lang]); h.id = "details-title"; body.append(h);
    var ty = el("span", (typeStyle[m.type] || { labels: {} }).labels[lang] || m.type, "type");
    ty.style.background = (typeStyle[m.type] || {}).color || "#999";
    ty.id = "details-type";
    body.append(ty, document.createTextNode(" "), idLink(id, m.href));
    section(body, "labels");
    var ul = el("ul");
    ["de", "en"].forEach(function (lg) { if (m.labels && m.labels[lg]) ul.append(el("li", lg + ": " + m.labels[lg])); });
    body.append(ul);
    if (m.alt_labels && m.alt_labels.length) { section(body, "alt_labels"); body.append(el("p", m.alt_labels.join(" · "))); }
    if (m.org_type) { section(body, "org_type"); body.append(el("p", m.org_type.labels[lang])); }
    if (m.posts && m.posts.length) {
      section(body, "posts");
      var pl = el("ul"); pl.id = "details-posts";
      m.posts.forEach(function (p) {
        var li = el("li", p.labels[lang] + " — ");
        if (p.role) li.append(el("span", p.role.labels[lang] + ", ", "role"));
        li.append(nodeLink(p.organisation.id));
        pl.append(li);
      });
      body.append(pl);
    }
    if (m.type === "person" && m.organisations && m.organisations.length) {
      section(body, "organisation");
      var ol = el("ul"); m.organisations.forEach(function (o) { var li = el("li"); li.append(nodeLink(o)); ol.append(li); });
      body.append(ol);
    }
    if (m.date) { section(body, "date"); body.append(el("p", m.date)); }
    if (m.text) { section(body, "text"); body.append(el("p", m.text)); }
    if (m.status) { section(body, "status"); body.append(el("p", m.status.labels[lang])); }
    [["themes", "themes"], ["levels", "levels"]].forEach(function (pair) {
      var list = (m[pair[0]] || []).filter(function (x) { return x !== id && meta[x]; });
      if (!list.length) return;
      section(body, pair[1]);
      var l = el("ul"); l.className = "details-" + pair[0];
      list.forEach(function (x) { var li = el("li"); li.append(nodeLink(x)); l.append(li); });
      body.append(l);
    });
    if (m.sources && m.sources.length) {
      section(body, "sources");
      m.sources.forEach(function (s) {
        var box = el("div", null, "source");
        if (s.document) box.append(el("strong", s.document.label));
        if (s.quote) box.append(el("blockquote", "„" + s.quote.replace(/\\\|/g, "|").replace(/^[\s|]+|[\s|]+$/g, "").replace(/ \| /g, " · ") + "“"));  // table cells as cells, no Markdown
        var links = el("p");
        var ex = el("a", t("excerpt"));
        // The passage where it stands: the reader of its source at #slug, in a new tab (the view stays).
        ex.href = safeUrl(served && s.document && s.document.id.indexOf("/id/") > 0 ? "/id/" + s.document.id.split("/id/")[1] + "#" + s.excerpt.split("/").pop() : (served && s.excerpt.indexOf("/id/") > 0 ? "/id/" + s.excerpt.split("/id/")[1] : s.excerpt)); ex.target = "_blank"; ex.rel = "noopener";
        links.append(ex);
        if (s.source && s.source.url) {
          links.append(document.createTextNode(" · "));
          var w = el("a", t("web_source") + ": " + s.source.label); w.href = safeUrl(s.source.url); w.rel = "noopener noreferrer"; w.target = "_blank";
          links.append(w);
        }
        box.append(links);
        body.append(box);
      });
    }
    section(body, "neighbours");
    var nl = el("ul");
    adjacency[id].slice(0, 200).forEach(function (n) {
      var li = el("li");
      var et = data.edge_types[n.edge.type];
      li.append(el("span", (et ? et[lang] : n.edge.type) + (n.edge.role ? " (" + n.edge.role + ")" : "") + ": "), nodeLink(n.id));
      nl.append(li);
    });
    body.append(nl);
    section(body, "metrics");
    var tb = el("table");
    [["Degree", m.degree], ["Betweenness", m.betweenness], ["PageRank", m.pagerank], ["Community", m.community]].forEach(function (r) {
      if (r[1] === undefined) return;
      var tr = el("tr"); tr.append(el("td", r[0]), el("td", String(r[1]))); tb.append(tr);
    });
    body.append(tb);
    var ego = el("p", null, "ego");
    ego.append(el("span", t("ego") + ": "));
    [1, 2, 3].forEach(function (d) {
      var b = el("button", t("depth") + " " + d); b.type = "button"; b.dataset.depth = String(d);
      b.addEventListener("click", function () { state.ego = { id: id, depth: d }; apply(); network.fit({ nodes: window.zdgVisibleIds(), animation: false }); });
      ego.append(b);
    });
    body.append(ego);
  }
  document.getElementById("details-close").addEventListener("click", function () {
    document.getElementById("details").hidden = true; state.selected = null; network.unselectAll();
  });
  function select(id) {
    if (!meta[id]) return;
    state.selected = id;
    if (!current[id]) { state.hiddenTypes[meta[id].type] = false; apply(); buildLegend(); }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 0.9), animation: false });
    showDetails(id);
  }
  network.on("click", function (params) {
    if (params.nodes.length) { state.selected = params.nodes[0]; showDetails(params.nodes[0]); }
  });

  // ---- search --------------------------------------------------------------------------
  var search = document.getElementById("search"), results = document.getElementById("search-results");
  function matches(q) {
    // Best first: the label itself, then labels starting with the text, then words, then anywhere.
    q = q.trim().toLocaleLowerCase();
    if (!q) return [];
    var scored = [];
    visNodes.forEach(function (n) {
      var m = meta[n.id], best = 9;
      var hay = [m.display[lang], m.display.de, m.display.en, m.labels && m.labels.de, m.labels && m.labels.en].concat(m.alt_labels || []);
      hay.forEach(function (h) {
        if (!h) return;
        h = h.toLocaleLowerCase();
        var at = h.indexOf(q);
        if (at < 0) return;
        var score = h === q ? 0 : at === 0 ? 1 : /[\s(„"-]/.test(h.charAt(at - 1)) ? 2 : 3;
        if (score < best) best = score;
      });
      if (best < 9) scored.push([best, m.display[lang].length, n.id]);
    });
    scored.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : 1); });
    return scored.slice(0, 12).map(function (s) { return s[2]; });
  }
  search.addEventListener("input", function () {
    var found = matches(search.value);
    results.replaceChildren();
    results.hidden = !search.value.trim();
    if (!found.length && search.value.trim()) results.append(el("li", t("no_match")));
    found.forEach(function (id) {
      var li = el("li", labelOf(id));
      li.dataset.node = id;
      li.append(el("small", (typeStyle[meta[id].type] || { labels: {} }).labels[lang] || ""));
      li.addEventListener("click", function () { results.hidden = true; select(id); });
      results.append(li);
    });
  });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { var f = matches(search.value); if (f.length) { results.hidden = true; select(f[0]); } }
    if (ev.key === "Escape") { results.hidden = true; }
  });

  // ---- toolbar ---------------------------------------------------------------------------
  document.getElementById("physics").addEventListener("change", function (e) {
    network.setOptions({ physics: { enabled: e.target.checked } });
  });
  network.on("beforeDrawing", function (ctx) {
    // A white background, so the exported PNG is not transparent.
    ctx.save(); ctx.setTransform(1, 0, 0, 1, 0, 0); ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height); ctx.restore();
  });
  document.getElementById("png").addEventListener("click", function () {
    var canvas = container.querySelector("canvas");
    var a = document.createElement("a");
    a.href = canvas.toDataURL("image/png");
    a.download = "zukunftsdialog-netzwerk.png";
    document.body.append(a); a.click(); a.remove();
  });
  document.getElementById("reset").addEventListener("click", function () {
    state = { hiddenTypes: {}, theme: "", level: "", orgType: "", date: "", ego: null, selected: null };
    dateInput.value = ""; syncSlider(); buildSelects(); buildLegend(); apply();
    document.getElementById("details").hidden = true; network.unselectAll(); network.fit({ animation: false });
  });

  // ---- language --------------------------------------------------------------------------
  function setLang(l, initial) {
    var relabel = !initial || l !== lang;
    lang = l;
    document.documentElement.lang = l;
    document.title = t("title");
    document.querySelectorAll("[data-i18n]").forEach(function (e) { e.textContent = t(e.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (e) { e.placeholder = t(e.dataset.i18nPlaceholder); });
    document.querySelectorAll(".lang button").forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.lang === l)); });
    if (relabel) {
      nodes.update(visNodes.map(function (n) {
        var d = meta[n.id].display[l]; return { id: n.id, label: short(d), title: d };
      }));
    }
    buildLegend(); buildSelects(); syncSlider(); apply();
    if (state.selected) showDetails(state.selected);
    if (served) {
      var u = new URL(location.href); u.searchParams.set("lang", l); history.replaceState(null, "", u);
    }
  }
  document.querySelectorAll(".lang button").forEach(function (b) {
    b.addEventListener("click", function () { setLang(b.dataset.lang); });
  });

  // ---- start ---------------------------------------------------------------------------------
  setLang(lang, true);  // the records already carry this language's labels
  if (data.focus && meta[data.focus]) network.selectNodes([data.focus]);
  network.once("afterDrawing", function () {
    window.zdgReadyAt = performance.now();  // ms since navigation start (benchmarks/bench_page.py)
    window.zdgReady = true;
    document.body.dataset.ready = "1";
  });
  window.zdg = { network: network, nodes: nodes, edges: edges, meta: meta, select: select, setLang: setLang };
})();
