// The teacher's lab page (console/lab.html): a live chart per quantity with a real time axis, the
// chosen benches overlaid, the last 5, 15 or 45 minutes; a projector mode; lesson recordings, shown
// afterwards as the same charts and downloaded as CSV. The choices are kept in the URL, so that a
// bookmark (or a reload) opens the same lesson view.
header("lab");
translate();

const KEEP_MS = 45 * 60 * 1000;
const GAP_MS = 30 * 1000;
const ORDER = ["temperature", "humidity", "pressure", "co2", "o2", "ph", "light"];
const params = new URLSearchParams(location.search);
const view = {
  room: params.get("room"),
  benches: [], // [{id, bench}] of the room
  chosen: new Set((params.get("benches") || "").split(",").filter((b) => b)),
  minutes: [5, 15, 45].includes(Number(params.get("window"))) ? Number(params.get("window")) : 15,
  replay: null, // {id, title, from, to, data} while a recording is shown
  open: false, // whether the lab is open to her now (her lesson, a grant, the admin)
};
const live = new Map(); // point -> {unit, devices: Map(device -> [[ms, value], ...] oldest first)}
const panels = new Map(); // point -> {el, chart}
let feed = null;
let skew = 0; // the gateway's clock minus this browser's, so the axis ends at the gateway's "now"

if (params.get("projector") === "1") document.documentElement.classList.add("projector");

function keepInUrl() {
  const p = new URLSearchParams();
  if (view.room) p.set("room", view.room);
  if (view.benches.length && view.chosen.size !== view.benches.length) p.set("benches", [...view.chosen].join(","));
  p.set("window", view.minutes);
  if (document.documentElement.classList.contains("projector")) p.set("projector", "1");
  history.replaceState(null, "", `${location.pathname}?${p}`);
}

// a reading into a series, kept in time order whatever order readings and history arrive in
function add(store, point, senmlUnit, device, ms, value) {
  if (typeof value !== "number" || !Number.isFinite(value)) return;
  let q = store.get(point);
  if (!q) store.set(point, q = { unit: unitOf(senmlUnit), devices: new Map() });
  let s = q.devices.get(device);
  if (!s) q.devices.set(device, s = []);
  const v = value * q.unit.scale;
  if (!s.length || s[s.length - 1][0] < ms) {
    // a silence (the kit was off, the gateway restarted) is a gap in the line, not a straight line across it
    if (s.length && ms - s[s.length - 1][0] > GAP_MS && s[s.length - 1][1] !== null) s.push([s[s.length - 1][0] + 1, null]);
    s.push([ms, v]);
  } else {
    let lo = 0, hi = s.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (s[mid][0] < ms) lo = mid + 1; else hi = mid; }
    if (lo < s.length && s[lo][0] === ms) return;
    s.splice(lo, 0, [ms, v]);
  }
  if (store === live) {
    const cutoff = ms - KEEP_MS;
    let drop = 0;
    while (drop < s.length && s[drop][0] < cutoff) drop++;
    if (drop) s.splice(0, drop);
  }
}

function load(store, json) {
  for (const [point, p] of Object.entries(json.points || {})) {
    for (const [device, pairs] of Object.entries(p.devices)) {
      for (const [ms, v] of pairs) add(store, point, p.unit, device, ms, v);
    }
  }
}

function panel(point) {
  let p = panels.get(point);
  if (p) return p;
  const el = document.createElement("section");
  el.className = "chart-panel";
  el.dataset.point = point;
  el.innerHTML = `<h2></h2><div class="chart" role="img"></div>`;
  const rank = (x) => { const i = ORDER.indexOf(x); return i < 0 ? ORDER.length : i; };
  const charts = document.getElementById("charts");
  const after = [...charts.children].find((c) => rank(c.dataset.point) > rank(point)
    || (rank(c.dataset.point) === rank(point) && c.dataset.point > point));
  charts.insertBefore(el, after || null);
  p = { el, chart: makeChart(el.querySelector(".chart")), onScreen: true, drawnAt: 0 };
  panels.set(point, p);
  // a chart off the screen is redrawn every few seconds only: the one the class looks at, every second
  onScreen.observe(el);
  return p;
}

