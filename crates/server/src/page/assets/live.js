// live-mini spectator page: follows the event's WebSocket and patches the server-rendered page.
// States: connecting -> live -> (socket closed) reconnecting -> live ...; official ends it.
// Protocol: docs/PROTOCOL.md (resume with since=<epoch>:<seq>, full/refresh re-read the page).
const main = document.getElementById("main");
const T = JSON.parse(document.getElementById("i18n")?.textContent || "{}");
const stats = { full: 0, diff: 0, refresh: 0, opened: 0, reloads: 0, state: "off", closedByServer: false };
window.liveMini = stats;
document.documentElement.classList.add("js");

const eventId = main?.dataset.event;
let status = main?.dataset.status;
let epoch = null;
let seq = -1;
const since = main?.dataset.since;
if (since) {
  const i = since.lastIndexOf(":");
  epoch = since.slice(0, i);
  seq = Number(since.slice(i + 1));
}
let ws = null;
let attempt = 0;
const conn = document.getElementById("conn");

function setConn(state) {
  stats.state = state;
  if (!conn) return;
  conn.hidden = false;
  conn.dataset.state = state;
  conn.textContent = T[state] || state;
}

function announce(text) {
  const el = document.getElementById("announce");
  if (el) el.textContent = text;
}

// ---- formatting, as the server does (page/fmt.rs) ----
function fmtTime(cs) {
  if (cs == null) return "";
  const a = Math.abs(cs);
  return (cs < 0 ? "-" : "") + Math.floor(a / 100) + "." + String(a % 100).padStart(2, "0");
}
function fmtPen(cs) {
  return cs % 100 === 0 ? "+" + cs / 100 : "+" + fmtTime(cs);
}
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}
function statusEl(s) {
  const a = el("abbr", "st", s);
  const title = { DNS: T.dns, DNF: T.dnf, DSQ: T.dsq }[s];
  if (title) a.title = title;
  return a;
}
function runCell(td, run) {
  td.replaceChildren();
  if (run.status) td.append(statusEl(run.status));
  else if (run.total != null) {
    td.append(run.better ? el("b", "", fmtTime(run.total)) : fmtTime(run.total));
    if (run.pen > 0) td.append(" ", el("small", "pen", fmtPen(run.pen)));
  }
}

