// The admin page (console/admin.html); loaded after the page's markup, with /app.js before it.
header("admin");
translate();
async function loadUsers() {
  const users = await (await fetch("/api/users")).json();
  document.querySelector("#users tbody").innerHTML = users.map((u) => `<tr data-user="${esc(u.name)}"><td>${esc(u.name)}</td>
    <td>${esc(u.role)}</td><td><button class="act" data-reset="${esc(u.name)}">${t("resetPassword")}</button>
    <button class="act" data-remove="${esc(u.name)}">${t("remove")}</button></td></tr>`).join("");
}
document.getElementById("users").addEventListener("click", async (e) => {
  const reset = e.target.getAttribute("data-reset");
  const remove = e.target.getAttribute("data-remove");
  const out = document.getElementById("user-secret");
  try {
    if (reset) {
      const password = await (await post("/api/users/reset", { name: reset })).text();
      out.hidden = false;
      out.textContent = `${reset} · ${t("newPasswordShown")} ${password}`;
    } else if (remove && confirm(t("removeConfirm"))) {
      await post("/api/users/remove", { name: remove });
      out.hidden = true;
    }
  } catch (err) {
    out.hidden = false;
    out.textContent = err.message;
  }
  loadUsers();
});
// Labs the admin lets a teacher watch at any time; in her own lessons (the calendar's lab timetables) she needs none.
async function loadGrants() {
  const [grants, users, labs] = await Promise.all([(await fetch("/api/lab/grants")).json(), (await fetch("/api/users")).json(),
    (await fetch("/api/labs")).json()]);
  document.querySelector("#lab-grants tbody").innerHTML = grants.map((g) => `<tr data-grant="${esc(g.user)}|${esc(g.room)}">
    <td>${esc(g.user)}</td><td>${esc(oneLanguage(g.room))}</td>
    <td><button type="button" class="act" data-revoke-user="${esc(g.user)}" data-revoke-room="${esc(g.room)}">${t("revoke")}</button></td></tr>`)
    .join("") || `<tr><td colspan="3" class="muted">${t("none")}</td></tr>`;
  document.getElementById("grant-user").innerHTML = users.filter((u) => u.role === "teacher")
    .map((u) => `<option value="${esc(u.name)}">${esc(u.name)}</option>`).join("");
  document.getElementById("grant-room").innerHTML = Object.keys(labs)
    .map((r) => `<option value="${esc(r)}">${esc(oneLanguage(r))}</option>`).join("");
}
document.getElementById("lab-grants").addEventListener("click", async (e) => {
  const user = e.target.getAttribute("data-revoke-user");
  if (!user) return;
  try { await post("/api/lab/grants/revoke", { user, room: e.target.getAttribute("data-revoke-room") }); }
  catch (err) { document.getElementById("grant-result").textContent = err.message; }
  loadGrants();
});
document.getElementById("new-grant").addEventListener("submit", async (e) => {
  e.preventDefault();
  const out = document.getElementById("grant-result");
  out.textContent = "";
  try { await post("/api/lab/grants", Object.fromEntries(new FormData(e.target))); }
  catch (err) { out.textContent = err.message; }
  loadGrants();
});
async function loadDevices() {
  const devices = await (await fetch("/api/devices")).json();
  document.querySelector("#devices tbody").innerHTML = devices.map((d) => `<tr><td>${esc(d.device)}</td><td>${esc(d.family)}</td>
    <td class="${d.presence === "OFFLINE" || d.presence === "FAILING" ? "offline" : d.presence === "ONLINE" ? "online" : "muted"}">${esc(d.presence)}</td>
    <td>${esc(d.building)}</td></tr>`).join("");
}
async function loadCredentials() {
  const rows = await (await fetch("/api/credentials")).json();
  const label = { key: t("credKey"), unprotected: t("credUnprotected"), revoked: t("credRevoked"), none: t("credNone"),
    server: t("credServer") };
  // unprotected devices first: they are what an admin should look at
  rows.sort((a, b) => (a.state === "unprotected" ? 0 : 1) - (b.state === "unprotected" ? 0 : 1) || a.device.localeCompare(b.device));
  document.querySelector("#credentials tbody").innerHTML = rows.map((r) => `<tr data-device="${esc(r.device)}">
    <td>${esc(r.device)}</td><td>${esc(r.family)}</td>
    <td class="${r.state === "key" || r.state === "server" ? "online" : r.state === "unprotected" || r.state === "revoked" ? "offline" : "muted"}">${esc(label[r.state] || r.state)}${r.uses ? ` · ${esc(t("credUses"))} ${esc(r.uses)}` : ""}</td>
    <td class="muted">${r.since ? timeOf(r.since) : ""}</td>
    <td>${r.state === "unprotected" || !r.family || r.uses ? "" : `<button class="act" data-issue="${esc(r.device)}">${t("newKey")}</button>`}
      ${(r.state === "key" || r.state === "server") && !r.uses ? `<button class="act" data-revoke="${esc(r.device)}">${t("revoke")}</button>` : ""}</td></tr>`).join("");
}
document.getElementById("credentials").addEventListener("click", async (e) => {
  const issue = e.target.getAttribute("data-issue");
  const revoke = e.target.getAttribute("data-revoke");
  const out = document.getElementById("new-key");
  try {
    if (issue) {
      const secret = await (await post("/api/credentials/issue", { device: issue })).text();
      out.hidden = false;
      out.textContent = `${issue} · ${t("newKeyShown")} ${secret}`;
    } else if (revoke && confirm(t("revokeConfirm"))) {
      await post("/api/credentials/revoke", { device: revoke });
      out.hidden = true;
    }
  } catch (err) {
    out.hidden = false;
    out.textContent = err.message;
  }
  loadCredentials();
});
async function loadCertificates() {
  const c = await (await fetch("/api/certificates")).json();
  document.getElementById("own-certificate").textContent = c.own ? `${t("ownCertificate")} SHA-1 ${c.own.thumbprint}` : t("noTrustList");
  // refused ones first: a meter server waits on them
  c.certificates.sort((a, b) => (a.trusted ? 1 : 0) - (b.trusted ? 1 : 0));
  document.querySelector("#certificates tbody").innerHTML = c.certificates.map((e) => `<tr data-thumbprint="${esc(e.thumbprint)}">
    <td>${esc(e.subject)}${e.endpoint ? `<br><span class="muted">${esc(e.endpoint)}</span>` : ""}</td><td class="muted">${esc(e.applicationUri || "")}</td><td class="muted mono">${esc(e.thumbprint)}</td>
    <td class="muted">${esc(e.notAfter.slice(0, 10))}</td>
    <td class="${e.trusted ? "online" : "offline"}">${e.trusted ? t("trusted") : t("refused")}</td>
    <td>${e.trusted ? `<button class="act" data-distrust="${esc(e.thumbprint)}">${t("distrust")}</button>`
      : `<button class="act" data-trust="${esc(e.thumbprint)}">${t("trust")}</button>`}</td></tr>`).join("");
}
document.getElementById("certificates").addEventListener("click", async (e) => {
  const trust = e.target.getAttribute("data-trust");
  const distrust = e.target.getAttribute("data-distrust");
  const out = document.getElementById("certificate-result");
  try {
    if (trust && confirm(t("trustConfirm"))) {
      await post("/api/certificates/trust", { thumbprint: trust });
      out.hidden = true;
    } else if (distrust && confirm(t("distrustConfirm"))) {
      await post("/api/certificates/distrust", { thumbprint: distrust });
      out.hidden = true;
    }
  } catch (err) {
    out.hidden = false;
    out.textContent = err.message;
  }
  loadCertificates();
});
document.getElementById("new-user").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  try {
    await post("/api/users", Object.fromEntries(f));
    document.getElementById("user-result").textContent = "✓";
    e.target.reset();
    loadUsers();
    loadGrants();
  } catch (err) {
    document.getElementById("user-result").textContent = err.message;
  }
});
// the tamper-evident trail of alarms and audit records, checked on request (it reads every link)
document.getElementById("trail-check").addEventListener("click", async () => {
  const out = document.getElementById("trail-result");
  out.textContent = "…";
  const r = await (await fetch("/api/trail")).json();
  out.className = r.intact ? "online" : "offline";
  out.textContent = !r.kept ? t("trailNone") : r.intact
    ? `${t("trailIntact")} · ${r.links} · #${r.headSeq} ${r.headHash.slice(0, 16)}…`
    : `${t("trailBroken")} #${r.brokenAt} (${r.eventId}): ${r.problem}`;
});
// the data-protection officer's requests about one card: an export (downloaded) and an erasure; both audited
const subjectForm = document.getElementById("subject-form");
subjectForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  const out = document.getElementById("subject-result");
  try {
    const r = await post("/api/subject/export", Object.fromEntries(new FormData(subjectForm)));
    const body = await r.json();
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([JSON.stringify(body, null, 2)], { type: "application/json" }));
    a.download = `card-export-${body.exportedAt.slice(0, 10)}.json`;
    a.click();
    out.className = "muted";
    out.textContent = `${t("subjectExported")} ${body.events}`;
  } catch (err) {
    out.className = "error";
    out.textContent = err.message;
  }
});
document.getElementById("subject-erase").addEventListener("click", async () => {
  const out = document.getElementById("subject-result");
  if (!subjectForm.reportValidity() || !confirm(t("subjectEraseConfirm"))) return;
  try {
    const r = await (await post("/api/subject/erase", { ...Object.fromEntries(new FormData(subjectForm)), confirm: "ERASE" })).json();
    out.className = "muted";
    out.textContent = `${t("subjectErased")} ${r.erased}`;
    subjectForm.reset();
  } catch (err) {
    out.className = "error";
    out.textContent = err.message;
  }
});
// wall screens: a link (and its QR code) shown once when made; revoking signs the screen out at once
async function loadScreens() {
  const screens = await (await fetch("/api/screens")).json();
  document.querySelector("#screens tbody").innerHTML = screens.map((s) => `<tr data-screen="${esc(s.name)}"><td>${esc(s.name)}</td>
    <td class="muted">${timeOf(s.made)}</td><td class="muted">${esc(s.by)}</td>
    <td><button class="act" data-revoke-screen="${esc(s.name)}">${t("revoke")}</button></td></tr>`).join("");
}
document.getElementById("screens").addEventListener("click", async (e) => {
  const name = e.target.getAttribute("data-revoke-screen");
  if (!name || !confirm(t("revokeScreenConfirm"))) return;
  try { await post("/api/screens/revoke", { name }); } catch (err) { document.getElementById("screen-result").textContent = err.message; }
  document.getElementById("screen-made").hidden = true;
  loadScreens();
});
document.getElementById("new-screen").addEventListener("submit", async (e) => {
  e.preventDefault();
  const out = document.getElementById("screen-result");
  out.textContent = "";
  try {
    const made = await (await post("/api/screens", Object.fromEntries(new FormData(e.target)))).json();
    const link = document.getElementById("screen-link");
    link.textContent = made.link;
    link.href = made.link;
    document.getElementById("screen-qr").innerHTML = made.qr; // an SVG the gateway drew: squares only, no script
    document.getElementById("screen-made").hidden = false;
    e.target.reset();
  } catch (err) {
    out.textContent = err.message;
  }
  loadScreens();
});
document.querySelectorAll("[data-ph]").forEach((el) => { el.placeholder = t(el.dataset.ph); });
async function loadAdmin() {
  const a = await (await fetch("/api/admin")).json();
  document.getElementById("in-force").textContent = `${a.school}: ${a.devices} devices / ${a.profiles} profiles`
    + ` (generation ${a.inventoryGeneration}); ${a.rules} rules, ${a.scheduledBroadcasts} scheduled broadcasts`;
  const errors = [...a.inventoryErrors, ...a.ruleErrors];
  document.getElementById("load-errors").innerHTML = errors.length ? errors.map((e) => `<li>${esc(e)}</li>`).join("")
    : `<li class="online">${t("noLoadErrors")}</li>`;
  document.getElementById("rule-list").innerHTML = a.ruleList.map((r) => `<li>${esc(r)}</li>`).join("");
  document.getElementById("retention").innerHTML = a.retention.map((r) => `<li>${esc(r)}</li>`).join("");
  const c = a.cloud;
  const rows = !c.endpoint ? [[t("cloudLink"), t("cloudNone"), ""]] : [
    [t("cloudLink"), `${c.connected ? "● " + t("connected") : "○ " + t("disconnected")} · ${c.endpoint}`, c.connected ? "online" : "offline"],
    [t("outbox"), `${t("critical")} ${c.outboxCritical} · ${t("telemetry")} ${c.outboxTelemetry} · ${(c.outboxBytes / 1048576).toFixed(1)} / ${(c.outboxBudgetBytes / 1048576).toFixed(0)} MB`, c.outboxCritical ? "offline" : ""],
    [t("shed"), String(c.shedTelemetry), c.shedTelemetry ? "offline" : ""],
    [t("parked"), String(c.parked), c.parked ? "offline" : ""],
    [t("lastAccepted"), `${c.lastAccepted ? timeOf(c.lastAccepted) : "-"} (${c.accepted} ${t("accepted")}, ${c.refused} ${t("retried")})`, ""],
    [t("cityCommands"), `${c.commands}${c.lastCommand ? " · " + c.lastCommand : ""}`, ""],
    [t("lastError"), c.lastError || "-", "muted"]];
  document.querySelector("#cloud-link tbody").innerHTML = rows.map(([k, v, cls]) =>
    `<tr><th>${esc(k)}</th><td class="${cls}" data-cloud="${esc(k)}">${esc(v)}</td></tr>`).join("");
  document.querySelector("#counters tbody").innerHTML = a.counters.map((c) => `<tr><td>${esc(c.device)}</td><td>${c.accepted}</td>
    <td class="${c.rejected ? "offline" : ""}">${c.rejected}</td><td>${c.deferred}</td><td class="muted">${esc(c.lastError)}</td>
    <td class="muted">${(c.unprofiled || []).map((u) => `<span class="unprofiled">${esc(u.point)}${u.unit ? ` (${esc(u.unit)})` : ""} ×${u.readings}
      ${u.point === "…" ? "" : `<button class="act" data-profile="${esc(c.profile || "")}" data-point="${esc(u.point)}" data-unit="${esc(u.unit || "")}">${t("addToProfile")}</button>`}</span>`).join(" ")}</td></tr>`).join("");
  document.querySelector("#components tbody").innerHTML = a.components.map((c) => `<tr><td>${esc(c.name)}</td>
    <td class="${c.state === "ACTIVE" || c.state === "SATISFIED" ? "online" : "offline"}">${esc(c.state)}</td></tr>`).join("");
  document.querySelector("#bundles tbody").innerHTML = a.bundles.map((b) => `<tr><td>${esc(b.name)}</td><td>${esc(b.version)}</td>
    <td class="${b.state === "ACTIVE" ? "online" : "offline"}">${esc(b.state)}</td></tr>`).join("");
}
// "add to profile": the lines to add under the profile's points, shown and copied (the unit quoted: "%RH", "uS/cm")
document.getElementById("counters").addEventListener("click", async (e) => {
  const b = e.target.closest("button[data-point]");
  if (!b) return;
  // quoted, so that a point called null, yes or 1.5 stays a name in YAML
  const snippet = `  - name: ${JSON.stringify(b.dataset.point)}\n` + (b.dataset.unit ? `    unit: ${JSON.stringify(b.dataset.unit)}\n` : "")
    + "    type: number\n    description: " + JSON.stringify(b.dataset.point) + "\n";
  let copied = false;
  try { await navigator.clipboard.writeText(snippet); copied = true; } catch (err) { /* no clipboard here: the lines are shown */ }
  const file = (b.dataset.profile || "?") + ".yaml";
  document.getElementById("profile-hint-text").textContent = t(copied ? "unprofiledHint" : "unprofiledHintNoCopy").replace("{file}", file);
  document.getElementById("profile-snippet").textContent = snippet;
  document.getElementById("profile-hint").hidden = false;
});
whoAmI().then(() => { loadUsers(); loadGrants(); loadScreens(); loadDevices(); loadCredentials(); loadCertificates(); loadAdmin();
  setInterval(() => { loadAdmin(); loadCertificates(); }, 10000); });
