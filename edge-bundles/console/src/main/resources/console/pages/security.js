// The security page (console/security.html); loaded after the page's markup, with /app.js before it.
header("security");
translate();
let known = new Set();
async function loadAlarms() {
  let r;
  try {
    r = await fetch("/api/alarms");
  } catch (e) {
    return; // the gateway is away: the feed notices and says so; the list keeps its age
  }
  if (r.status === 401) { signedOut(); return; }
  if (!r.ok) return; // busy (503): the next beat or alarm reads it again
  const alarms = await r.json();
  dataAt = Date.now();
  const body = document.querySelector("#alarms tbody");
  body.innerHTML = alarms.map((a) => `<tr data-key="${esc(a.key)}" class="${known.has(a.key) ? "" : "new"}${a.drill ? " drill" : ""}">
    <td><span class="sev sev-${a.severity}">${a.severity}</span>${a.escalated ? ` <span class="muted">${t("escalated")}</span>` : ""}</td>
    <td>${a.drill ? `<span class="drill-badge">${t("drillBadge")}</span> ` : ""}<a href="#" class="ledger-link">${esc(oneLanguage(a.message))}</a></td><td>${esc(oneLanguage(a.building))} ${esc(a.zone)}</td><td>${timeOf(a.raisedAt)}</td>
    <td class="state">${t(a.state)}${a.acknowledgedBy ? " · " + esc(a.acknowledgedBy) : ""}</td><td>${a.count}</td>
    <td>${a.state === "RAISED" ? `<button class="act ack">${t("acknowledge")}</button>` : ""}
        <button class="act clear">${t("clear")}</button></td></tr>`).join("");
  known = new Set(alarms.map((a) => a.key));
  body.querySelectorAll("tr").forEach((tr) => markReal(tr));
  document.getElementById("no-alarms").hidden = alarms.length > 0;
  body.querySelectorAll("a.ledger-link").forEach((l) => l.addEventListener("click", (ev) => {
    ev.preventDefault();
    showLedger(l.closest("tr").dataset.key);
  }));
  if (ledgerKey) showLedger(ledgerKey);
  body.querySelectorAll("button.ack, button.clear").forEach((b) => b.addEventListener("click", async () => {
    const key = b.closest("tr").dataset.key;
    const note = prompt(t("note")) ?? "";
    try {
      await post(b.classList.contains("ack") ? "/api/alarms/acknowledge" : "/api/alarms/clear", { key, note });
    } catch (err) {
      alert(err.message); // 503: not stored yet, the gateway keeps trying; 409: someone else was first
    }
    loadAlarms();
  }));
}
async function loadDevices() {
  const all = await (await fetch("/api/devices")).json();
  document.getElementById("buildings").innerHTML = [...new Set(all.map((d) => d.building).filter(Boolean))].sort()
    .map((b) => `<option value="${esc(b)}">`).join("");
  const devices = all.filter((d) => d.presence === "OFFLINE" || d.presence === "FAILING");
  document.querySelector("#devices tbody").innerHTML = devices.map((d) => `<tr><td class="offline">${esc(d.device)}${
    d.presence === "FAILING" ? ` (${esc(t("failing"))})` : ""}</td>
    <td>${esc(d.family)}</td><td>${esc(d.building)}</td><td>${d.since ? timeOf(d.since) : ""}</td></tr>`).join("");
  document.getElementById("all-online").hidden = devices.length > 0;
}
// The timeline, a page of 50 at a time, newest first; the filters and the page are in the URL, so that a reload, the
// back button or a link sent to a colleague open the same view. "Older" follows the store's cursor; "back" is the
// browser's.
const TIMELINE_FILTERS = ["kind", "building", "device", "hours"];
function timelineQuery() {
  const url = new URLSearchParams(location.search);
  const q = new URLSearchParams({ limit: 50 });
  TIMELINE_FILTERS.forEach((f) => { if (url.get(f)) q.set(f, url.get(f)); });
  if (url.get("before")) { q.set("before", url.get("before")); q.set("beforeId", url.get("beforeId") || ""); }
  return q;
}
function filtersFromUrl() {
  const url = new URLSearchParams(location.search);
  if (url.get("kind")) document.getElementById("f-kind").value = url.get("kind");
  if (url.get("hours")) document.getElementById("f-hours").value = url.get("hours");
  document.getElementById("f-building").value = url.get("building") || "";
  document.getElementById("f-device").value = url.get("device") || "";
}
function goTo(cursor, page) {
  const url = new URLSearchParams(location.search);
  ["before", "beforeId", "page"].forEach((k) => url.delete(k));
  if (cursor && cursor.before) { url.set("before", cursor.before); url.set("beforeId", cursor.beforeId); url.set("page", page); }
  history.pushState(null, "", `${location.pathname}?${url}`);
  loadTimeline();
}
let nextCursor = null;
// one read of the timeline at a time: a burst of alarm transitions makes one more read after the one in
// flight, not one each, and only the newest read asked for is drawn (an older answer arriving last is dropped)
let timelineAsked = 0, timelineBusy = false, timelineAgain = false;
async function loadTimeline() {
  const asked = ++timelineAsked;
  if (timelineBusy) { timelineAgain = true; return; }
  timelineBusy = true;
  try {
    await readTimeline(asked);
  } finally {
    timelineBusy = false;
    if (timelineAgain) { timelineAgain = false; loadTimeline(); }
  }
}
async function readTimeline(asked) {
  const r = await fetch(`/api/events?${timelineQuery()}`);
  if (!r.ok || asked !== timelineAsked) return;
  const page = await r.json();
  if (asked !== timelineAsked) return;
  nextCursor = page.next;
  document.querySelector("#timeline tbody").innerHTML = page.events.map((e) => {
    const a = e.attributes || {};
    // the camera's picture, fetched by the gateway from the camera (the browser cannot reach the camera network)
    const proxied = a.snapshotUrl && /^https?:\/\//.test(a.snapshotUrl)
      ? `/api/snapshot?${new URLSearchParams({ device: e.device, url: a.snapshotUrl })}` : null;
    const snapshot = proxied ? ` <a href="${esc(proxied)}" target="_blank" rel="noopener" class="snapshot"><img class="thumb" loading="lazy"
      src="${esc(proxied)}" alt="${esc(t("snapshot"))}"></a>` : "";
    const details = Object.entries(a).filter(([k]) => k !== "snapshotUrl")
      .map(([k, v]) => `${esc(k)}=${esc(k === "message" ? oneLanguage(v) : v)}`).join(" ");
    return `<tr data-event="${esc(e.id)}"><td>${timeOf(e.time)}</td><td><span class="sev sev-${e.severity}">${e.severity}</span></td><td>${esc(e.kind)}</td>
      <td>${esc(e.device)}</td><td>${esc(oneLanguage(e.building))}</td><td class="muted">${details}${snapshot}</td></tr>`;
  }).join("") || `<tr class="none"><td colspan="6" class="muted">${t("timelineNone")}</td></tr>`;
  // a picture the camera could not give (offline, refused) is said in words, not a broken image
  document.querySelectorAll("#timeline img.thumb").forEach((img) => img.addEventListener("error", () => {
    img.replaceWith(document.createTextNode(t("snapshotMissing")));
  }));
  const n = Number(new URLSearchParams(location.search).get("page") || 1);
  document.getElementById("page-number").textContent = t("page").replace("{n}", n);
  document.getElementById("page-older").disabled = !nextCursor;
  document.getElementById("page-newest").disabled = !new URLSearchParams(location.search).get("before");
}
document.getElementById("page-older").addEventListener("click",
  () => goTo(nextCursor, Number(new URLSearchParams(location.search).get("page") || 1) + 1));