// ---- results rows ----
const rowsBody = () => document.querySelector("#list table.res tbody");
function rowKey(rank, statusText, index) {
  if (rank != null) return rank;
  return (statusText ? 2e6 : 1e6) + index;
}
function indexRows() {
  const body = rowsBody();
  if (!body) return;
  [...body.rows].forEach((tr, i) => {
    tr.dataset.i = i;
    const rk = tr.cells[0].textContent.trim();
    const st = tr.querySelector("td.tt abbr.st");
    tr.dataset.k = rowKey(rk ? Number(rk) : null, st, i);
  });
}
function bestRuns(it) {
  const both = it.prevStatus != null || it.prevTime != null || it.prevTotal != null || it.prevRnk != null;
  const primary = { time: it.time, pen: it.pen, total: it.total, status: it.currStatus };
  const prev = { time: it.prevTime, pen: it.prevPen, total: it.prevTotal, status: it.prevStatus };
  const none = {};
  const [r1, r2] = both ? [prev, primary] : it.betterRunNr === 2 ? [none, primary] : [primary, none];
  r1.better = it.betterRunNr === 1;
  r2.better = it.betterRunNr === 2;
  return [r1, r2];
}
function patchRow(tr, it, byCat, best) {
  const rank = byCat ? it.catRnk : it.rnk;
  const behind = byCat ? it.catTotalBehind : it.totalBehind;
  const c = (sel) => tr.querySelector(sel);
  c("td.rk").textContent = rank == null ? "" : String(rank);
  tr.classList.remove("m1", "m2", "m3");
  if (rank >= 1 && rank <= 3) tr.classList.add("m" + rank);
  const tt = c("td.tt");
  tt.replaceChildren();
  if (best) {
    const [r1, r2] = bestRuns(it);
    runCell(c("td.r1"), r1);
    runCell(c("td.r2"), r2);
    if (it.totalTotal != null) tt.append(el("b", "", fmtTime(it.totalTotal)));
    else if (it.status) tt.append(statusEl(it.status));
  } else {
    runCell(c("td.tm"), { time: it.time, pen: it.pen, total: it.total, status: it.status });
    if (it.status) tt.append(statusEl(it.status));
    else if (it.total != null) tt.append(fmtTime(it.total));
  }
  c("td.bh").textContent = behind || "";
  tr.dataset.k = rowKey(rank, it.status, Number(tr.dataset.i || 0));
  tr.classList.remove("flash");
  void tr.offsetWidth;
  tr.classList.add("flash");
}
function place(tr) {
  const body = tr.parentNode;
  const k = Number(tr.dataset.k);
  tr.remove();
  const next = [...body.rows].find((r) => Number(r.dataset.k) > k);
  body.insertBefore(tr, next || null);
}
function patchResults(raceId, items) {
  if (raceId !== main.dataset.race || main.dataset.view !== "results") return;
  const body = rowsBody();
  if (!body) return reload();
  const cat = main.dataset.cat;
  const best = main.dataset.kind === "best";
  let missing = false;
  const news = [];
  for (const it of items) {
    if (cat && it.catId !== cat) continue;
    const tr = document.getElementById("r" + it.bib);
    // A row the page does not show: a new rider (re-read the page), unless the server's search
    // (?q=) left it out on purpose.
    if (!tr || !body.contains(tr)) { if (matches(it.name, it.bib)) missing = true; continue; }
    const before = tr.querySelector("td.tt")?.textContent;
    patchRow(tr, it, Boolean(cat), best);
    place(tr);
    const after = tr.querySelector("td.tt")?.textContent;
    const rank = cat ? it.catRnk : it.rnk;
    // Only new results are read out, not the rank shifts they cause.
    if (after !== before) news.push(`${it.name}: ${after}${rank ? ` (${rank}.)` : ""}`);
  }
  if (news.length) announce(news.join("; "));
  applySearch();
  if (missing) reload();
}

// ---- on course ----
const clocks = new Map();
function gateList(gates) {
  const ol = el("ol", "gates");
  for (const g of gates) {
    const cls = { 0: "g0", 2: "g2", 50: "g50" }[g.penalty] || "";
    const li = el("li", [cls, g.type === "reverse" ? "rv" : ""].filter(Boolean).join(" "), String(g.number));
    ol.append(li);
  }
  return ol;
}
function renderOncourse(items) {
  const panel = document.getElementById("oc");
  const list = document.getElementById("oc-list");
  if (!panel || !list) return;
  const now = performance.now();
  clocks.clear();
  const lis = items.map((o) => {
    const li = el("li", "ocr");
    li.dataset.race = o.raceId;
    li.dataset.bib = o.bib;
    if (o.completed) li.dataset.done = "1";
    if (o.dtStart) li.dataset.start = o.dtStart;
    if (o.time != null) li.dataset.time = o.time;
    const line = el("div", "ocl");
    line.append(el("span", "b", String(o.bib)), " ", el("strong", "", o.name || ""));
    if (o.club) line.append(" ", el("small", "cl", o.club));
    const ts = el("span", "octs");
    ts.append(el("span", "ock", fmtTime(o.time)));
    if (o.pen > 0) ts.append(" ", el("span", "pen", fmtPen(o.pen)));
    if (o.completed && o.total != null) ts.append(" = ", el("b", "", fmtTime(o.total)));
    line.append(ts);
    li.append(line);
    if (o.rank != null || o.ttbDiff) {
      const ttb = el("div", "ttb");
      if (o.rank != null) ttb.append(el("span", "ocrank", o.rank + "."), " ");
      if (o.ttbDiff) {
        ttb.append(el("span", "diff", o.ttbDiff), " " + (T.toBeat || ""));
        if (o.ttbName) ttb.append(` (${o.ttbName})`);
      }
      li.append(ttb);
    }
    if (o.gates && o.gates.length) li.append(gateList(o.gates));
    return li;
  });
  list.replaceChildren(...lis);
  for (const li of lis) startClock(li, now);
  panel.hidden = items.length === 0;
  const count = panel.querySelector(".count");
  if (count) count.textContent = String(items.length);
}
// A running clock between updates: from dtStart when the browser's clock agrees with it,
// else from the last reported time.
function startClock(li, now) {
  if (li.dataset.done || !li.dataset.start) return;
  const time = li.dataset.time != null ? Number(li.dataset.time) : null;
  const started = Date.parse(li.dataset.start);
  clocks.set(li, { time, at: now, started });
}
function tick() {
  const now = performance.now();
  for (const [li, c] of clocks) {
    if (!li.isConnected) { clocks.delete(li); continue; }
    const fromStart = (Date.now() - c.started) / 10;
    let cs;
    if (Number.isFinite(fromStart) && fromStart >= 0 && fromStart < 360000 &&
        (c.time == null || Math.abs(fromStart - c.time) < 500)) cs = Math.floor(fromStart);
    else if (c.time != null) cs = Math.floor(c.time + (now - c.at) / 10);
    else continue;
    const out = li.querySelector(".ock");
    if (out) out.textContent = fmtTime(cs);
  }
}

