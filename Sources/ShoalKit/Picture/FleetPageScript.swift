/// The fleet page's script: reads the embedded document, renders counts,
/// charts, failures and one page of the table, and (on a live page) fetches
/// the document again every interval.
///
/// Data reaches the DOM only through `textContent`, `setAttribute`,
/// `createElement` and `createElementNS`, never as markup. Filtering and
/// sorting work on arrays; only one page of rows (``pageSize``) is in the
/// DOM at a time, so 10,000 targets render as fast as 200.
enum FleetPageScript {
    static let pageSize = 200

    static let source = #"""
"use strict";
(function () {
  var PAGE_SIZE = \#(pageSize);
  var SVG = "http://www.w3.org/2000/svg";
  var body = document.body;
  var live = body.hasAttribute("data-live-path")
    ? { path: body.getAttribute("data-live-path"), interval: Number(body.getAttribute("data-live-interval")) }
    : null;
  // Status states and report statuses, in the order the counts show them.
  var ORDER = ["failed", "rolled-back", "replica-lag", "dirty", "unreachable", "unknown-revision", "in-progress",
    "behind", "uninitialized", "skipped", "planned", "ok", "up-to-date"];
  var FAILING = { "failed": 1, "rolled-back": 1, "replica-lag": 1, "dirty": 1, "unreachable": 1, "unknown-revision": 1 };
  var COLUMNS = [
    { key: "target", label: "Target", always: true }, { key: "database", label: "Database", always: true },
    { key: "shard", label: "Shard" }, { key: "tenant", label: "Tenant" }, { key: "state", label: "State", always: true },
    { key: "revisions", label: "Revisions", always: true },
    { key: "pending", label: "Pending", numeric: true }, { key: "duration", label: "Duration", numeric: true },
    { key: "error", label: "Error" }, { key: "replicas", label: "Replicas" }
  ];

  var view = { filter: "", sortKey: null, sortDirection: 1, page: 0 };
  var model = null;          // the document, as rows
  var visible = [];          // rows after filter and sort
  var shown = COLUMNS;       // the columns on screen
  var readAt = new Date(body.getAttribute("data-read-at"));
  var readError = body.getAttribute("data-read-error");
  var unreachableSince = null;

  function el(name, text, className) {
    var node = document.createElement(name);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function plural(n, noun) { return n.toLocaleString("en-US") + " " + noun + (n === 1 ? "" : "s"); }
  function revisions(list) { return !list || list.length === 0 ? "base" : list.join("+"); }
  function bytes(n) {
    if (n < 1024) return n + " B";
    if (n < 1048576) return (n / 1024).toFixed(1) + " kB";
    return (n / 1048576).toFixed(1) + " MB";
  }
  function text(value) { return value === null || value === undefined ? "" : String(value); }

  function replicaText(replica) {
    var parts = [replica.status];
    if (typeof replica.lag_bytes === "number" && replica.lag_bytes > 0) parts.push(bytes(replica.lag_bytes) + " behind");
    if (typeof replica.lag_seconds === "number" && replica.lag_seconds > 0) parts.push(replica.lag_seconds + " s");
    if (typeof replica.waited_ms === "number") parts.push("waited " + replica.waited_ms + " ms");
    var line = replica.name + ": " + parts.join(", ");
    if (replica.message) line += " (" + replica.message + ")";
    return line;
  }

  // One row per target, from either document.
  function rowsOf(doc) {
    var isReport = typeof doc.command === "string";
    var targets = Array.isArray(doc.targets) ? doc.targets : [];
    return { isReport: isReport, doc: doc, rows: targets.map(function (t, index) {
      var replicas = Array.isArray(t.replicas) ? t.replicas : [];
      var row = {
        index: index, target: text(t.target), database: text(t.database), shard: text(t.shard),
        tenant: text(t.tenant), replicaList: replicas, replicas: replicas.map(replicaText).join("; ")
      };
      if (isReport) {
        var known = t.revisions_known !== false;
        row.state = text(t.status);
        row.revisions = known ? revisions(t.from) + " \u2192 " + revisions(t.to) : "? \u2192 ?";
        row.chartLabel = known ? revisions(t.to) : "unknown";
        row.pending = Array.isArray(t.planned) ? t.planned.length : null;
        row.duration = typeof t.duration_ms === "number" ? t.duration_ms : null;
        var error = t.error || null;
        row.error = error ? text(error.message) : "";
        row.errorRevision = error ? text(error.revision) : "";
        row.sqlState = error ? text(error.sql_state) : "";
      } else {
        row.state = text(t.state);
        row.revisions = row.state === "unreachable" ? "?" : revisions(t.current);
        row.chartLabel = row.state === "unreachable" ? "unknown" : revisions(t.current);
        row.pending = typeof t.pending === "number" ? t.pending : null;
        row.duration = null;
        var messages = [];
        if (t.message) messages.push(text(t.message));
        if (Array.isArray(t.modified) && t.modified.length > 0) messages.push("edited after being applied: " + t.modified.join(", "));
        row.error = messages.join("; ");
        row.errorRevision = "";
        row.sqlState = "";
      }
      var lagging = replicas.some(function (r) { return r.status && r.status !== "caught-up"; });
      row.failing = FAILING[row.state] === 1 || lagging || (!isReport && Array.isArray(t.modified) && t.modified.length > 0);
      row.haystack = [row.target, row.database, row.shard, row.tenant, row.state, row.revisions, text(row.pending),
        row.duration === null ? "" : row.duration + " ms", row.error, row.errorRevision, row.sqlState, row.replicas]
        .join("\n").toLowerCase();
      return row;
    }) };
  }

  function renderHeader() {
    var meta = document.getElementById("meta");
    clear(meta);
    var doc = model.doc;
    if (model.isReport) {
      var parts = [doc.command + (doc.dry_run ? " (dry run)" : "")];
      if (typeof doc.duration_ms === "number") {
        parts.push("took " + (doc.duration_ms < 1000 ? doc.duration_ms + " ms" : (doc.duration_ms / 1000).toFixed(1) + " s"));
      }
      if (doc.run) parts.push("run " + doc.run);
      meta.appendChild(el("span", parts.join(" \u00b7 ")));
    }
    var read = el("span", "", "read-at");
    read.id = "read-at";
    meta.appendChild(read);
    renderReadState();
  }

  function age(since) { return Math.max(0, Math.round((Date.now() - since.getTime()) / 1000)); }

  function renderReadState() {
    var read = document.getElementById("read-at");
    if (!read) return;
    var stamp = isNaN(readAt.getTime()) ? "" : readAt.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
    read.textContent = (live ? "read " + stamp + " (" + age(readAt) + " s ago)" : "read " + stamp);
    var notice = document.getElementById("notice");
    if (unreachableSince) {
      notice.textContent = "server unreachable, showing data read " + age(readAt) + " s ago";
      notice.hidden = false;
    } else if (readError) {
      notice.textContent = "last read failed: " + readError + "; showing data read " + age(readAt) + " s ago";
      notice.hidden = false;
    } else {
      notice.textContent = "";
      notice.hidden = true;
    }
  }

  function stateOrder(state) {
    var i = ORDER.indexOf(state);
    return i < 0 ? ORDER.length : i;
  }

  function renderCounts() {
    var counts = {};
    model.rows.forEach(function (row) { counts[row.state] = (counts[row.state] || 0) + 1; });
    var box = document.getElementById("counts");
    clear(box);
    var total = el("div", null, "count total");
    total.setAttribute("data-state", "total");
    total.appendChild(el("span", model.rows.length.toLocaleString("en-US"), "number"));
    total.appendChild(el("span", model.rows.length === 1 ? "target" : "targets", "label"));
    box.appendChild(total);
    Object.keys(counts).sort(function (a, b) { return stateOrder(a) - stateOrder(b) || (a < b ? -1 : 1); })
      .forEach(function (state) {
        var item = el("button", null, "count state-" + state.replace(/[^a-z-]/g, ""));
        item.type = "button";
        item.title = "Show only " + state + " targets";
        item.setAttribute("data-state", state);
        item.appendChild(el("span", counts[state].toLocaleString("en-US"), "number"));
        item.appendChild(el("span", state, "label"));
        item.addEventListener("click", function () { setFilter(state); });
        box.appendChild(item);
      });
  }

  // Per database, how many targets stand at each revision (or set of revisions).
  function renderCharts() {
    var box = document.getElementById("charts");
    clear(box);
    var byDatabase = {};
    model.rows.forEach(function (row) {
      var counts = byDatabase[row.database] || (byDatabase[row.database] = {});
      counts[row.chartLabel] = (counts[row.chartLabel] || 0) + 1;
    });
    Object.keys(byDatabase).sort().forEach(function (database) {
      var counts = byDatabase[database];
      var labels = Object.keys(counts).sort(function (a, b) {
        if ((a === "unknown") !== (b === "unknown")) return a === "unknown" ? 1 : -1;
        return counts[b] - counts[a] || (a < b ? -1 : 1);
      });
      var MAX_BARS = 12;
      var bars = labels.slice(0, MAX_BARS).map(function (label) { return { label: label, full: label, count: counts[label] }; });
      if (labels.length > MAX_BARS) {
        var rest = labels.slice(MAX_BARS).reduce(function (sum, label) { return sum + counts[label]; }, 0);
        bars.push({ label: "other (" + (labels.length - MAX_BARS) + ")", full: labels.slice(MAX_BARS).join(", "), count: rest });
      }
      var figure = el("figure", null, "chart");
      figure.appendChild(el("figcaption", database));
      var width = 520, labelWidth = 150, countWidth = 60, barHeight = 22, gap = 6;
      var height = bars.length * (barHeight + gap);
      var max = bars.reduce(function (m, bar) { return Math.max(m, bar.count); }, 1);
      var svg = document.createElementNS(SVG, "svg");
      svg.setAttribute("data-database", database);
      svg.setAttribute("viewBox", "0 0 " + width + " " + height);
      svg.setAttribute("width", String(width));
      svg.setAttribute("height", String(height));
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", "Targets of " + database + " by revision");
      bars.forEach(function (bar, i) {
        var y = i * (barHeight + gap);
        var group = document.createElementNS(SVG, "g");
        group.setAttribute("data-revision", bar.full);
        group.setAttribute("data-count", String(bar.count));
        var title = document.createElementNS(SVG, "title");
        title.textContent = bar.full + ": " + plural(bar.count, "target");
        group.appendChild(title);
        var label = document.createElementNS(SVG, "text");
        label.setAttribute("x", String(labelWidth - 8));
        label.setAttribute("y", String(y + barHeight / 2));
        label.setAttribute("text-anchor", "end");
        label.setAttribute("dominant-baseline", "central");
        label.setAttribute("class", "bar-label");
        label.textContent = bar.label.length > 20 ? bar.label.slice(0, 19) + "\u2026" : bar.label;
        group.appendChild(label);
        var rect = document.createElementNS(SVG, "rect");
        var barWidth = Math.max(2, (width - labelWidth - countWidth) * bar.count / max);
        rect.setAttribute("x", String(labelWidth));
        rect.setAttribute("y", String(y));
        rect.setAttribute("width", String(barWidth));
        rect.setAttribute("height", String(barHeight));
        rect.setAttribute("rx", "3");
        rect.setAttribute("class", bar.full === "unknown" ? "bar unknown" : "bar");
        group.appendChild(rect);
        var count = document.createElementNS(SVG, "text");
        count.setAttribute("x", String(labelWidth + barWidth + 6));
        count.setAttribute("y", String(y + barHeight / 2));
        count.setAttribute("dominant-baseline", "central");
        count.setAttribute("class", "bar-count");
        count.textContent = bar.count.toLocaleString("en-US");
        group.appendChild(count);
        svg.appendChild(group);
      });
      figure.appendChild(svg);
      box.appendChild(figure);
    });
  }

  function renderFailures() {
    var section = document.getElementById("failures");
    var list = section.querySelector("ol");
    clear(list);
    var failing = model.rows.filter(function (row) { return row.failing; });
    section.querySelector("h2").textContent = failing.length === 0 ? "No failures" : "Failures (" + failing.length.toLocaleString("en-US") + ")";
    section.classList.toggle("none", failing.length === 0);
    var SHOWN = 50;
    failing.slice(0, SHOWN).forEach(function (row) {
      var item = el("li");
      item.setAttribute("data-target", row.target);
      var head = el("div", null, "failure-head");
      head.appendChild(el("strong", row.target));
      head.appendChild(el("span", row.state, "badge state-" + row.state.replace(/[^a-z-]/g, "")));
      item.appendChild(head);
      if (row.error) item.appendChild(el("div", row.error, "failure-message"));
      var details = [];
      if (row.errorRevision) details.push("revision " + row.errorRevision);
      if (row.sqlState) details.push("SQLSTATE " + row.sqlState);
      if (row.replicaList.some(function (r) { return r.status !== "caught-up"; })) details.push("replicas: " + row.replicas);
      if (details.length) item.appendChild(el("div", details.join(" \u00b7 "), "failure-details"));
      list.appendChild(item);
    });
    if (failing.length > SHOWN) {
      var more = el("li", "and " + plural(failing.length - SHOWN, "more failure") + ": the table lists them first", "more");
      list.appendChild(more);
    }
  }

  function compare(a, b) {
    if (view.sortKey === null) {
      // Failing rows first, then by state (waiting before done), then as the document lists them.
      return (a.failing === b.failing ? 0 : a.failing ? -1 : 1) || stateOrder(a.state) - stateOrder(b.state) || a.index - b.index;
    }
    var column = COLUMNS.filter(function (c) { return c.key === view.sortKey; })[0];
    var x = a[view.sortKey], y = b[view.sortKey], order;
    if (column && column.numeric) {
      // Empty cells last whichever the direction.
      if (x === null || y === null) return x === y ? a.index - b.index : x === null ? 1 : -1;
      order = x - y;
    } else {
      x = String(x).toLowerCase(); y = String(y).toLowerCase();
      order = x < y ? -1 : x > y ? 1 : 0;
    }
    return order * view.sortDirection || a.index - b.index;
  }

  function applyView() {
    var needle = view.filter.trim().toLowerCase();
    visible = needle === "" ? model.rows.slice() : model.rows.filter(function (row) { return row.haystack.indexOf(needle) >= 0; });
    visible.sort(compare);
    var pages = Math.max(1, Math.ceil(visible.length / PAGE_SIZE));
    if (view.page >= pages) view.page = pages - 1;
    renderTable();
  }

  function cell(row, key) {
    var td = el("td");
    td.setAttribute("data-column", key);
    if (key === "state") {
      td.appendChild(el("span", row.state, "badge state-" + row.state.replace(/[^a-z-]/g, "")));
    } else if (key === "duration") {
      td.textContent = row.duration === null ? "" : row.duration.toLocaleString("en-US") + " ms";
    } else if (key === "error") {
      td.textContent = row.error;
      if (row.errorRevision || row.sqlState) {
        var extra = [];
        if (row.errorRevision) extra.push("revision " + row.errorRevision);
        if (row.sqlState) extra.push("SQLSTATE " + row.sqlState);
        td.appendChild(el("div", extra.join(" \u00b7 "), "muted"));
      }
    } else if (key === "replicas") {
      row.replicaList.forEach(function (replica) {
        var line = el("div", replicaText(replica), replica.status === "caught-up" ? "" : "replica-problem");
        td.appendChild(line);
      });
    } else {
      td.textContent = text(row[key]);
    }
    return td;
  }

  function renderTable() {
    var tbody = document.querySelector("#targets tbody");
    var start = view.page * PAGE_SIZE;
    var rows = visible.slice(start, start + PAGE_SIZE);
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) {
      var tr = el("tr", null, row.failing ? "failing" : "");
      tr.setAttribute("data-target", row.target);
      tr.setAttribute("data-state", row.state);
      shown.forEach(function (column) { tr.appendChild(cell(row, column.key)); });
      fragment.appendChild(tr);
    });
    clear(tbody);
    tbody.appendChild(fragment);
    var empty = document.getElementById("empty");
    empty.hidden = visible.length > 0;
    empty.textContent = model.rows.length === 0 ? "no targets" : "no target matches \u201c" + view.filter + "\u201d";
    document.querySelectorAll("#targets th").forEach(function (th) {
      var key = th.getAttribute("data-key");
      th.setAttribute("aria-sort", key === view.sortKey ? (view.sortDirection > 0 ? "ascending" : "descending") : "none");
    });
    var pager = document.getElementById("pager");
    var summary = pager.querySelector(".range");
    summary.textContent = visible.length === 0 ? "0 of " + model.rows.length.toLocaleString("en-US")
      : (start + 1).toLocaleString("en-US") + "\u2013" + (start + rows.length).toLocaleString("en-US") + " of "
        + visible.length.toLocaleString("en-US") + (visible.length < model.rows.length ? " (filtered from " + model.rows.length.toLocaleString("en-US") + ")" : "");
    pager.querySelector("[data-page=previous]").disabled = view.page === 0;
    pager.querySelector("[data-page=next]").disabled = start + PAGE_SIZE >= visible.length;
  }

  function setFilter(value) {
    var input = document.getElementById("filter");
    input.value = value;
    filterChanged();
  }

  function filterChanged() {
    view.filter = document.getElementById("filter").value;
    view.page = 0;
    try {
      var hash = view.filter === "" ? location.pathname + location.search : "#filter=" + encodeURIComponent(view.filter);
      history.replaceState(null, "", hash);
    } catch (e) { /* a page opened from disk may refuse; the filter still works */ }
    applyView();
  }

  // The columns some row has a value in (no Shard column for a fleet
  // without shards, no Replicas without replicas); the first ones always.
  function renderHead() {
    shown = COLUMNS.filter(function (column) {
      return column.always || model.rows.some(function (row) { return row[column.key] !== null && row[column.key] !== ""; });
    });
    if (view.sortKey !== null && !shown.some(function (c) { return c.key === view.sortKey; })) view.sortKey = null;
    var headRow = document.querySelector("#targets thead tr");
    clear(headRow);
    shown.forEach(function (column) {
      var th = el("th", null, column.numeric ? "numeric" : "");
      th.setAttribute("data-key", column.key);
      th.setAttribute("scope", "col");
      th.setAttribute("aria-sort", "none");
      var button = el("button", column.label);
      button.type = "button";
      button.addEventListener("click", function () {
        if (view.sortKey === column.key) view.sortDirection = -view.sortDirection;
        else { view.sortKey = column.key; view.sortDirection = 1; }
        view.page = 0;
        applyView();
      });
      th.appendChild(button);
      headRow.appendChild(th);
    });
  }

  function buildTable() {
    var input = document.getElementById("filter");
    input.addEventListener("input", filterChanged);
    document.querySelector("#pager [data-page=previous]").addEventListener("click", function () {
      if (view.page > 0) { view.page -= 1; renderTable(); }
    });
    document.querySelector("#pager [data-page=next]").addEventListener("click", function () {
      if ((view.page + 1) * PAGE_SIZE < visible.length) { view.page += 1; renderTable(); }
    });
    var match = /^#filter=(.*)$/.exec(location.hash);
    if (match) {
      try { input.value = decodeURIComponent(match[1]); } catch (e) { input.value = match[1]; }
      view.filter = input.value;
    }
  }

  function render(doc) {
    model = rowsOf(doc);
    renderHeader();
    renderCounts();
    renderCharts();
    renderFailures();
    renderHead();
    applyView();
  }

  function refresh() {
    fetch(live.path, { cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (response) {
        var error = response.headers.get("Shoal-Read-Error");
        if (!response.ok && error) {
          // 503: the server could not read the fleet yet; it says why.
          readError = error;
          unreachableSince = null;
          renderReadState();
          return;
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        var at = response.headers.get("Shoal-Read-At");
        return response.json().then(function (doc) {
          readAt = at ? new Date(at) : new Date();
          readError = error;
          unreachableSince = null;
          render(doc);
        });
      })
      .catch(function () {
        if (!unreachableSince) unreachableSince = new Date();
        renderReadState();
      });
  }

  var data = document.getElementById("shoal-data");
  buildTable();
  render(JSON.parse(data.textContent));
  body.setAttribute("data-rendered", "true");
  if (live && live.interval > 0) {
    setInterval(refresh, live.interval * 1000);
    setInterval(renderReadState, 1000);
  }
})();
"""#
}