const onScreen = new IntersectionObserver((entries) => entries.forEach((e) => {
  const p = panels.get(e.target.dataset.point);
  if (p) p.onScreen = e.isIntersecting;
}), { rootMargin: "100px" });

// What a chart of w pixels can show of a series: the lowest and highest reading of each 2-pixel slice of the
// span (in time order), so that a 45-minute window of 2,700 readings is drawn from a few hundred, peaks kept.
function forScreen(series, start, from, to, w) {
  const slices = Math.max(50, Math.floor(w / 4));
  if (series.length - start <= slices * 2) return series.slice(start);
  const data = series;
  const out = [];
  const width = (to - from) / slices;
  let i = start;
  for (let k = 0; k < slices && i < data.length; k++) {
    const end = from + (k + 1) * width;
    let lo = null, hi = null;
    for (; i < data.length && (data[i][0] < end || k === slices - 1); i++) {
      const d = data[i];
      if (d[1] === null) { if (lo) { out.push(...(lo[0] <= hi[0] ? [lo, hi] : [hi, lo])); lo = hi = null; } out.push(d); continue; }
      if (!lo || d[1] < lo[1]) lo = d;
      if (!hi || d[1] > hi[1]) hi = d;
    }
    if (lo) out.push(...(lo === hi ? [lo] : lo[0] <= hi[0] ? [lo, hi] : [hi, lo]));
  }
  if (out[out.length - 1] !== data[data.length - 1]) out.push(data[data.length - 1]); // the line ends at the newest reading
  return out;
}

function firstDue(due) {
  return panels.get(due.values().next().value);
}

function firstAtOrAfter(s, ms) {
  let lo = 0, hi = s.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (s[mid][0] < ms) lo = mid + 1; else hi = mid; }
  return lo;
}

function render(all = true) {
  if (!view.open && !view.replay) return;
  const now = Date.now();
  // A chart is redrawn when its time axis has moved a pixel (every second on the last 5 minutes, every few on the last 45:
  // the newest values beside it with it); one off the screen every few seconds. Those drawn longest ago first, and in one
  // second no more than fit in a frame's time (16 ms, one chart at least): a slow laptop redraws less often, never janks.
  let due = null;
  if (!all) {
    const span = view.minutes * 60 * 1000;
    due = new Set([...panels].filter(([, p]) => {
      const every = Math.max(1000, span / Math.max(100, p.el.querySelector(".chart").clientWidth - 250));
      return now - p.drawnAt >= (p.onScreen ? every : every + 5000);
    }).sort(([, a], [, b]) => a.drawnAt - b.drawnAt).map(([point]) => point));
  }
  const started = performance.now();
  const store = view.replay ? view.replay.data : live;
  const to = view.replay ? view.replay.to : Date.now() + skew;
  const from = view.replay ? view.replay.from : to - view.minutes * 60 * 1000;
  const look = chartLook();
  const shown = view.benches.filter((b) => view.chosen.has(b.id));
  for (const [point, q] of store) {
    const p = panel(point);
    if (due && (!due.has(point) || (performance.now() - started > 16 && p !== firstDue(due)))) continue;
    p.drawnAt = now;
    const u = q.unit;
    const latest = {};
    const w = p.el.querySelector(".chart").clientWidth || 600;
    const series = shown.map((b) => {
      const s = q.devices.get(b.id) || [];
      const data = forScreen(s, firstAtOrAfter(s, from), from, to, w);
      latest[b.bench] = s.length ? s[s.length - 1][1] : null;
      return { id: b.id, name: b.bench, type: "line", showSymbol: false, data, animation: false,
        lineStyle: { width: look.width }, itemStyle: { color: PALETTE[view.benches.indexOf(b) % PALETTE.length] } };
    });
    const formatter = (name) => `${name}  ${formatValue(latest[name], u)}`;
    // the whole option when something but the data changed (benches, the look, a recording); else the data and the axis only
    const narrow = w < 560; // a phone: the benches under the chart, not beside it
    const shape = `${shown.map((b) => b.id).join()}|${document.documentElement.classList.contains("projector")}|${!!view.replay}|${narrow}`;
    if (p.shape === shape) {
      p.chart.setOption({ legend: { formatter }, xAxis: { min: from, max: to }, series: series.map((x) => ({ id: x.id, data: x.data })) });
      continue;
    }
    const title = `${quantityName(point)}${u.unit ? ` (${u.unit})` : ""}`;
    p.el.querySelector("h2").textContent = title;
    p.el.querySelector(".chart").setAttribute("aria-label", title);
    p.chart.setOption({
      animation: false,
      // the benches and their latest values in a column beside the chart, like a table the class can read
      grid: narrow ? { left: look.font * 4.5, right: look.font, top: look.font, bottom: look.font * (2.5 + 1.6 * Math.ceil(shown.length / 2)) }
        : { left: look.font * 4.5, right: look.font * 15, top: look.font, bottom: look.font * 2.5 },
      legend: { orient: narrow ? "horizontal" : "vertical", ...(narrow ? { left: 0, bottom: 0 } : { right: 0, top: "middle" }),
        selectedMode: false, itemGap: look.font * 0.6, textStyle: { color: look.text, fontSize: look.font }, formatter },
      tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: (v) => formatValue(v, u) },
      xAxis: { type: "time", min: from, max: to, ...axisStyle(look) },
      yAxis: { type: "value", ...axisRange(point), ...axisStyle(look) },
      series,
    }, { replaceMerge: ["series"] });
    p.shape = shape;
  }
  for (const [point, p] of panels) p.el.hidden = !store.has(point);
  document.getElementById("no-readings").hidden = store.size > 0;
}