// ---- status, reloads ----
function setStatus(s) {
  status = s;
  main.dataset.status = s;
  const badge = document.getElementById("evstatus");
  if (badge) {
    badge.className = "badge s-" + s;
    badge.textContent = (T.status && T.status[s]) || s;
  }
  announce(badge ? badge.textContent : s);
  if (s === "official") setConn("official");
}
let reloading = null;
let again = false;
// Re-reads this page from the server and swaps in its live parts (after full, refresh, or a
// diff naming a row the page does not show).
function reload() {
  if (reloading) { again = true; return reloading; }
  stats.reloads++;
  reloading = fetch(location.href, { headers: { Accept: "text/html" }, cache: "no-store" })
    .then((r) => (r.ok ? r.text() : Promise.reject(new Error(String(r.status)))))
    .then((html) => {
      const doc = new DOMParser().parseFromString(html, "text/html");
      const open = new Set([...document.querySelectorAll("#list details[open]")].map((d) => d.closest("tr")?.id));
      for (const id of ["oc", "list", "evstatus"]) {
        const fresh = doc.getElementById(id);
        const old = document.getElementById(id);
        if (fresh && old) old.replaceWith(document.adoptNode(fresh));
      }
      for (const id of open) document.querySelector(`#${CSS.escape(id || "x")} details`)?.setAttribute("open", "");
      setup();
    })
    .catch(() => {})
    .finally(() => {
      reloading = null;
      if (again) { again = false; reload(); }
    });
  return reloading;
}