document.getElementById("page-newest").addEventListener("click", () => goTo(null));
window.addEventListener("popstate", () => { filtersFromUrl(); loadTimeline(); });
// Drills: the running one is a banner on top (amber, with the way to stop it); a real alarm that interrupts one
// is a red banner that stays until someone has read it. Starting one is a form under the alarms.
async function loadDrill() {
  let r;
  try { r = await fetch("/api/drill"); } catch (e) { return; }
  if (!r.ok) return;
  const d = await r.json();
  const cams = document.getElementById("drill-camera");
  if (!cams.options.length) {
    cams.innerHTML = d.cameras.map((c) => `<option value="${esc(c.id)}">${esc(c.id)} · ${esc(c.building)} ${esc(c.zone)}</option>`).join("");
  }
  const banner = document.getElementById("drill-banner");
  banner.hidden = !d.current;
  // a real alarm that stopped a drill: red until someone here has read it (remembered in this browser), and its row marked
  realDuringDrill = d.interrupted ? d.interrupted.realAlarm : null;
  if (d.interrupted && localStorage.getItem("campus.drill.read") !== d.interrupted.id) {
    document.getElementById("drill-interrupted-text").textContent = d.interrupted.message || "";
    document.getElementById("drill-interrupted").hidden = false;
    document.getElementById("drill-interrupted").dataset.id = d.interrupted.id;
  }
  document.querySelectorAll("#alarms tr").forEach((tr) => markReal(tr));
  if (d.current) {
    const c = d.current;
    document.getElementById("drill-text").textContent = `${c.name} · ${c.device} · ${t("drillUntil")} ${timeOf(c.endsAt)} · ${c.startedBy}`;
  }
}
// An alarm's delivery ledger: every hop from the device's event to the city, with its time, read again as the alarm changes.
let ledgerKey = null;
async function showLedger(key) {
  ledgerKey = key;
  const r = await fetch(`/api/alarms/ledger?${new URLSearchParams({ key })}`);
  if (!r.ok) return;
  const l = await r.json();
  document.getElementById("ledger-alarm").textContent = key;
  document.querySelector("#ledger tbody").innerHTML = l.hops.map((h) => `<tr data-hop="${esc(h.hop)}"><td>${timeOf(h.at)}</td>
    <td class="num">${h.afterMs}</td><td>${esc(t("hop_" + h.hop))}</td><td class="muted">${esc(h.detail)}</td></tr>`).join("");
  document.getElementById("ledger-section").hidden = false;
}
document.getElementById("ledger-close").addEventListener("click", () => {
  ledgerKey = null;
  document.getElementById("ledger-section").hidden = true;
});
let realDuringDrill = null;
function markReal(tr) {
  if (tr.dataset.key && tr.dataset.key === realDuringDrill && !tr.querySelector(".real-badge")) {
    tr.children[1].insertAdjacentHTML("afterbegin", `<span class="real-badge">${t("realBadge")}</span> `);
  }
}
function drillEvent() {
  loadDrill();
  loadAlarms();
}
document.getElementById("drill-interrupted-ok").addEventListener("click", () => {
  const box = document.getElementById("drill-interrupted");
  localStorage.setItem("campus.drill.read", box.dataset.id || "");
  box.hidden = true;
});
document.getElementById("drill-stop").addEventListener("click", async () => {
  if (!confirm(t("stopDrillConfirm"))) return;
  try { await post("/api/drill/stop", {}); } catch (err) { alert(err.message); }
  loadDrill();
});
document.getElementById("drill-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const out = document.getElementById("drill-result");
  out.textContent = "";
  try {
    await post("/api/drill/start", Object.fromEntries(new FormData(e.target)));
    document.getElementById("drill-panel").open = false;
  } catch (err) {
    out.textContent = err.message;
  }
  loadDrill();
});
document.getElementById("filters").addEventListener("submit", (e) => {
  e.preventDefault();
  const url = new URLSearchParams();
  for (const [k, v] of new FormData(e.target)) if (v) url.set(k, v);
  history.pushState(null, "", `${location.pathname}?${url}`);
  loadTimeline();
});
filtersFromUrl();
document.querySelectorAll("[data-ph]").forEach((el) => { el.placeholder = t(el.dataset.ph); });
whoAmI().then(() => {
  // a wall screen's login: large type, nothing to press, and its own words when its login ends
  if (me.role === "wall_screen") document.documentElement.classList.add("wall");
  loadTimeline();
  loadAlarms();
  loadDevices();
  loadDrill();
  setInterval(loadDevices, 10000);
  setInterval(loadDrill, 30000);
  openFeed();
  // a safety net, not the mechanism: should the console's feed ever shed a notification under load,
  // the list is still right within half a minute (the alarms themselves are never shed)
  setInterval(loadAlarms, 30000);
  setInterval(showStatus, 1000);
});

