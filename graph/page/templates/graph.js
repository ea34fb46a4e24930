/* The staff network page. Data comes from the JSON element #zdg-data (type application/json);
   every text from the graph is written with textContent (never innerHTML), so a label such as
   <img src=x onerror=alert(1)> stays text. Works served (/graph) and as an offline file.

   Legibility: labels are packed in world space (a label is placed only where it overlaps no
   label already placed, most important first), so no two labels overlap at any zoom; each gets
   the largest of four font steps that fits. The view is fitted so that the first step is 13 px
   on screen and the others below vis-network's draw threshold (10 px): less important names
   appear as one zooms in. The whole view state lives in the address (history API).

   The first drawing comes first: it has the names of the first step only; the names of the
   further steps, the arrowheads and the edge tooltips follow in the next task (the page sets
   window.zdgReadyAt at the first drawing and window.zdgCompleteAt when that is done). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("zdg-data").textContent);
  var ui = data.ui;
  var served = location.protocol === "http:" || location.protocol === "https:";
  var params = new URLSearchParams(location.search);
  var lang = params.get("lang") || data.lang || "de";
  if (lang !== "de" && lang !== "en") lang = "de";
  var TIER_PX = data.tier_px || [13, 8.6, 5.8, 3.9];
  var FACE = "system-ui, sans-serif";
  var METRICS = ["degree", "betweenness", "pagerank"];
  var PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
                 "#7f7f7f", "#bcbd22", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173"];

  var meta = {};            // node id -> attributes from the projection
  var typeStyle = {};
  data.types.forEach(function (t) { typeStyle[t.id] = t; });
  var adjacency = {};       // node id -> [{id, edge, out}] (out: this node is the edge's source)
  var home = {};            // node id -> position of the whole view's layout
  var portraitHome = {};    // the same for a screen higher than wide (a phone), if the server made one
  function typographic(text, lg) {
    // Straight double quotes in a name become the language's own: „…“ in German, “…” in English.
    if (typeof text !== "string") return text;
    var open = lg === "de" ? "„" : "“", close = lg === "de" ? "“" : "”";
    text = text.replace(/"([^"]*)"/g, open + "$1" + close);
    return lg === "en" ? text.replace(/„([^“”]*)[“”]/g, "“$1”") : text;
  }
  var visNodes = data.nodes.map(function (n) {
    meta[n.id] = n.zd;
    // Names of documents, meetings, the dialogue and themes only: texts people wrote (a
    // recommendation, a statement) stay exactly as written.
    if (["document", "event", "collaboration", "theme", "commitment", "goal"].indexOf(n.zd.type) >= 0)
      ["de", "en"].forEach(function (lg) { n.zd.display[lg] = typographic(n.zd.display[lg], lg); });
    adjacency[n.id] = [];
    home[n.id] = { x: n.x, y: n.y };
    if (n.portrait) portraitHome[n.id] = { x: n.portrait[0], y: n.portrait[1] };
    return { id: n.id, label: "", title: n.zd.display[lang], shape: n.shape, color: n.color, x: n.x, y: n.y,
             size: n.size, baseSize: n.size };
  });
  var visEdges = data.edges.map(function (e, i) {
    adjacency[e.from].push({ id: e.to, edge: e.zd, out: true });
    adjacency[e.to].push({ id: e.from, edge: e.zd, out: false });
    return { id: i, from: e.from, to: e.to, width: e.width, zd: e.zd };
  });

  function t(key) { return (ui[key] || {})[lang] || key; }
  var collators = {};
  function collate(a, b) {
    // A collator made once per language rather than for every comparison.
    return (collators[lang] || (collators[lang] = new Intl.Collator(lang))).compare(a, b);
  }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function labelOf(id) { return meta[id] ? meta[id].display[lang] : id; }
  function typeLabel(ty) { return (typeStyle[ty] || { labels: {} }).labels[lang] || ty; }
  function quote(text) { return lang === "de" ? "„" + text + "“" : "“" + text + "”"; }
  function safeUrl(url) {
    // Only our own paths and http(s) links: a javascript: IRI written into the graph stays inert.
    return typeof url === "string" && (/^https?:\/\//i.test(url) || /^\/id\//.test(url)) ? url : "#";
  }
  function newTab(a) { a.target = "_blank"; a.rel = "noopener"; return a; }
  function idLink(iri, href) {
    // Served: our own /id/ page; as a file: the IRI, which dereferences to the same page. A new
    // tab, so that this view (in the address) stays where it is.
    var a = newTab(el("a", t("id_page")));
    a.href = safeUrl(served && href ? href : iri);
    return a;
  }
  function relation(edge, out) {
    var table = out ? data.edge_types : data.edge_inverse;
    var w = table[edge.type];
    return w ? w[lang] : edge.type;
  }

  // ---- dates as the sources give them ------------------------------------------------------
  var MONTHS = {
    de: ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"],
    en: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
  };
  function fmtDate(iso, precision) {
    if (!iso) return "";
    var y = iso.slice(0, 4), m = Number(iso.slice(5, 7)), d = Number(iso.slice(8, 10));
    if (precision === "year") return y;
    if (precision === "month") return MONTHS[lang][m - 1] + " " + y;
    return lang === "de" ? d + ". " + MONTHS.de[m - 1] + " " + y : d + " " + MONTHS.en[m - 1] + " " + y;
  }
  function fieldDate(iso) {
    // The date field: dd.mm.yyyy in German, ISO in English, whatever the browser's locale.
    if (!iso) return "";
    return lang === "de" ? iso.slice(8, 10) + "." + iso.slice(5, 7) + "." + iso.slice(0, 4) : iso;
  }
  function parseDate(text) {
    text = (text || "").trim();
    var m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(text), iso = null;
    if (m) iso = m[3] + "-" + ("0" + m[2]).slice(-2) + "-" + ("0" + m[1]).slice(-2);
    else if (/^\d{4}-\d{2}-\d{2}$/.test(text)) iso = text;
    if (!iso) return null;
    var d = new Date(iso + "T00:00:00Z");
    return isNaN(d) || d.toISOString().slice(0, 10) !== iso ? null : iso;
  }

  // ---- state and address -------------------------------------------------------------------
  var state;
  function emptyState() {
    return { hiddenTypes: {}, theme: "", level: "", orgType: "", date: "", ego: null, selected: null,
             signatories: false, color: "type", size: "pagerank", list: false };
  }
  function fromAddress(p) {
    var s = emptyState();
    (p.get("hide") || "").split(",").forEach(function (ty) { if (ty) s.hiddenTypes[ty] = true; });
    s.theme = meta[p.get("theme")] ? p.get("theme") : "";
    s.level = meta[p.get("level")] ? p.get("level") : "";
    s.orgType = p.get("orgtype") || "";
    s.date = parseDate(p.get("date")) || "";
    s.signatories = p.get("signatories") === "1";
    s.color = p.get("color") === "community" ? "community" : "type";
    s.size = METRICS.indexOf(p.get("size")) >= 0 ? p.get("size") : "pagerank";
    s.list = p.get("list") === "1";
    var focus = p.get("focus");
    if (focus && meta[focus]) {
      var depth = Math.max(0, Math.min(6, parseInt(p.get("depth") || "2", 10) || 0));
      s.ego = { id: focus, depth: depth };
    }
    s.selected = meta[p.get("sel")] ? p.get("sel") : null;
    return s;
  }
  function toAddress() {
    var u = new URL(location.href), p = new URLSearchParams();
    if (data.view && data.view !== "full") p.set("view", data.view);
    var hide = Object.keys(state.hiddenTypes).filter(function (k) { return state.hiddenTypes[k]; }).sort();
    if (hide.length) p.set("hide", hide.join(","));
    if (state.theme) p.set("theme", state.theme);
    if (state.level) p.set("level", state.level);
    if (state.orgType) p.set("orgtype", state.orgType);
    if (state.date) p.set("date", state.date);
    if (state.signatories) p.set("signatories", "1");
    if (state.color !== "type") p.set("color", state.color);
    if (state.size !== "pagerank") p.set("size", state.size);
    if (state.list) p.set("list", "1");
    if (state.ego) { p.set("focus", state.ego.id); p.set("depth", String(state.ego.depth)); }
    if (state.selected) p.set("sel", state.selected);
    p.set("lang", lang);
    u.search = p.toString();
    return u;
  }
  function remember(replace) {
    // Every change of the view is a step Back can return to (a language switch replaces).
    try {
      var u = toAddress();
      if (u.href === location.href) return;
      if (replace) history.replaceState(null, "", u); else history.pushState(null, "", u);
    } catch (err) { /* file:// pages in some browsers refuse history changes: the view still works */ }
  }

  // ---- the network ---------------------------------------------------------------------------
  // The DataSets are made once everything about the first view is known (first(), below),
  // so that vis-network reads each record once.
  var nodes = null, edges = null;
  // Edge tooltips: written for every edge of a small network once it is drawn; in a big one
  // (updating 30,000 records takes seconds) each edge gets its title when the pointer reaches it.
  var titledLang = {};   // edge id -> language its title is in
  function setEdgeTitles() {
    titledLang = {};
    if (visNodes.length > EXACT_UP_TO) return;
    edges.update(visEdges.map(function (e) { titledLang[e.id] = lang; return { id: e.id, title: edgeTitle(e) }; }));
  }
  function ensureEdgeTitle(id) {
    if (titledLang[id] === lang || !visEdges[id]) return;
    titledLang[id] = lang;
    edges.update({ id: id, title: edgeTitle(visEdges[id]) });
  }
  var container = document.getElementById("network");

  function edgeTitle(e) {
    var text = labelOf(e.from) + " — " + relation(e.zd, true) + (e.zd.role ? " (" + e.zd.role + ")" : "") + " → " + labelOf(e.to);
    return e.zd.editorial ? text + " [" + t("editorial") + "]" : text;
  }

  // ---- labels: wrapping, measuring, packing --------------------------------------------------
  var measureCtx = document.createElement("canvas").getContext("2d");
  measureCtx.font = "10px " + FACE;
  var wrapped = {};   // id -> {text, lines, width10} for the current language
  function wrap(text) {
    // At most three lines of about 28 characters; longer names end in "…" (the full name is
    // in the tooltip, the details and the list).
    text = String(text || "");
    if (text.length <= 28 && !/\s\s|\n/.test(text)) return [text];
    var words = text.split(/\s+/), lines = [], line = "";
    words.forEach(function (w) {
      if (!line) line = w;
      else if ((line + " " + w).length <= 28) line += " " + w;
      else { lines.push(line); line = w; }
    });
    if (line) lines.push(line);
    if (lines.length > 3) { lines = lines.slice(0, 3); lines[2] = lines[2].replace(/.{0,2}$/, "") + "…"; }
    return lines;
  }
  function canvasName(id) {
    // An English name that is the German one with a gloss ("Wirtschaftsvereinigung Stahl
    // (German Steel Federation)") is drawn as the German name, which is the organisation's own:
    // the gloss would take a line more than the layout leaves; tooltip, details and list keep it.
    var d = meta[id].display, name = d[lang];
    return lang === "en" && d.de && name.indexOf(d.de + " (") === 0 && name.slice(-1) === ")" ? d.de : name;
  }
  var EXACT_UP_TO = 600;
  function forgetNames() { wrapped = {}; }   // a new language: names are wrapped and measured again when next needed
  function wrapOf(id) {
    // Wrapped and measured when first needed (the first view needs only its first step's names).
    // Measured in the canvas font; in a big network only the first level of detail is, the
    // rest estimated generously (0.7 em a character, wider than any run of system-ui text),
    // which only ever leaves more room: first drawing stays fast.
    var w = wrapped[id];
    if (w) return w;
    var lines = wrap(canvasName(id)), width = 0;
    var measure = visNodes.length <= EXACT_UP_TO || meta[id].tier === 0;
    lines.forEach(function (l) { width = Math.max(width, measure ? measureCtx.measureText(l).width : l.length * 7); });
    return (wrapped[id] = { text: lines.join("\n"), lines: lines.length, width10: width });
  }
  function labelBox(id, pos, world, scale) {
    // vis-network draws a label below the shape: its box starts half a font size plus 4 units
    // under the shape (Label.calculateLabelSize with "hanging") and is one font size per line.
    var n = nodeState[id], w = wrapOf(id), pad = 2 / scale, half = w.width10 * world / 20 + pad;
    var top = pos.y + n.size + world / 2 + 4 - pad;
    return [pos.x - half, top, pos.x + half, top + w.lines * world + 2 * pad];
  }
  // A uniform grid of boxes for the overlap tests of the packing (cells of about three label
  // heights, numeric keys: the packing of 10,000 nodes tests some 40,000 boxes).
  function Grid(cell) { this.cell = cell; this.cells = new Map(); }
  // Plain loops, no callbacks: the first view tests thousands of boxes before it is drawn.
  Grid.prototype.hits = function (b) {
    var c = this.cell, cells = this.cells, i1 = Math.floor(b[2] / c), j0 = Math.floor(b[1] / c), j1 = Math.floor(b[3] / c);
    for (var i = Math.floor(b[0] / c); i <= i1; i++) {
      for (var j = j0; j <= j1; j++) {
        var list = cells.get(i * 1048576 + j);
        if (!list) continue;
        for (var k = 0; k < list.length; k++) {
          var o = list[k];
          if (b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]) return true;
        }
      }
    }
    return false;
  };
  Grid.prototype.add = function (b) {
    var c = this.cell, cells = this.cells, i1 = Math.floor(b[2] / c), j0 = Math.floor(b[1] / c), j1 = Math.floor(b[3] / c);
    for (var i = Math.floor(b[0] / c); i <= i1; i++) {
      for (var j = j0; j <= j1; j++) {
        var key = i * 1048576 + j, list = cells.get(key);
        if (list) list.push(b); else cells.set(key, [b]);
      }
    }
  };
  var placed = {};    // id -> tier placed at (or -1: no label)
  function labelRanks() {
    // The selected node and its neighbours come before every tier, so that the node one is
    // reading about is named (at the first step) with what it links to.
    var sel = state && state.selected && current[state.selected] ? state.selected : null, rank = {};
    if (sel) {
      adjacency[sel].forEach(function (n) { rank[n.id] = -1; });
      rank[sel] = -2;
    }
    return function (id) { return id in rank ? rank[id] : meta[id].tier; };
  }
  function shapes(ids, cell) {
    // Node shapes are obstacles too: a label never covers a node. They do not move while a
    // view is fitted, so the rounds of one fit share this grid.
    var grid = new Grid(cell);
    ids.forEach(function (id) {
      var r = nodeState[id].size, p = positions[id];
      grid.add([p.x - r, p.y - r, p.x + r, p.y + r]);
    });
    return grid;
  }
  function packingOrder(candidates, rankOf) {
    // Most important first: rank, then degree.
    return candidates.slice().sort(function (a, b) {
      return (rankOf(a) - rankOf(b)) || ((meta[b].degree || 0) - (meta[a].degree || 0)) || (a < b ? -1 : 1);
    });
  }
  function pack(ids, scale, candidates, obstacles, sorted) {
    // ids: every node shown (their shapes are obstacles); candidates: those to label (sorted:
    // already in packing order). Each label takes the largest step that is free.
    var rankOf = labelRanks();
    var order = sorted ? candidates : packingOrder(candidates, rankOf);
    obstacles = obstacles || shapes(ids, 40 / scale);
    var grid = new Grid(obstacles.cell), result = {};
    // A small view (an ego network, a narrow filter) has room: every name may take the first step.
    var roomy = ids.length <= 60 || !!state.ego;
    order.forEach(function (id) {
      var p = positions[id], tier = roomy ? 0 : Math.max(0, Math.min(3, rankOf(id)));
      result[id] = -1;
      for (var k = tier; k < TIER_PX.length; k++) {
        var world = TIER_PX[k] / scale, box = labelBox(id, p, world, scale);
        // The selected node is named whatever node shape its name crosses (it is drawn in
        // bold and is what one reads about); it comes first, so no label is under it.
        var free = !grid.hits(box) && (rankOf(id) === -2 || !obstacles.hits(box));
        if (free) { grid.add(box); result[id] = k; break; }
      }
    });
    return result;
  }

  // ---- node state: position, size, colour -----------------------------------------------------
  var nodeState = {};   // id -> {size}
  var positions = {};   // id -> current position (the whole view's or the ego view's)
  visNodes.forEach(function (n) { nodeState[n.id] = { size: n.size }; positions[n.id] = { x: n.x, y: n.y }; });
  var metricTop = {};
  METRICS.forEach(function (m) {
    metricTop[m] = 0;
    visNodes.forEach(function (n) { metricTop[m] = Math.max(metricTop[m], meta[n.id][m] || 0); });
  });
  var sizeRange = (function () {
    var lo = Infinity, hi = 0;
    visNodes.forEach(function (n) { lo = Math.min(lo, n.baseSize); hi = Math.max(hi, n.baseSize); });
    return [isFinite(lo) ? lo : 6, Math.max(hi, lo + 1)];
  })();
  function sizeOf(id) {
    var top = metricTop[state.size], v = meta[id][state.size] || 0;
    return top > 0 ? Math.round((sizeRange[0] + (sizeRange[1] - sizeRange[0]) * Math.sqrt(v / top)) * 10) / 10 : sizeRange[0];
  }
  function colorOf(id) {
    if (state.color === "community" && meta[id].community !== undefined) return PALETTE[meta[id].community % PALETTE.length];
    return (typeStyle[meta[id].type] || {}).color || "#999999";
  }

  // ---- filters -------------------------------------------------------------------------------
  function inDate(start, end) {
    if (!state.date) return true;
    return (!start || start <= state.date) && (!end || end > state.date);
  }
  function egoLevels() {
    // Breadth-first rings around the ego (level per node), in a stable order.
    if (!state.ego || !meta[state.ego.id]) return null;
    var level = {}, parent = {};
    level[state.ego.id] = 0;
    var frontier = [state.ego.id];
    for (var d = 0; d < state.ego.depth; d++) {
      var next = [];
      frontier.forEach(function (v) {
        adjacency[v].forEach(function (n) {
          if (level[n.id] === undefined) { level[n.id] = d + 1; parent[n.id] = v; next.push(n.id); }
        });
      });
      frontier = next;
    }
    return { level: level, parent: parent };
  }
  var signatorySet = (function () {
    // Who signed, and for which organisation (the letter's "unterzeichnet für"), plus the letter.
    var s = {};
    data.edges.forEach(function (e) {
      if (e.zd.types && e.zd.types.indexOf("signed") >= 0) { s[e.from] = true; s[e.to] = true; }
      if (e.zd.types && e.zd.types.indexOf("signed-for") >= 0) { s[e.from] = true; s[e.to] = true; }
    });
    return s;
  })();
  function orgTypeOf(id) { var m = meta[id]; return m && m.org_type ? m.org_type.id : null; }
  function nodeVisible(id, ego) {
    var m = meta[id];
    if (state.hiddenTypes[m.type]) return false;
    if (ego && ego.level[id] === undefined) return false;
    if (!inDate(m.start || m.seen_from, m.end)) return false;
    if (state.signatories && !signatorySet[id]) return false;
    if (state.theme && id !== state.theme && (m.themes || []).indexOf(state.theme) < 0) return false;
    if (state.level && id !== state.level && (m.levels || []).indexOf(state.level) < 0) return false;
    if (state.orgType) {
      // Organisations of that type, their people, and what links two or more of them.
      if (m.type === "organisation") return orgTypeOf(id) === state.orgType;
      if (m.type === "person") return (m.organisations || []).some(function (o) { return orgTypeOf(o) === state.orgType; });
      var linked = 0;
      adjacency[id].forEach(function (n) { if (orgTypeOf(n.id) === state.orgType) linked++; });
      return linked >= 2;
    }
    return true;
  }
  var current = {};
  visNodes.forEach(function (n) { current[n.id] = true; });
  visEdges.forEach(function (e) { e.shown = true; });
  function apply() {
    var ego = egoLevels(), nodeUpdates = [], edgeUpdates = [], shown = 0;
    visNodes.forEach(function (n) {
      var v = nodeVisible(n.id, ego);
      if (v) shown++;
      if (current[n.id] !== v) { current[n.id] = v; nodeUpdates.push({ id: n.id, hidden: !v }); }
    });
    visEdges.forEach(function (e) {
      var v = current[e.from] && current[e.to] && inDate(e.zd.start, e.zd.end);
      if (e.shown !== v) { e.shown = v; edgeUpdates.push({ id: e.id, hidden: !v }); }
    });
    if (nodeUpdates.length && nodes) nodes.update(nodeUpdates);
    if (edgeUpdates.length && edges) edges.update(edgeUpdates);
    document.getElementById("count").textContent = String(shown);
    document.getElementById("ego-banner").hidden = !ego;
    if (ego) {
      document.getElementById("ego-name").textContent = labelOf(state.ego.id);
      document.getElementById("ego-depth").textContent = String(state.ego.depth);
    }
    hideTooltip();
    return ego;
  }
  window.zdgVisibleIds = function () { return Object.keys(current).filter(function (k) { return current[k]; }); };

  function egoPositions(ego) {
    // The ego view's own layout: the ego in the middle, each ring of neighbours on an ellipse
    // (wider than high, like the screen), ordered by relation and then by their parent's angle.
    var out = {}, rings = [];
    Object.keys(ego.level).forEach(function (id) {
      if (!current[id]) return;
      (rings[ego.level[id]] = rings[ego.level[id]] || []).push(id);
    });
    var angle = {};
    out[state.ego.id] = { x: 0, y: 0 };
    angle[state.ego.id] = 0;
    // Evenly spaced rings, far enough apart that the fullest ring has ~95 units a node.
    var step = 150;
    for (var r = 1; r < rings.length; r++) step = Math.max(step, (rings[r] || []).length * 95 / (2 * Math.PI * r));
    for (var k = 1; k < rings.length; k++) {
      var ring = rings[k] || [];
      ring.sort(function (a, b) {
        var pa = angle[ego.parent[a]] || 0, pb = angle[ego.parent[b]] || 0;
        return (pa - pb) || (meta[a].type < meta[b].type ? -1 : meta[a].type > meta[b].type ? 1 : 0) ||
          (labelOf(a) < labelOf(b) ? -1 : 1);
      });
      var radius = k * step;
      ring.forEach(function (id, i) {
        var a = -Math.PI / 2 + 2 * Math.PI * i / ring.length + (k % 2 ? 0 : Math.PI / ring.length);
        angle[id] = a;
        out[id] = { x: Math.round(1.7 * radius * Math.cos(a)), y: Math.round(radius * Math.sin(a)) };
      });
    }
    return out;
  }

  // ---- fitting the view so that it reads --------------------------------------------------
  var network = null, lastScale = 1, fitCenter = { x: 0, y: 0 };   // the last fit's zoom and centre
  // Arrowheads, like labels, are drawn only where they can be seen: from 4 px long on screen
  // (vis-network's arrow is 15 * scaleFactor + 3 * width units). Drawing 30,000 invisible ones
  // would double the first drawing of a big network and slow every pan.
  var ARROW_MIN_PX = 4, arrowsOn = null;
  function arrowsVisible(scale) {
    var a = data.options.edges.arrows.to;
    return (15 * a.scaleFactor + 3) * scale >= ARROW_MIN_PX;
  }
  function syncArrows() {
    var on = arrowsVisible(network.getScale());
    if (on === arrowsOn) return;
    arrowsOn = on;
    network.setOptions({ edges: { arrows: { to: { enabled: on, scaleFactor: data.options.edges.arrows.to.scaleFactor } } } });
  }
  function canvasSize() {
    return { w: container.clientWidth || 800, h: container.clientHeight || 600 };
  }
  var portraitNow = null;   // whether the network area is higher than wide; read once per fit (a layout read)
  function portrait() {
    if (portraitNow === null) { var c = canvasSize(); portraitNow = c.h > c.w * 1.15; }
    return portraitNow;
  }
  function homeOf(id) { return portrait() && portraitHome[id] ? portraitHome[id] : home[id]; }
  function layoutAndLabel(ids, firstStepOnly) {
    // Fit: the scale that shows every visible node with its first-step label, then pack the
    // labels for that scale; if a placed label sticks out of the window, shrink and repeat.
    // firstStepOnly: leave the other names unplaced (-1): at the fitted zoom they are below
    // the draw threshold anyway, and the first view is drawn sooner (they follow at once).
    var size = canvasSize(), minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    // On a phone the whole dialogue does not fit legibly: the first view shows the signatory
    // column (the first level of detail); the rest is a pan away.
    var fitIds = ids;
    if (portrait() && !state.ego) {
      var first = ids.filter(function (id) { return meta[id].tier === 0 && portraitHome[id]; });
      if (first.length >= 3) fitIds = first;
    }
    fitIds.forEach(function (id) {
      var p = positions[id], r = nodeState[id].size;
      minX = Math.min(minX, p.x - r); maxX = Math.max(maxX, p.x + r);
      minY = Math.min(minY, p.y - r); maxY = Math.max(maxY, p.y + r);
    });
    if (!ids.length) { minX = minY = -100; maxX = maxY = 100; }
    // The hint line lies over the bottom of the network (two lines on a phone): no label under it.
    var hint = document.getElementById("hint");
    var padX = 24, padTop = 20, padBottom = Math.max(24, hint && hint.getClientRects().length ? hint.offsetHeight + 10 : 0);
    var w = Math.max(maxX - minX, 1), h = Math.max(maxY - minY, 1);
    var scale = Math.min((size.w - 2 * padX) / w, (size.h - padTop - padBottom) / h, 2.2);
    var result = {}, cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
    // The rounds only need the labels that can take the first step (they come first in the
    // packing order, so the others cannot change where they go); all are packed at the end.
    var roomy = ids.length <= 60 || !!state.ego;
    var rankOf = labelRanks();
    var firstStep = roomy ? ids : ids.filter(function (id) { return rankOf(id) <= 0; });
    var obstacles = shapes(ids, 40 / scale), firstOrder = packingOrder(firstStep, rankOf);
    for (var round = 0; round < 6; round++) {
      result = pack(ids, scale, firstOrder, obstacles, true);
      // The drawn labels' extent on screen (first step only: the others are not drawn here).
      var lx0 = minX, lx1 = maxX, ly0 = minY, ly1 = maxY;
      fitIds.forEach(function (id) {
        if (result[id] !== 0) return;
        var b = labelBox(id, positions[id], TIER_PX[0] / scale, scale);
        lx0 = Math.min(lx0, b[0]); lx1 = Math.max(lx1, b[2]); ly0 = Math.min(ly0, b[1]); ly1 = Math.max(ly1, b[3]);
      });
      var need = Math.max((lx1 - lx0) * scale / (size.w - 2 * padX), (ly1 - ly0) * scale / (size.h - padTop - padBottom));
      cx = (lx0 + lx1) / 2; cy = (ly0 + ly1) / 2;
      if (need <= 1.001) break;
      scale = scale / need * 0.99;
    }
    if (firstStep.length < ids.length) {
      if (firstStepOnly) ids.forEach(function (id) { if (!(id in result)) result[id] = -1; });
      else result = pack(ids, scale, ids, obstacles);
    }
    return { scale: scale, tiers: result, center: { x: cx, y: cy } };
  }
  function labelUpdates(ids, fit) {
    var out = [];
    ids.forEach(function (id) {
      var k = fit.tiers[id];
      placed[id] = k;
      out.push(k < 0 ? { id: id, label: "" } :
        { id: id, label: wrapOf(id).text, font: { size: TIER_PX[k] / fit.scale } });
    });
    return out;
  }
  function refit() {
    // After every change of what is shown: positions (ego or whole), sizes, colours, labels, fit.
    portraitNow = null;
    var ego = egoLevels();
    var ids = window.zdgVisibleIds();
    var egoPos = ego ? egoPositions(ego) : null;
    ids.forEach(function (id) {
      positions[id] = egoPos && egoPos[id] ? egoPos[id] : homeOf(id);
      nodeState[id].size = sizeOf(id);
    });
    var fit = layoutAndLabel(ids);
    var updates = labelUpdates(ids, fit);
    updates.forEach(function (u) {
      u.x = positions[u.id].x; u.y = positions[u.id].y; u.size = nodeState[u.id].size;
      u.color = colorOf(u.id);
    });
    nodes.update(updates);
    lastScale = fit.scale;
    userMoved = false;
    fitCenter = fit.center;
    if (network) { network.moveTo({ position: fit.center, scale: fit.scale, animation: false }); syncArrows(); }
    return fit;
  }
  window.zdgFit = refit;
  function relabel() {
    // Packed again at the same scale: only the names whose step changed are sent to vis-network
    // (after the first view, thousands in a big network; on a selection, a few).
    var ids = window.zdgVisibleIds(), before = {};
    ids.forEach(function (id) { before[id] = placed[id]; });
    var updates = labelUpdates(ids, { scale: lastScale, tiers: pack(ids, lastScale, ids) });
    nodes.update(updates.filter(function (u) { return placed[u.id] !== before[u.id]; }));
  }

  // The first view: its first step packed before vis-network draws anything.
  state = fromAddress(params);
  apply();
  (function first() {
    var ego = egoLevels(), ids = window.zdgVisibleIds(), egoPos = ego ? egoPositions(ego) : null;
    ids.forEach(function (id) {
      positions[id] = egoPos && egoPos[id] ? egoPos[id] : homeOf(id);
      nodeState[id].size = sizeOf(id);
    });
    var fit = layoutAndLabel(ids, true), updates = labelUpdates(ids, fit);
    updates.forEach(function (u) {
      u.x = positions[u.id].x; u.y = positions[u.id].y; u.size = nodeState[u.id].size; u.color = colorOf(u.id);
    });
    var byId = {};
    updates.forEach(function (u) { byId[u.id] = u; });
    nodes = new vis.DataSet(visNodes.map(function (n) {
      var u = byId[n.id] || { label: "", x: n.x, y: n.y, size: n.size, color: n.color };
      var rec = { id: n.id, label: u.label, title: n.title, shape: n.shape, color: u.color, x: u.x, y: u.y, size: u.size };
      if (u.font) rec.font = u.font;
      if (!current[n.id]) rec.hidden = true;
      return rec;
    }));
    edges = new vis.DataSet(visEdges.map(function (e) {
      var rec = { id: e.id, from: e.from, to: e.to, width: e.width };
      if (e.zd.editorial) rec.dashes = true;
      if (!e.shown) rec.hidden = true;
      return rec;
    }));
    // Arrowheads join in the step after the first drawing (syncArrows), with the further names.
    arrowsOn = false;
    data.options.edges.arrows.to.enabled = false;
    network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
    lastScale = fit.scale;
    fitCenter = fit.center;
    network.moveTo({ position: fit.center, scale: fit.scale, animation: false });
  })();

  function hideTooltip() {
    var tip = container.querySelector(".vis-tooltip");
    if (tip) tip.style.visibility = "hidden";
  }

  // ---- legend and selects ----------------------------------------------------------------
  var SHAPES = {
    dot: "M8 2a6 6 0 1 0 0.01 0Z", diamond: "M8 1L15 8L8 15L1 8Z", square: "M2 2H14V14H2Z",
    triangle: "M8 1L15 14H1Z", triangleDown: "M1 2H15L8 15Z", hexagon: "M4 1.5H12L15.5 8L12 14.5H4L0.5 8Z",
    star: "M8 0.5L10 6H15.5L11 9.5L12.8 15L8 11.6L3.2 15L5 9.5L0.5 6H6Z"
  };
  function swatch(ty) {
    var ns = "http://www.w3.org/2000/svg", svg = document.createElementNS(ns, "svg"), path = document.createElementNS(ns, "path");
    svg.setAttribute("viewBox", "0 0 16 16"); svg.setAttribute("width", "16"); svg.setAttribute("height", "16");
    svg.setAttribute("aria-hidden", "true"); svg.setAttribute("class", "swatch");
    path.setAttribute("d", SHAPES[ty.shape] || SHAPES.dot);
    path.setAttribute("fill", ty.color); path.setAttribute("stroke", "#1d2330"); path.setAttribute("stroke-width", "0.6");
    svg.append(path);
    return svg;
  }
  function counts() {
    var c = {};
    visNodes.forEach(function (n) { var ty = meta[n.id].type; c[ty] = (c[ty] || 0) + 1; });
    return c;
  }
  function buildLegend() {
    var ul = document.getElementById("legend"), c = counts();
    // Rebuilt on every change: keep the keyboard focus on the same type's button.
    var focused = document.activeElement && ul.contains(document.activeElement) ? document.activeElement.dataset.type : null;
    ul.replaceChildren();
    data.types.forEach(function (ty) {
      var li = el("li"), b = el("button");
      b.type = "button";
      b.dataset.type = ty.id;
      li.dataset.type = ty.id;
      var on = !state.hiddenTypes[ty.id];
      b.setAttribute("aria-pressed", String(on));
      li.classList.toggle("off", !on);
      b.append(swatch(ty), el("span", ty.labels[lang], "name"), el("span", String(c[ty.id] || 0), "n"));
      b.addEventListener("click", function () {
        state.hiddenTypes[ty.id] = !state.hiddenTypes[ty.id];
        changed();
      });
      li.append(b);
      ul.append(li);
    });
    // Coloured by community, the swatches keep only the shape (the colours mean communities).
    document.getElementById("legend-community").hidden = state.color !== "community";
    if (state.color === "community") ul.querySelectorAll(".swatch path").forEach(function (p) { p.setAttribute("fill", "#ffffff"); });
    if (focused) { var again = ul.querySelector('button[data-type="' + focused + '"]'); if (again) again.focus(); }
  }
  function fillSelect(id, items, value, grouped) {
    var sel = document.getElementById(id);
    sel.replaceChildren();
    var all = el("option", t("all")); all.value = ""; sel.append(all);
    var groups = {}, order = [];
    items.forEach(function (it) {
      var g = grouped && it.scheme ? it.scheme[lang] : "";
      if (!groups[g]) { groups[g] = []; order.push(g); }
      groups[g].push(it);
    });
    order.forEach(function (g) {
      var parent = sel;
      if (g) { parent = document.createElement("optgroup"); parent.label = g; sel.append(parent); }
      groups[g].slice().sort(function (a, b) { return a.order[lang] - b.order[lang]; }).forEach(function (it) {
        var o = el("option", it.labels[lang]); o.value = it.id; parent.append(o);
      });
    });
    sel.value = value;
  }
  function fillViews() {
    var sel = document.getElementById("f-view");
    sel.replaceChildren();
    data.views.forEach(function (v) { var o = el("option", t("view_" + v)); o.value = v; sel.append(o); });
    sel.value = data.view || "full";
  }
  function fillMetrics() {
    var sel = document.getElementById("f-size");
    sel.replaceChildren();
    METRICS.forEach(function (m) { var o = el("option", t(m)); o.value = m; sel.append(o); });
    sel.value = state.size;
    var col = document.getElementById("f-color");
    col.replaceChildren();
    ["type", "community"].forEach(function (c) { var o = el("option", t("color_" + c)); o.value = c; col.append(o); });
    col.value = state.color;
  }
  function buildSelects() {
    fillSelect("f-theme", data.themes, state.theme, true);
    fillSelect("f-level", data.levels, state.level, false);
    fillSelect("f-orgtype", data.org_types, state.orgType, false);
    fillViews(); fillMetrics();
    document.getElementById("f-signatories").checked = state.signatories;
  }
  document.getElementById("f-theme").addEventListener("change", function (e) { state.theme = e.target.value; changed(); });
  document.getElementById("f-level").addEventListener("change", function (e) { state.level = e.target.value; changed(); });
  document.getElementById("f-orgtype").addEventListener("change", function (e) { state.orgType = e.target.value; changed(); });
  document.getElementById("f-signatories").addEventListener("change", function (e) { state.signatories = e.target.checked; changed(); });
  document.getElementById("f-size").addEventListener("change", function (e) { state.size = e.target.value; changed(); });
  document.getElementById("f-color").addEventListener("change", function (e) { state.color = e.target.value; changed(); });
  document.getElementById("f-view").addEventListener("change", function (e) {
    // Another view is another network from the server: the same page with ?view=.
    var u = new URL(location.href), p = new URLSearchParams();
    if (e.target.value !== "full") p.set("view", e.target.value);
    p.set("lang", lang);
    u.search = p.toString();
    location.assign(u.href);
  });

  var dateInput = document.getElementById("f-date"), dateError = document.getElementById("f-date-error");
  // The timeline steps through the dates the data knows; its right end means "no date filter".
  var slider = document.getElementById("f-date-slider"), sliderValue = document.getElementById("f-date-slider-value");
  slider.max = String(data.dates.length);
  function syncDate() {
    var i = data.dates.indexOf(state.date);
    if (!state.date) slider.value = slider.max; else if (i >= 0) slider.value = String(i);
    sliderValue.textContent = state.date ? fmtDate(state.date, (data.date_precision || {})[state.date] || "day") : t("all");
    if (document.activeElement !== dateInput || !dateInput.value) dateInput.value = fieldDate(state.date);
    dateInput.placeholder = t("date_placeholder");
  }
  function setDate(value) { state.date = value; changed(); }
  dateInput.addEventListener("change", function () {
    var text = dateInput.value.trim(), iso = parseDate(text);
    dateError.hidden = !text || !!iso;
    dateError.textContent = t("bad_date");
    dateInput.setAttribute("aria-invalid", String(!!text && !iso));
    if (!text) setDate("");
    else if (iso) { dateInput.value = fieldDate(iso); setDate(iso); }
  });
  dateInput.addEventListener("keydown", function (ev) { if (ev.key === "Enter") dateInput.dispatchEvent(new Event("change")); });
  slider.addEventListener("input", function () {
    var i = Number(slider.value);
    var iso = i >= data.dates.length ? "" : data.dates[i];
    dateInput.value = fieldDate(iso);
    setDate(iso);
  });

  // ---- details panel -------------------------------------------------------------------
  function section(body, key, text) { var h = el("h3", text || t(key)); body.append(h); return h; }
  function nodeLink(id, text) {
    var a = el("a", text || labelOf(id), "node-link");
    a.href = "#";
    a.dataset.node = id;
    a.addEventListener("click", function (ev) { ev.preventDefault(); select(id, true); });
    return a;
  }
  function typeTag(ty) {
    var s = el("span", typeLabel(ty), "type");
    s.style.borderColor = (typeStyle[ty] || {}).color || "#999";
    return s;
  }
  function signatoriesTable(id) {
    // One row per signature: person – role – organisation (the letter's own list).
    var persons = adjacency[id].filter(function (n) { return !n.out && n.edge.types.indexOf("signed") >= 0; });
    if (!persons.length) return null;
    var orgsFor = {};
    adjacency[id].forEach(function (n) { if (!n.out && n.edge.types.indexOf("signed-for") >= 0) orgsFor[n.id] = true; });
    var table = el("table", null, "signatories"), head = el("tr");
    table.id = "details-signatories";
    ["person", "role", "organisation"].forEach(function (k) { var th = el("th", t(k)); th.scope = "col"; head.append(th); });
    var thead = el("thead"); thead.append(head); table.append(thead);
    var tbody = el("tbody");
    persons.sort(function (a, b) { return collate(labelOf(a.id), labelOf(b.id)); }).forEach(function (p) {
      var posts = (meta[p.id].posts || []).filter(function (x) { return orgsFor[x.organisation.id]; });
      if (!posts.length) posts = meta[p.id].posts || [];
      var post = posts[0], tr = el("tr"), td1 = el("td"), td3 = el("td");
      td1.append(nodeLink(p.id));
      if (post) td3.append(nodeLink(post.organisation.id));
      tr.append(td1, el("td", post && post.role ? post.role.labels[lang] : (post ? post.labels[lang] : "")), td3);
      tbody.append(tr);
    });
    table.append(tbody);
    return table;
  }
  function showDetails(id) {
    var m = meta[id], body = document.getElementById("details-body");
    var panel = document.getElementById("details");
    body.replaceChildren();
    if (!m) { panel.hidden = true; document.body.classList.remove("details-open"); return; }
    panel.hidden = false;
    document.body.classList.add("details-open");
    var h = el("h2", m.display[lang]); h.id = "details-title"; h.tabIndex = -1; body.append(h);
    var ty = typeTag(m.type);
    ty.id = "details-type";
    body.append(ty, document.createTextNode(" "), idLink(id, m.href));
    if (served) {  // the fact's change history (issue 19): who changed it when, from the change log
      var hist = newTab(el("a", t("history"))); hist.id = "details-history";
      hist.href = "/edit/changes?lang=" + lang + "&about=" + encodeURIComponent(id);
      body.append(document.createTextNode(" · "), hist);
    }
    if (m.date || m.start) {
      section(body, "date");
      var dp = el("p", fmtDate(m.date || m.start, m.date_precision)); dp.id = "details-date"; body.append(dp);
    }
    var table = signatoriesTable(id);
    if (table) { section(body, "signed_by"); body.append(table); }
    if (m.labels && (m.labels.de !== m.display[lang] || m.labels.en !== m.display[lang])) {
      section(body, "labels");
      var ul = el("ul");
      ["de", "en"].forEach(function (lg) { if (m.labels[lg]) ul.append(el("li", lg.toUpperCase() + ": " + m.labels[lg])); });
      body.append(ul);
    }
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
    if (m.text) { section(body, "text"); body.append(el("blockquote", quote(m.text))); }
    if (m.status) { section(body, "status"); body.append(el("p", m.status.labels[lang])); }
    if (m.sources && m.sources.length) {
      section(body, "sources");
      m.sources.forEach(function (s) {
        var box = el("div", null, "source");
        if (s.document) box.append(el("strong", s.document.label));
        if (s.quote) box.append(el("blockquote", quote(s.quote.replace(/\\\|/g, "|").replace(/^[\s|]+|[\s|]+$/g, "").replace(/ \| /g, " · "))));  // table cells as cells, no Markdown
        var links = el("p");
        var ex = newTab(el("a", t("excerpt")));
        // The passage where it stands: the reader of its source at #slug (a new tab: the view stays).
        ex.href = safeUrl(served && s.document && s.document.id.indexOf("/id/") > 0 ? "/id/" + s.document.id.split("/id/")[1] + "#" + s.excerpt.split("/").pop() : (served && s.excerpt.indexOf("/id/") > 0 ? "/id/" + s.excerpt.split("/id/")[1] : s.excerpt));
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
    // Neighbours grouped by relation, worded from this node's end, each with its type.
    var groups = {}, order = [];
    adjacency[id].forEach(function (n) {
      (n.edge.types || [n.edge.type]).forEach(function (et) {
        var key = et + (n.out ? ">" : "<");
        if (!groups[key]) { groups[key] = { label: relation({ type: et }, n.out), items: [] }; order.push(key); }
        groups[key].items.push(n);
      });
    });
    if (order.length) {
      section(body, "neighbours");
      var rel = el("div"); rel.id = "details-relations";
      order.sort(function (a, b) { return groups[b].items.length - groups[a].items.length || (groups[a].label < groups[b].label ? -1 : 1); });
      order.forEach(function (key) {
        var g = groups[key], h4 = el("h4", g.label + " (" + g.items.length + ")"), list = el("ul", null, "relation");
        list.dataset.relation = key;
        g.items.slice(0, 200).forEach(function (n) {
          var li = el("li");
          li.append(nodeLink(n.id), document.createTextNode(" "), typeTag(meta[n.id].type));
          if (n.edge.role) li.append(el("span", " (" + n.edge.role + ")", "role"));
          if (n.edge.editorial) li.append(el("span", " – " + t("editorial"), "editorial"));
          list.append(li);
        });
        rel.append(h4, list);
      });
      body.append(rel);
    }
    section(body, "metrics");
    var tb = el("table", null, "metrics");
    METRICS.concat(["community"]).forEach(function (k) {
      if (m[k] === undefined) return;
      var tr = el("tr"), th = el("th", t(k)); th.scope = "row";
      var v = typeof m[k] === "number" && k !== "degree" && k !== "community" ? m[k].toLocaleString(lang, { maximumFractionDigits: 4 }) : String(m[k]);
      tr.append(th, el("td", v)); tb.append(tr);
    });
    body.append(tb);
    var ego = el("p", null, "ego");
    ego.append(el("span", t("ego") + ": "));
    [1, 2, 3].forEach(function (d) {
      var b = el("button", t("depth") + " " + d); b.type = "button"; b.dataset.depth = String(d);
      b.addEventListener("click", function () { state.ego = { id: id, depth: d }; changed(); });
      ego.append(b);
    });
    body.append(ego);
  }
  function closeDetails() {
    document.getElementById("details").hidden = true;
    document.body.classList.remove("details-open");
    state.selected = null; network.unselectAll();
  }
  document.getElementById("details-close").addEventListener("click", function () { closeDetails(); remember(); });
  function select(id, record) {
    if (!meta[id]) return;
    state.selected = id;
    if (!current[id]) { state.hiddenTypes[meta[id].type] = false; apply(); buildLegend(); refit(); }
    // A fitted view is packed again at its zoom, so that the selection and its neighbours
    // are named; a view the user zoomed or panned keeps its labels.
    if (!userMoved) relabel();
    network.selectNodes([id]);
    showDetails(id);
    intoView(id);
    if (record) remember();
  }
  function intoView(id) {
    // A selected node hidden under the details sheet (phone) or outside the window is
    // brought into the part of the network still in sight, at the same zoom.
    var pos = network.getPositions([id])[id];
    if (!pos) return;
    var at = network.canvasToDOM(pos), box = container.getBoundingClientRect();
    var sheet = document.getElementById("details").getBoundingClientRect();
    var bottom = !document.getElementById("details").hidden && sheet.top > box.top && sheet.left <= box.left + 1
      ? sheet.top - box.top : box.height;
    if (at.x >= 20 && at.x <= box.width - 20 && at.y >= 20 && at.y <= bottom - 30) return;
    // Only the way it is out: a node hidden by the sheet moves up, the columns stay in place.
    var scale = network.getScale(), view = network.getViewPosition();
    var x = at.x >= 20 && at.x <= box.width - 20 ? view.x : pos.x;
    var y = at.y >= 20 && at.y <= bottom - 30 ? view.y : pos.y + (box.height / 2 - bottom / 2) / scale;
    network.moveTo({ position: { x: x, y: y }, scale: scale, animation: false });
  }
  network.on("click", function (params) {
    if (params.nodes.length) select(params.nodes[0], true);
  });

  // ---- search --------------------------------------------------------------------------
  function fold(s) {
    // Lower case without diacritics: "Löllgen" and "Lollgen" and "Loellgen" meet.
    return String(s || "").toLocaleLowerCase().replace(/ß/g, "ss").replace(/ä/g, "ae").replace(/ö/g, "oe").replace(/ü/g, "ue")
      .normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }
  function foldBoth(s) {
    // Both spellings of an umlaut: "ö" as "oe" and as "o".
    var plain = String(s || "").toLocaleLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/ß/g, "ss");
    return [fold(s), plain];
  }
  var haystacks = null;
  function buildHaystacks() {
    haystacks = {};
    visNodes.forEach(function (n) {
      var m = meta[n.id];
      var hay = [m.display[lang], m.display.de, m.display.en, m.labels && m.labels.de, m.labels && m.labels.en].concat(m.alt_labels || []);
      haystacks[n.id] = hay.filter(Boolean).map(foldBoth).reduce(function (a, b) { return a.concat(b); }, []);
    });
  }
  function matches(q) {
    // Every word of the query must occur (any order); best first: whole label, label start,
    // word starts, anywhere; then shorter labels.
    var words = fold(q).split(/\s+/).filter(Boolean);
    if (!words.length) return [];
    if (!haystacks) buildHaystacks();  // on the first search, not before the first drawing
    var scored = [];
    visNodes.forEach(function (n) {
      var best = 9;
      haystacks[n.id].forEach(function (h) {
        var score = 0;
        for (var i = 0; i < words.length; i++) {
          var at = h.indexOf(words[i]);
          if (at < 0) return;
          score += h === words[i] ? 0 : at === 0 ? 1 : /[\s(„"“\-\/|.]/.test(h.charAt(at - 1)) ? 2 : 3;
        }
        score = score / words.length;
        if (score < best) best = score;
      });
      if (best < 9) scored.push([best, labelOf(n.id).length, n.id]);
    });
    scored.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : 1); });
    return scored.slice(0, 12).map(function (s) { return s[2]; });
  }
  var search = document.getElementById("search"), results = document.getElementById("search-results"), active = -1;
  function showResults() {
    var found = matches(search.value);
    results.replaceChildren();
    active = -1;
    var open = !!search.value.trim();
    results.hidden = !open;
    search.setAttribute("aria-expanded", String(open));
    if (!found.length && open) results.append(el("li", t("no_match"), "none"));
    found.forEach(function (id, i) {
      var li = el("li");
      li.id = "search-result-" + i;
      li.setAttribute("role", "option");
      li.dataset.node = id;
      li.append(el("span", labelOf(id), "label"), el("small", typeLabel(meta[id].type)));
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
      li.addEventListener("click", function () { pick(id); });
      results.append(li);
    });
  }
  function pick(id) {
    results.hidden = true;
    search.setAttribute("aria-expanded", "false");
    select(id, true);
    network.focus(id, { scale: Math.max(network.getScale(), lastScale * 1.6), animation: false });
    syncArrows();
    userMoved = true;  // the view now centres the found node: keep it when the details open
  }
  function setActive(i) {
    var items = results.querySelectorAll("li[data-node]");
    if (!items.length) return;
    active = (i + items.length) % items.length;
    items.forEach(function (li, k) { li.classList.toggle("active", k === active); li.setAttribute("aria-selected", String(k === active)); });
    search.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }
  search.addEventListener("input", showResults);
  search.addEventListener("keydown", function (ev) {
    var items = results.querySelectorAll("li[data-node]");
    if (ev.key === "ArrowDown") { ev.preventDefault(); setActive(active + 1); }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); setActive(active - 1); }
    else if (ev.key === "Enter") {
      if (active >= 0 && items[active]) pick(items[active].dataset.node);
      else { var f = matches(search.value); if (f.length) pick(f[0]); }
    } else if (ev.key === "Escape") { results.hidden = true; search.setAttribute("aria-expanded", "false"); }
  });
  search.addEventListener("blur", function () { setTimeout(function () { results.hidden = true; }, 150); });

  // ---- list view: the visible nodes as a sortable table --------------------------------------
  var listSort = { key: "name", dir: 1 };
  function buildList() {
    var wrap = document.getElementById("list"), tbody = document.getElementById("list-body");
    wrap.hidden = !state.list;
    document.getElementById("list-toggle").setAttribute("aria-pressed", String(state.list));
    document.body.classList.toggle("list-open", state.list);
    if (!state.list) return;
    var ids = window.zdgVisibleIds();
    var keyOf = {
      name: function (id) { return labelOf(id).toLocaleLowerCase(); },
      type: function (id) { return typeLabel(meta[id].type); },
      degree: function (id) { return meta[id].degree || 0; },
      date: function (id) { return meta[id].date || meta[id].start || ""; }
    }[listSort.key];
    ids.sort(function (a, b) {
      var x = keyOf(a), y = keyOf(b);
      return (x < y ? -1 : x > y ? 1 : 0) * listSort.dir || (labelOf(a) < labelOf(b) ? -1 : 1);
    });
    tbody.replaceChildren();
    ids.forEach(function (id) {
      var tr = el("tr"), td = el("td");
      td.append(nodeLink(id));
      var link = el("td"); link.append(idLink(id, meta[id].href));
      tr.append(td, el("td", typeLabel(meta[id].type)), el("td", String(meta[id].degree || 0)),
                el("td", fmtDate(meta[id].date || meta[id].start, meta[id].date_precision)), link);
      tbody.append(tr);
    });
    document.querySelectorAll("#list th button").forEach(function (b) {
      var th = b.parentNode, on = b.dataset.sort === listSort.key;
      th.setAttribute("aria-sort", on ? (listSort.dir > 0 ? "ascending" : "descending") : "none");
      b.textContent = t(b.dataset.i18nKey) + (on ? (listSort.dir > 0 ? " ▲" : " ▼") : "");
    });
  }
  document.querySelectorAll("#list th button").forEach(function (b) {
    b.addEventListener("click", function () {
      listSort = { key: b.dataset.sort, dir: listSort.key === b.dataset.sort ? -listSort.dir : 1 };
      buildList();
    });
  });
  document.getElementById("list-toggle").addEventListener("click", function () { state.list = !state.list; changed(true); });

  // ---- exports ---------------------------------------------------------------------------
  network.on("beforeDrawing", function (ctx) {
    // A white background, so the exported PNG is not transparent.
    ctx.save(); ctx.setTransform(1, 0, 0, 1, 0, 0); ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height); ctx.restore();
  });
  function activeFilters() {
    var out = [];
    if (data.view && data.view !== "full") out.push(t("view") + ": " + t("view_" + data.view));
    var hidden = Object.keys(state.hiddenTypes).filter(function (k) { return state.hiddenTypes[k]; });
    if (hidden.length) out.push("− " + hidden.map(typeLabel).join(", "));
    if (state.theme) out.push(t("theme") + ": " + labelOf(state.theme));
    if (state.level) out.push(t("level") + ": " + labelOf(state.level));
    if (state.orgType) {
      var ot = data.org_types.filter(function (o) { return o.id === state.orgType; })[0];
      out.push(t("org_type") + ": " + (ot ? ot.labels[lang] : state.orgType));
    }
    if (state.signatories) out.push(t("signatories"));
    if (state.date) out.push(t("as_of").replace(/\s*\(.*\)$/, "") + " " + fmtDate(state.date, "day"));
    if (state.ego) out.push(t("ego_of") + " " + labelOf(state.ego.id) + " (" + t("depth") + " " + state.ego.depth + ")");
    return out;
  }
  function download(name, href) {
    var a = document.createElement("a");
    a.href = href; a.download = name;
    document.body.append(a); a.click(); a.remove();
  }
  window.zdgPng = function (factor) {
    // Twice the screen's size by default, with title, date, active filters and the legend.
    factor = factor || 2;
    var src = container.querySelector("canvas"), ratio = src.width / src.clientWidth;
    var k = factor / ratio, lines = activeFilters();
    var head = 70 * factor, legendW = 230 * factor, w = Math.round(src.width * k) + legendW, h = Math.max(Math.round(src.height * k) + head, head + (data.types.length * 22 + 40) * factor);
    var out = document.createElement("canvas"); out.width = w; out.height = h;
    var c = out.getContext("2d");
    c.fillStyle = "#ffffff"; c.fillRect(0, 0, w, h);
    c.drawImage(src, 0, head, Math.round(src.width * k), Math.round(src.height * k));
    c.fillStyle = "#1d2330"; c.font = "600 " + 20 * factor + "px " + FACE;
    c.fillText(t("title"), 16 * factor, 28 * factor);
    c.font = 13 * factor + "px " + FACE;
    var today = new Date().toISOString().slice(0, 10);
    c.fillText(fmtDate(today, "day") + " · " + t("filters_active") + ": " + (lines.length ? lines.join(" · ") : t("none")), 16 * factor, 52 * factor);
    var x0 = w - legendW + 12 * factor, y = head + 10 * factor;
    c.font = "600 " + 13 * factor + "px " + FACE; c.fillText(t("legend").replace(/\s*\(.*\)$/, ""), x0, y + 12 * factor);
    c.font = 12 * factor + "px " + FACE;
    data.types.forEach(function (ty) {
      if (state.hiddenTypes[ty.id]) return;
      y += 22 * factor;
      var p = new Path2D(SHAPES[ty.shape] || SHAPES.dot);
      c.save(); c.translate(x0, y); c.scale(factor, factor); c.fillStyle = ty.color; c.fill(p); c.restore();
      c.fillStyle = "#1d2330"; c.fillText(ty.labels[lang], x0 + 24 * factor, y + 12 * factor);
    });
    return out.toDataURL("image/png");
  };
  document.getElementById("png").addEventListener("click", function () {
    download("zukunftsdialog-netzwerk.png", window.zdgPng(2));
  });
  function csvCell(v) {
    var s = v === undefined || v === null ? "" : String(v);
    // A leading = + - @ would be a formula in a spreadsheet: quoted with an apostrophe.
    if (/^[=+\-@]/.test(s)) s = "'" + s;
    return /[",;\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  window.zdgCsv = function () {
    var rows = [["kind", "id", "label", "type", "degree", "pagerank", "community", "date", "source", "target", "relation"]];
    var ids = window.zdgVisibleIds();
    ids.forEach(function (id) {
      var m = meta[id];
      rows.push(["node", id, labelOf(id), typeLabel(m.type), m.degree, m.pagerank, m.community, m.date || m.start || "", "", "", ""]);
    });
    visEdges.forEach(function (e) {
      if (!e.shown) return;
      rows.push(["edge", "", "", "", "", "", "", e.zd.start || "", e.from, e.to, relation(e.zd, true)]);
    });
    return "\ufeff" + rows.map(function (r) { return r.map(csvCell).join(","); }).join("\r\n") + "\r\n";
  };
  document.getElementById("csv").addEventListener("click", function () {
    download("zukunftsdialog-netzwerk.csv", "data:text/csv;charset=utf-8," + encodeURIComponent(window.zdgCsv()));
  });

  // ---- changes, reset, history ---------------------------------------------------------------
  function render() {
    buildLegend(); buildSelects(); syncDate(); apply(); refit(); buildList();
    if (state.selected && current[state.selected]) { network.selectNodes([state.selected]); showDetails(state.selected); }
    else if (state.selected) { showDetails(state.selected); }
    else { document.getElementById("details").hidden = true; document.body.classList.remove("details-open"); network.unselectAll(); }
  }
  function changed(noFit) {
    buildLegend(); syncDate(); apply();
    if (!noFit) refit();
    buildList();
    if (state.selected) showDetails(state.selected);
    remember();
  }
  document.getElementById("reset").addEventListener("click", function () {
    state = emptyState(); dateError.hidden = true; render(); remember();
  });
  document.getElementById("ego-leave").addEventListener("click", function () { state.ego = null; changed(); });
  window.addEventListener("popstate", function () { state = fromAddress(new URLSearchParams(location.search)); render(); });
  // When the network's area changes size (the details open or close, the window or phone
  // turns), vis-network keeps the visible area and so shrinks the labels: a fitted view is
  // fitted again; a view the user zoomed or panned is left as it is.
  var resizeTimer = null, userMoved = false, lastSize = canvasSize();
  network.on("hoverEdge", function (p) { ensureEdgeTitle(p.edge); });
  network.on("zoom", function () { userMoved = true; syncArrows(); });
  network.on("dragEnd", function (p) { if (!p.nodes.length) userMoved = true; });
  function onResize() {
    var now = canvasSize(), before = lastSize;
    if (now.w === lastSize.w && now.h === lastSize.h) return;
    lastSize = now;
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      if (userMoved) return;
      // The details panel opened beside a fitted view: the same zoom, so that every name
      // stays as legible as it was, the left part in place and the selection in sight (the
      // rest is a pan away). Otherwise (panel closed, window or phone turned): fitted again.
      if (state.selected && now.w < before.w && now.h === before.h) {
        // (vis-network has either kept the zoom or the visible area by now: start from the fit.)
        var left = fitCenter.x - before.w / 2 / lastScale;
        network.moveTo({ position: { x: left + now.w / 2 / lastScale, y: fitCenter.y }, scale: lastScale, animation: false });
        intoView(state.selected);
      } else refit();
    }, 60);
  }
  if (window.ResizeObserver) new ResizeObserver(onResize).observe(container);
  else window.addEventListener("resize", onResize);

  // ---- drawers on small screens ----------------------------------------------------------------
  function drawer(open) {
    document.body.classList.toggle("side-open", open);
    document.getElementById("menu").setAttribute("aria-expanded", String(open));
    if (open) document.getElementById("side-close").focus();
  }
  document.getElementById("menu").addEventListener("click", function () { drawer(!document.body.classList.contains("side-open")); });
  document.getElementById("side-close").addEventListener("click", function () { drawer(false); document.getElementById("menu").focus(); });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && document.body.classList.contains("side-open")) { drawer(false); document.getElementById("menu").focus(); }
  });

  // ---- language --------------------------------------------------------------------------
  function setLang(l, initial) {
    var relabel = !initial || l !== lang;
    lang = l;
    document.documentElement.lang = l;
    document.title = t("title");
    document.querySelectorAll("[data-i18n]").forEach(function (e) { e.textContent = t(e.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (e) { e.placeholder = t(e.dataset.i18nPlaceholder); });
    document.querySelectorAll("[data-i18n-aria]").forEach(function (e) { e.setAttribute("aria-label", t(e.dataset.i18nAria)); });
    document.querySelectorAll(".lang a").forEach(function (b) {
      if (b.dataset.lang === l) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current");
      var u = new URL(location.href); u.searchParams.set("lang", b.dataset.lang); b.href = u.search;
    });
    document.cookie = "lang=" + l + "; path=/; max-age=31536000; SameSite=Lax";  // the one language choice for /, /graph and /id (api.negotiation)
    haystacks = null;
    if (relabel) {
      forgetNames();
      nodes.update(visNodes.map(function (n) { return { id: n.id, title: meta[n.id].display[l] }; }));
      setEdgeTitles();
      render();
    } else {
      buildLegend(); buildSelects(); syncDate(); buildList();
      if (state.selected) { network.selectNodes([state.selected]); showDetails(state.selected); }
    }
    remember(true);
  }
  document.querySelectorAll(".lang a").forEach(function (b) {
    b.addEventListener("click", function (ev) { ev.preventDefault(); setLang(b.dataset.lang); });
  });

  // ---- start ---------------------------------------------------------------------------------
  setLang(lang, true);
  network.once("afterDrawing", function () {
    // Interactive from here (benchmarks/bench_page.py reads this: ms since navigation start);
    // the edge tooltips follow a moment later, and then the page says it is complete.
    window.zdgReadyAt = performance.now();
    setTimeout(function () {
      // What the first drawing left out: the names of the further zoom steps (the first view
      // packed only the first) and the arrowheads; the edge tooltips.
      relabel();
      syncArrows();
      setEdgeTitles();
      window.zdgCompleteAt = performance.now();
      window.zdgReady = true;
      document.body.dataset.ready = "1";
    }, 0);
  });
  window.zdg = { network: network, nodes: nodes, edges: edges, meta: meta, select: select, setLang: setLang,
                 placed: placed, state: function () { return state; } };
})();
