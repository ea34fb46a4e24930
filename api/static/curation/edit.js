// The editing form: the passage is taken from the selection in the source's text (so the quote
// is verbatim by construction), and the shapes' verdict on the change is shown while typing
// (POST /api/check/{kind}, the same gate as a write; nothing is stored). Served from our own
// origin; the CSP allows no inline script. Results are written with textContent only.
"use strict";
(function () {
  const form = document.getElementById("fact-form");
  const article = document.getElementById("source-text");
  if (!form) return;
  const kind = form.dataset.kind;
  const lang = form.dataset.lang || "de";
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const CONTEXT = 32;
  const SPECIAL = new Set(["csrf", "reason", "text_source", "exact", "prefix", "suffix", "occurrence"]);

  // The text of the source as the selectors read it: whitespace folded, table cells joined by
  // " | ", rows by " | | ", blocks by a space. Each character remembers its text node and offset.
  const BLOCKS = "P,LI,H1,H2,H3,H4,H5,H6,BLOCKQUOTE,PRE,TABLE,UL,OL,DIV";
  function cellOf(node) { return node.parentElement && node.parentElement.closest("td,th"); }
  function blockOf(node) { return node.parentElement && node.parentElement.closest(BLOCKS.toLowerCase()); }
  let chars = null;
  function linear() {
    if (chars) return chars;
    chars = { text: "", node: [], off: [] };
    const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
    let prev = null;
    const push = (c, node, off) => {
      if (/\s/.test(c)) {
        if (chars.text === "" || chars.text.endsWith(" ")) return;
        c = " ";
      }
      chars.text += c; chars.node.push(node); chars.off.push(off);
    };
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.nodeValue.trim() && !cellOf(n)) { continue; }
      if (prev) {
        const a = cellOf(prev), b = cellOf(n);
        let sep = "";
        if (a && b && a !== b) sep = a.parentElement === b.parentElement ? " | " : " | | ";
        else if (blockOf(prev) !== blockOf(n)) sep = " ";
        for (const c of sep) {
          if (c === " " && chars.text.endsWith(" ")) continue;
          chars.text += c; chars.node.push(null); chars.off.push(0);
        }
      }
      for (let i = 0; i < n.nodeValue.length; i++) push(n.nodeValue[i], n, i);
      prev = n;
    }
    return chars;
  }

  function selectedSpan(range) {
    const L = linear();
    let first = -1, last = -1;
    for (let i = 0; i < L.text.length; i++) {
      const node = L.node[i];
      if (!node || !range.intersectsNode(node)) continue;
      const start = node === range.startContainer ? range.startOffset : 0;
      const end = node === range.endContainer ? range.endOffset : node.nodeValue.length;
      if (L.off[i] >= start && L.off[i] < end) { if (first < 0) first = i; last = i; }
    }
    if (first < 0) return null;
    while (first <= last && L.text[first] === " ") first++;
    while (last >= first && L.text[last] === " ") last--;
    return first <= last ? [first, last + 1] : null;
  }

  function occurrenceBefore(text, exact, at) {
    let k = 0, i = text.indexOf(exact);
    while (i >= 0 && i < at) { k++; i = text.indexOf(exact, i + 1); }
    return k;
  }

  const fields = {
    exact: document.getElementById("p-exact"), prefix: document.getElementById("p-prefix"),
    suffix: document.getElementById("p-suffix"), occurrence: document.getElementById("p-occurrence"),
    shown: document.getElementById("p-shown"),
  };
  function takeSelection() {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
    const range = sel.getRangeAt(0);
    if (!article.contains(range.commonAncestorContainer)) return;
    const span = selectedSpan(range);
    if (!span) return;
    const L = linear();
    const exact = L.text.slice(span[0], span[1]);
    fields.exact.value = exact;
    fields.prefix.value = L.text.slice(Math.max(0, span[0] - CONTEXT), span[0]);
    fields.suffix.value = L.text.slice(span[1], span[1] + CONTEXT);
    fields.occurrence.value = String(occurrenceBefore(L.text, exact, span[0]));
    fields.shown.textContent = exact;
    fields.shown.classList.add("has-quote");
    schedule();
  }
  if (article) {
    article.addEventListener("mouseup", takeSelection);
    article.addEventListener("keyup", takeSelection);
    article.addEventListener("touchend", () => setTimeout(takeSelection, 50));
  }
  // A new source: its Markdown text pasted, or read from a file into the same field (in the
  // browser, so what is sent is exactly what the field shows).
  const upload = document.getElementById("f-text-file");
  if (upload) {
    upload.addEventListener("change", () => {
      const file = upload.files && upload.files[0];
      if (!file) return;
      const reader = new FileReader();
      reader.onload = () => { document.getElementById("f-text").value = String(reader.result); schedule(); };
      reader.readAsText(file);
    });
  }

  function body() {
    const data = new FormData(form);
    const values = {};
    const reasonOnly = (data.get("reason") || "").toString();
    for (const el of form.elements) {
      if (!el.name || SPECIAL.has(el.name)) continue;
      if (el.tagName === "SELECT" && el.multiple) {
        const picked = Array.from(el.selectedOptions).map((o) => o.value).filter(Boolean);
        if (picked.length) values[el.name] = picked;
      } else if (el.value.trim()) {
        values[el.name] = el.value.trim();
      }
    }
    if (kind === "source") return { values, reason: reasonOnly };
    const occurrence = fields.occurrence.value === "" ? null : Number(fields.occurrence.value);
    const passage = { text_source: data.get("text_source"), exact: data.get("exact") || "",
                      prefix: data.get("prefix") || "", suffix: data.get("suffix") || "", occurrence };
    const reason = (data.get("reason") || "").toString();
    if (kind === "correction") {
      return { subject: values.subject || "", what: values.what || "", value: values.value || "",
               source: values.source || "", passage, reason };
    }
    return { values, passage, reason };
  }

  const list = document.getElementById("check-results");
  function show(result) {
    list.replaceChildren();
    const items = [];
    for (const e of result.errors || []) items.push(["Violation", (e.field ? e.field + ": " : "") + e.message]);
    for (const n of result.notes || []) items.push(["note", n]);
    for (const r of result.results || []) {
      const msg = (r.message && (r.message[lang] || r.message.de)) || r.shape || "";
      items.push([r.severity, msg + (r.focus_label ? " – " + r.focus_label : "")]);
    }
    if (!items.some(([severity]) => severity !== "note")) items.push(["ok", list.dataset.ok]);
    for (const [severity, text] of items) {
      const li = document.createElement("li");
      li.className = severity;
      li.textContent = text;
      list.appendChild(li);
    }
    form.dataset.checked = result.conforms && !(result.errors || []).length ? "conforms" : "refused";
  }

  let timer = null, seq = 0;
  function schedule() { clearTimeout(timer); timer = setTimeout(check, 350); }
  async function check() {
    const mine = ++seq;
    try {
      const res = await fetch("/api/check/" + kind + "?lang=" + lang, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(body()),
      });
      const result = await res.json();
      if (mine === seq) show(res.ok ? result : { conforms: false, errors: [{ field: "", message: result.detail || res.statusText }] });
    } catch (err) {
      if (mine === seq) show({ conforms: false, errors: [{ field: "", message: String(err) }] });
    }
  }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
})();