// The feed's state is on screen at all times: live (with the last word from the gateway), reconnecting
// (with how old the list is), or signed out (a banner and a way back in). The gateway sends a beat every
// 5 s; three missed beats and the connection is called dead and made again.
let feed = null, heardAt = 0, dataAt = 0, state = "connecting", retryMs = 1000, retryTimer = null;
const BEAT_MISSED_MS = 15000;
function openFeed() {
  if (state === "signed-out") return;
  if (feed) feed.close();
  feed = new EventSource("/api/stream?topic=alarms");
  // pushed, not polled: every alarm transition arrives as an event; the list is then read again
  feed.addEventListener("alarm", () => {
    heardAt = Date.now();
    loadAlarms();
    // the newest page follows: the event that raised (or cleared) the alarm is stored before the alarm is told
    if (!new URLSearchParams(location.search).get("before")) loadTimeline();
  });
  feed.addEventListener("drill", (ev) => { heardAt = Date.now(); drillEvent(ev); });
  feed.addEventListener("beat", () => { heardAt = Date.now(); if (state !== "live") { state = "live"; loadAlarms(); } showStatus(); });
  feed.onopen = () => { heardAt = Date.now(); retryMs = 1000; state = "live"; loadAlarms(); loadDrill(); showStatus(); };
  feed.onerror = () => feedLost();
}
function feedLost() {
  if (state === "signed-out") return;
  if (feed) { feed.close(); feed = null; }
  state = "reconnecting";
  showStatus();
  if (retryTimer) return;
  retryTimer = setTimeout(async () => {
    retryTimer = null;
    // the gateway is back, or its answer says why not: a session that ended is not retried
    try {
      const r = await fetch("/api/me");
      if (r.status === 401) { signedOut(); return; }
      if (r.ok) { openFeed(); return; }
    } catch (e) { /* the gateway is away: try again */ }
    retryMs = Math.min(retryMs * 2, 10000);
    feedLost();
  }, retryMs * (0.75 + Math.random() / 2)); // jittered: the screens of a school do not come back in step
}
function signedOut() {
  state = "signed-out";
  if (feed) { feed.close(); feed = null; }
  if (me && me.role === "wall_screen") document.querySelector("#session-banner span").textContent = t("screenEnded");
  document.getElementById("session-banner").hidden = false;
  document.getElementById("alarm-section").classList.add("stale");
  document.querySelectorAll("#alarms button").forEach((b) => { b.disabled = true; });
  showStatus();
}
function ago(ms) {
  const s = Math.round((Date.now() - ms) / 1000);
  return s < 90 ? `${s} s` : `${Math.round(s / 60)} min`;
}
function showStatus() {
  if (state === "live" && Date.now() - heardAt > BEAT_MISSED_MS) feedLost();
  const el = document.getElementById("feed-status");
  el.dataset.state = state;
  el.textContent = state === "live" ? `● ${t("feedLive")} · ${t("lastHeard")} ${ago(heardAt)}`
    : state === "connecting" ? `○ ${t("feedConnecting")}`
    : `■ ${t(state === "signed-out" ? "feedSignedOut" : "feedReconnecting")} · ${t("dataAge")} ${dataAt ? ago(dataAt) : "—"}`;
  document.getElementById("alarm-section").classList.toggle("stale", state !== "live" && state !== "connecting");
}