function benchBoxes() {
  const box = document.getElementById("benches");
  box.querySelectorAll("label").forEach((l) => l.remove());
  view.benches.forEach((b, i) => {
    const label = document.createElement("label");
    label.className = "bench";
    label.innerHTML = `<input type="checkbox" value="${esc(b.id)}"> <span class="swatch swatch-${i % PALETTE.length}"></span> ${esc(b.bench)}`;
    const input = label.querySelector("input");
    input.checked = view.chosen.has(b.id);
    input.addEventListener("change", () => {
      if (input.checked) view.chosen.add(b.id); else view.chosen.delete(b.id);
      keepInUrl();
      render();
    });
    box.append(label);
  });
}

function windowButtons() {
  document.querySelectorAll("#window button").forEach((b) => b.setAttribute("aria-pressed", String(Number(b.dataset.minutes) === view.minutes)));
}

function lessonText(l) {
  const day = new Date(l.start).toLocaleDateString(lang === "en" ? "en-GB" : "zh-CN", { weekday: "short", month: "long", day: "numeric" });
  const hm = (iso) => new Date(iso).toLocaleTimeString(lang === "en" ? "en-GB" : "zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false });
  return `${day} ${hm(l.start)}–${hm(l.end)}${l.class ? " · " + oneLanguage(l.class) : ""}`;
}

async function watch(room, labs) {
  if (feed) { feed.close(); feed = null; }
  view.room = room;
  const lab = labs[room] || { kits: [], open: false };
  view.benches = lab.kits;
  view.open = lab.open;
  // a lab outside her lessons (and not granted): said plainly, with her next lesson there; nothing live is opened
  document.getElementById("closed").hidden = lab.open;
  document.getElementById("closed-next").textContent = lab.lesson && !lab.open ? `${t("nextLesson")} ${lessonText(lab.lesson)}` : "";
  document.getElementById("lesson").hidden = !lab.open || (!lab.lesson && lab.why !== "granted");
  document.getElementById("lesson").textContent = lab.why === "granted" ? t("grantedLab") : lab.lesson ? `${t("lessonNow")} ${lessonText(lab.lesson)}` : "";
  ["benches", "window", "projector", "charts", "rec-form"].forEach((id) => { document.getElementById(id).hidden = !lab.open; });
  document.body.classList.toggle("lab-closed", !lab.open);
  const ids = new Set(view.benches.map((b) => b.id));
  view.chosen = new Set([...view.chosen].filter((id) => ids.has(id)));
  if (!view.chosen.size) view.chosen = new Set(ids);
  benchBoxes();
  closeReplay(false);
  live.clear();
  panels.forEach((p) => { p.chart.dispose(); p.el.remove(); });
  panels.clear();
  keepInUrl();
  if (!lab.open) {
    document.getElementById("no-readings").hidden = true;
    document.getElementById("window").hidden = true;
    loadRecordings();
    return;
  }
  feed = new EventSource(`/api/stream?topic=lab&room=${encodeURIComponent(room)}`);
  // the gateway ends the feed when her lesson is over (and refuses it again): the page then says so
  feed.onerror = () => { if (feed && feed.readyState === EventSource.CLOSED) reopen(room); };
  feed.addEventListener("alarm", () => loadAlarms()); // the lab's alarms come on the same stream
  feed.addEventListener("reading", (m) => {
    const r = JSON.parse(m.data);
    if (r.point) add(live, r.point, r.unit, r.device, Date.parse(r.time), r.value);
  });
  let r = await fetch(`/api/lab/history?room=${encodeURIComponent(room)}&minutes=45`);
  for (let tries = 0; r.status === 503 && tries < 5; tries++) { // other labs' data being read: a moment later
    await new Promise((ok) => setTimeout(ok, 1000 + Math.random() * 1000));
    r = await fetch(`/api/lab/history?room=${encodeURIComponent(room)}&minutes=45`);
  }
  const date = Date.parse(r.headers.get("Date") || "");
  if (Number.isFinite(date) && Math.abs(date - Date.now()) > 2000) skew = date - Date.now();
  if (r.ok && view.room === room) load(live, await r.json());
  render();
  loadRecordings();
  loadAlarms();
}

// The lab's safety alarms (pH, CO2, temperature of its kits): the teacher in the room sees them above the charts, in
// projector mode too, and may acknowledge or clear them; their changes come on the lab's live stream.
async function loadAlarms() {
  const r = await fetch("/api/alarms");
  if (!r.ok) return;
  const mine = (await r.json()).filter((a) => a.room === view.room);
  document.querySelector("#alarms tbody").innerHTML = mine.map((a) => `<tr data-key="${esc(a.key)}">
    <td><span class="sev sev-${a.severity}">${a.severity}</span></td><td>${esc(oneLanguage(a.message))}</td><td>${timeOf(a.raisedAt)}</td>
    <td class="state">${t(a.state)}${a.acknowledgedBy ? " · " + esc(a.acknowledgedBy) : ""}</td>
    <td>${a.state === "RAISED" ? `<button type="button" class="act ack">${t("acknowledge")}</button>` : ""}
      <button type="button" class="act clear">${t("clear")}</button></td></tr>`).join("");
  document.getElementById("lab-alarms").hidden = mine.length === 0;
  document.querySelectorAll("#alarms button").forEach((b) => b.addEventListener("click", async () => {
    const key = b.closest("tr").dataset.key;
    try {
      await post(b.classList.contains("ack") ? "/api/alarms/acknowledge" : "/api/alarms/clear", { key, note: "" });
    } catch (err) {
      alert(err.message);
    }
    loadAlarms();
  }));
}

async function loadRecordings() {
  const room = view.room;
  const list = await (await fetch(`/api/lab/recordings?room=${encodeURIComponent(room)}`)).json();
  const running = list.find((r) => !r.stop);
  document.getElementById("rec-start").disabled = !!running;
  document.getElementById("rec-stop").disabled = !running;
  document.getElementById("rec-state").textContent = running ? `● ${t("recordingNow")} ${running.title} · ${timeOf(running.start)}` : "";
  const csv = (r) => `/api/lab/recording.csv?room=${encodeURIComponent(room)}&id=${encodeURIComponent(r.id)}`;
  document.querySelector("#recordings tbody").innerHTML = list.map((r) => `<tr data-recording="${esc(r.id)}"><td>${esc(r.title)}</td>
    <td>${esc(r.by)}</td><td>${timeOf(r.start)}</td><td>${r.stop ? timeOf(r.stop) : "…"}</td>
    <td><button type="button" class="act show" data-show="${esc(r.id)}">${t("showCharts")}</button>
    <a class="csv" href="${csv(r)}">CSV</a></td></tr>`).join("");
  document.getElementById("no-recordings").hidden = list.length > 0;
  document.querySelectorAll("#recordings button.show").forEach((b) => b.addEventListener("click", () => {
    const rec = list.find((r) => r.id === b.dataset.show);
    showRecording(rec, csv(rec));
  }));
}

async function showRecording(rec, csvHref) {
  const r = await fetch(`/api/lab/recording.json?room=${encodeURIComponent(view.room)}&id=${encodeURIComponent(rec.id)}`);
  if (!r.ok) { document.getElementById("rec-state").textContent = await r.text(); return; }
  const json = await r.json();
  const data = new Map();
  load(data, json);
  view.replay = { id: rec.id, from: json.from, to: json.to, data };
  document.getElementById("replay-title").textContent = rec.title;
  document.getElementById("replay-when").textContent = `${timeOf(rec.start)} – ${rec.stop ? timeOf(rec.stop) : "…"}`;
  document.getElementById("replay-csv").href = csvHref;
  document.getElementById("replay").hidden = false;
  document.getElementById("window").hidden = true;
  document.getElementById("charts").hidden = false; // her own recording, even outside her lessons
  render();
  window.scrollTo(0, 0);
}

function closeReplay(draw = true) {
  view.replay = null;
  document.getElementById("replay").hidden = true;
  document.getElementById("window").hidden = !view.open;
  document.getElementById("charts").hidden = !view.open;
  if (draw) render();
}

async function record(action) {
  const state = document.getElementById("rec-state");
  try {
    await post("/api/lab/recording", { room: view.room, action, title: document.getElementById("rec-title").value });
  } catch (e) {
    state.textContent = e.message;
    return;
  }
  loadRecordings();
}

document.getElementById("rec-start").addEventListener("click", () => record("start"));
document.getElementById("rec-stop").addEventListener("click", () => record("stop"));
document.getElementById("replay-close").addEventListener("click", () => closeReplay());
document.querySelectorAll("#window button").forEach((b) => b.addEventListener("click", () => {
  view.minutes = Number(b.dataset.minutes);
  windowButtons();
  keepInUrl();
  render();
}));
document.getElementById("projector").addEventListener("click", () => {
  const on = document.documentElement.classList.toggle("projector");
  document.getElementById("projector").setAttribute("aria-pressed", String(on));
  keepInUrl();
  render();
});
document.getElementById("projector").setAttribute("aria-pressed", String(document.documentElement.classList.contains("projector")));
windowButtons();
// the axis moves on every second, with or without new readings; a recording's charts stand still
setInterval(() => { if (!view.replay && !document.hidden) render(false); }, 1000);

async function reopen(room) {
  const labs = await (await fetch("/api/labs")).json();
  if (view.room === room) watch(room, labs);
}

whoAmI().then(async () => {
  const labs = await (await fetch("/api/labs")).json();
  const select = document.getElementById("room");
  select.innerHTML = Object.keys(labs).map((r) => `<option value="${esc(r)}">${esc(oneLanguage(r))}${labs[r].open ? "" : esc(t("closedMark"))}</option>`).join("");
  // the lab in the URL; else the first one open to her now
  const firstOpen = Object.keys(labs).find((r) => labs[r].open);
  if (view.room && labs[view.room]) select.value = view.room; else if (firstOpen) select.value = firstOpen;
  select.addEventListener("change", () => { view.chosen.clear(); watch(select.value, labs); });
  if (select.value) watch(select.value, labs);
});