// ---- socket ----
function onFrame(f) {
  if (f.type === "full") {
    stats.full++;
    epoch = f.epoch;
    seq = f.seq;
    const s = f.data && f.data.event && f.data.event.status;
    if (s && s !== status) setStatus(s);
    reload();
    return;
  }
  if (typeof f.seq === "number") {
    if (f.seq <= seq) return;
    seq = f.seq;
  }
  if (f.type === "refresh") { stats.refresh++; reload(); return; }
  if (f.type !== "diff" || !f.data) return;
  stats.diff++;
  const d = f.data;
  if (d.status) setStatus(d.status);
  else if (d.oncourse) renderOncourse(d.oncourse);
  else if (d.raceId && d.results) patchResults(d.raceId, d.results);
}
function connect() {
  if (status === "official") { setConn("official"); return; }
  setConn(attempt ? "reconnecting" : "connecting");
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const q = epoch !== null ? `?since=${encodeURIComponent(epoch + ":" + seq)}` : "";
  ws = new WebSocket(`${proto}//${location.host}/api/v1/events/${encodeURIComponent(eventId)}/ws${q}`);
  ws.onopen = () => { attempt = 0; stats.opened++; setConn("live"); };
  ws.onmessage = (m) => {
    let f;
    try { f = JSON.parse(m.data); } catch { return; }
    onFrame(f);
  };
  ws.onclose = (e) => {
    ws = null;
    stats.closedByServer = e.code === 1000;
    lost();
  };
}
let retry = null;
function lost() {
  if (status === "official") { setConn("official"); return; }
  setConn("reconnecting");
  // Exponential backoff with jitter: 1, 2, 4, 8, then 15 s at most, each 50–100 %.
  const base = Math.min(15000, 1000 * 2 ** attempt);
  attempt++;
  clearTimeout(retry);
  retry = setTimeout(connect, base / 2 + (Math.random() * base) / 2);
}
// A phone that loses its network often keeps a dead socket open for minutes (the server's pings
// are invisible to scripts): drop it as soon as the browser knows, and retry at once when the
// network is back.
window.addEventListener("offline", () => {
  if (!ws) return;
  const dead = ws;
  ws = null;
  dead.onclose = null;
  dead.onmessage = null;
  dead.close();
  lost();
});
window.addEventListener("online", () => {
  if (ws || status === "official" || !eventId) return;
  clearTimeout(retry);
  attempt = 0;
  connect();
});

// ---- search, category, favourites ----
const FAV_KEY = "liveMini.favourites";
function favourites() {
  try { return new Set(JSON.parse(localStorage.getItem(FAV_KEY) || "[]")); } catch { return new Set(); }
}
function saveFavourites(set) {
  try { localStorage.setItem(FAV_KEY, JSON.stringify([...set])); } catch { /* private mode */ }
}
function searchText() {
  const input = document.getElementById("q");
  return (input ? input.value : "").trim().toLowerCase();
}
// As the server's search: a bib exactly, or a part of the name.
function matches(name, bib) {
  const q = searchText();
  if (!q) return true;
  return /^\d+$/.test(q) ? String(bib) === q : (name || "").toLowerCase().includes(q);
}
function applySearch() {
  document.querySelectorAll("#list tbody tr").forEach((tr) => {
    tr.hidden = !matches(tr.querySelector(".n")?.textContent, (tr.id || "").slice(1));
  });
}
function setup() {
  indexRows();
  clocks.clear();
  const now = performance.now();
  document.querySelectorAll("#oc-list > li").forEach((li) => startClock(li, now));
  const favs = favourites();
  document.querySelectorAll("#list tbody tr").forEach((tr) => {
    const cell = tr.querySelector("td.nm");
    const name = tr.querySelector(".n")?.textContent || "";
    if (!cell || !name) return;
    const on = favs.has(name);
    tr.classList.toggle("fav", on);
    let b = cell.querySelector(".fav-b");
    if (!b) {
      b = el("button", "fav-b", on ? "★" : "☆");
      b.type = "button";
      b.setAttribute("aria-label", `${T.fav || "Favourite"}: ${name}`);
      cell.prepend(b);
    }
    b.setAttribute("aria-pressed", String(on));
  });
  applySearch();
}
document.addEventListener("click", (e) => {
  const b = e.target.closest && e.target.closest(".fav-b");
  if (!b) return;
  const tr = b.closest("tr");
  const name = tr.querySelector(".n")?.textContent || "";
  const favs = favourites();
  if (favs.has(name)) favs.delete(name); else favs.add(name);
  saveFavourites(favs);
  const on = favs.has(name);
  tr.classList.toggle("fav", on);
  b.textContent = on ? "★" : "☆";
  b.setAttribute("aria-pressed", String(on));
});
document.addEventListener("input", (e) => { if (e.target.id === "q") applySearch(); });
document.addEventListener("change", (e) => {
  if (e.target.id === "cat" && e.target.form) e.target.form.requestSubmit();
  if (e.target.id === "detail") {
    const open = e.target.checked;
    document.querySelectorAll("#list details").forEach((d) => { d.open = open; });
  }
});

if (main && eventId) {
  setup();
  setInterval(tick, 100);
  connect();
}
