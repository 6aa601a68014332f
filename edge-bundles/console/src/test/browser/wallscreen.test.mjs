// The security page as the security office's screen: it must never show a stale alarm list as if it
// were live. Run by SecurityScreenBrowserIT against a running gateway, in Debian's headless Chromium.
// 1. The feed's state is on screen: live, with when the gateway was last heard from.
// 2. The guard's session ends (their password changed elsewhere): within seconds a banner says so,
//    the list is marked stale, and "log in again" brings a live page back.
// 3. The gateway restarts: the page says "reconnecting" with the list's age while it is away, then that
//    the session ended (sessions do not outlive the gateway); logging in again brings the alarms back.
// 4. A drill started on the page shows its banner and its badged alarm, and is ended there.
// 5. The wall screen's own login: the admin makes a link (and QR code) on the admin page; the screen's browser
//    opens it and shows the security page large, with nothing to press; it stays logged in across the
//    restart in 3; when the admin revokes it, the screen says so within seconds.
// The restart is done by the Java side: this script writes $SIGNALS/restart and waits for $SIGNALS/restarted.
// Environment: CONSOLE_URL, ADMIN_PASSWORD, SIGNALS, SCREENSHOTS.
import { chromium } from "playwright-core";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";

const base = process.env.CONSOLE_URL;
const shots = process.env.SCREENSHOTS;
const signals = process.env.SIGNALS;
mkdirSync(shots, { recursive: true });

function check(ok, what) {
  if (!ok) {
    console.log(`FAIL ${what}`);
    process.exit(1);
  }
  console.log(`ok   ${what}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});

async function login(page, user, password) {
  await page.goto(`${base}/login`);
  await page.fill("#user", user);
  await page.fill("#password", password);
  await Promise.all([page.waitForNavigation(), page.click("#submit")]);
}

async function feedState(page) {
  return page.getAttribute("#feed-status", "data-state");
}

try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: "zh-CN", ignoreHTTPSErrors: true });
  const admin = await context.newPage();
  await login(admin, "admin", process.env.ADMIN_PASSWORD);
  const made = await admin.evaluate(async () => {
    const me = await (await fetch("/api/me")).json();
    const r = await fetch("/api/users", { method: "POST", headers: { "X-CSRF-Token": me.csrf },
      body: new URLSearchParams({ name: "guard-zhao", role: "security", password: "night-shift-2026" }) });
    return r.status;
  });
  check(made === 200, `the admin made a guard (${made})`);

  // 1. live, and says when it last heard from the gateway
  const guardContext = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: "zh-CN", ignoreHTTPSErrors: true });
  const wall = await guardContext.newPage();
  await login(wall, "guard-zhao", "night-shift-2026");
  check(wall.url().endsWith("/security.html"), `the guard lands on the security page (${wall.url()})`);
  await wall.waitForSelector('#feed-status[data-state="live"]', { timeout: 15000 });
  check((await wall.textContent("#feed-status")).includes("实时"), `the feed says it is live (${await wall.textContent("#feed-status")})`);
  await wall.waitForTimeout(6500); // a beat arrives every 5 s: "last heard" stays young
  const heard = await wall.textContent("#feed-status");
  const age = Number((heard.match(/(\d+) s/) || [])[1]);
  check(await feedState(wall) === "live" && age <= 6, `still live after a quiet 6.5 s, last heard ${age} s ago (${heard})`);
  check(await wall.isHidden("#session-banner"), "no banner while the session is good");

  // 2. the guard's password is changed in another window: every session of the guard ends
  const other = await guardContext.newPage();
  await other.goto(`${base}/security.html`);
  const changed = await other.evaluate(async () => {
    const me = await (await fetch("/api/me")).json();
    const r = await fetch("/api/password", { method: "POST", headers: { "X-CSRF-Token": me.csrf },
      body: new URLSearchParams({ current: "night-shift-2026", password: "day-shift-2026-b" }) });
    return r.status;
  });
  check(changed === 200, `the guard's password changed elsewhere (${changed})`);
  await other.close();
  const endedAt = Date.now();
  await wall.waitForSelector("#session-banner:not([hidden])", { timeout: 20000 });
  check(true, `the wall screen shows the session ended after ${((Date.now() - endedAt) / 1000).toFixed(1)} s`);
  check(await feedState(wall) === "signed-out", "the feed status says signed out");
  check(await wall.evaluate(() => document.getElementById("alarm-section").classList.contains("stale")), "the alarm list is marked stale");
  await wall.screenshot({ path: `${shots}/security-session-ended.png`, fullPage: true });
  await Promise.all([wall.waitForNavigation(), wall.click("#login-again")]);
  check(wall.url().includes("/login"), "\"log in again\" opens the login page");
  await wall.fill("#user", "guard-zhao");
  await wall.fill("#password", "day-shift-2026-b");
  await Promise.all([wall.waitForNavigation(), wall.click("#submit")]);
  await wall.waitForSelector('#feed-status[data-state="live"]', { timeout: 15000 });
  check(await wall.isHidden("#session-banner"), "logged in again: live, no banner");

  // 5a. the admin makes a wall screen's link; the screen's browser opens it
  await admin.goto(`${base}/admin.html`);
  await admin.fill("#screen-name", "office-wall");
  await admin.click("#new-screen button[type=submit]");
  await admin.waitForSelector("#screen-made:not([hidden])", { timeout: 10000 });
  const link = await admin.textContent("#screen-link");
  check(/^https:\/\/[^/]+\/screen#[A-Za-z0-9_-]{43}$/.test(link), `the admin page shows the screen's link (${link.replace(/#.*/, "#…")})`);
  check(await admin.$("#screen-qr svg path") !== null, "and its QR code");
  await admin.screenshot({ path: `${shots}/admin-screen-link.png`, fullPage: true });
  const screenContext = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: "zh-CN", ignoreHTTPSErrors: true });
  // another site's page posting the (valid) token: refused, so no page elsewhere can sign a browser in as the screen
  const crossSite = await screenContext.request.post(`${base}/screen/login`, { headers: { "Sec-Fetch-Site": "cross-site" },
    form: { token: link.split("#")[1] } });
  check(crossSite.status() === 403, `a sign-in posted from another site is refused (${crossSite.status()})`);
  const screen = await screenContext.newPage();
  await screen.goto(link);
  await screen.waitForURL(/\/security\.html$/, { timeout: 15000 });
  check(!screen.url().includes("#"), `the screen is on the security page, no token in its address (${screen.url()})`);
  await screen.waitForSelector('#feed-status[data-state="live"]', { timeout: 15000 });
  check(await screen.evaluate(() => document.documentElement.classList.contains("wall")), "the screen shows the security page in wall-screen mode");
  check(await screen.isHidden("#drill-panel") && await screen.isHidden("#change-password"), "with nothing to press");
  const tried = await screen.evaluate(async () => {
    const me = await (await fetch("/api/me")).json();
    const r = await fetch("/api/drill/start", { method: "POST", headers: { "X-CSRF-Token": me.csrf },
      body: new URLSearchParams({ device: "cam-fence-north-1", minutes: "3" }) });
    return `${me.role} ${r.status}`;
  });
  check(tried === "wall_screen 403", `the screen's login cannot change anything (${tried})`);
  const stranger = await browser.newContext({ ignoreHTTPSErrors: true });
  const forgedPage = await stranger.newPage();
  await forgedPage.goto(link.replace(/#.*/, "#" + "A".repeat(43)));
  await forgedPage.waitForFunction(() => document.getElementById("screen-status").classList.contains("error"), null, { timeout: 10000 });
  check(forgedPage.url().endsWith("/screen"), `a made-up screen link is refused (${await forgedPage.textContent("#screen-status")})`);
  await stranger.close();

  // 3. the gateway restarts under the page
  writeFileSync(`${signals}/restart`, "now");
  await wall.waitForSelector('#feed-status[data-state="reconnecting"]', { timeout: 30000 });
  const away = await wall.textContent("#feed-status");
  check(away.includes("正在重连") && /更新于 \d+ s/.test(away), `while the gateway is away the page says so, with the list's age (${away})`);
  check(await wall.evaluate(() => document.getElementById("alarm-section").classList.contains("stale")), "the list is marked stale meanwhile");
  await wall.screenshot({ path: `${shots}/security-reconnecting.png`, fullPage: true });
  for (let i = 0; i < 900 && !existsSync(`${signals}/restarted`); i++) {
    await wall.waitForTimeout(100);
  }
  check(existsSync(`${signals}/restarted`), "the gateway was restarted");
  await wall.waitForSelector("#session-banner:not([hidden])", { timeout: 30000 });
  check(await feedState(wall) === "signed-out", "back, the page says the session did not survive the restart");
  await Promise.all([wall.waitForNavigation(), wall.click("#login-again")]);
  await wall.fill("#user", "guard-zhao");
  await wall.fill("#password", "day-shift-2026-b");
  await Promise.all([wall.waitForNavigation(), wall.click("#submit")]);
  await wall.waitForSelector('#feed-status[data-state="live"]', { timeout: 15000 });
  check(await wall.isHidden("#session-banner"), "logged in after the restart: live again");
  // 5b. the wall screen came back by itself: its login outlives the gateway's sessions
  await screen.waitForSelector('#feed-status[data-state="live"]', { timeout: 30000 });
  check(await screen.isHidden("#session-banner"), "the wall screen is live again after the restart, no password asked");
  await screen.screenshot({ path: `${shots}/wall-screen.png` });
  await wall.screenshot({ path: `${shots}/security-live.png`, fullPage: true });

  // 4. a drill, started on the page: the amber banner, the drill's alarm badged; a camera no rule acts on is refused
  await wall.click("#drill-panel summary");
  await wall.selectOption("#drill-camera", "cam-teach-1f-hall");
  await wall.fill("#drill-minutes", "3");
  await wall.click("#drill-form button[type=submit]");
  await wall.waitForFunction(() => document.getElementById("drill-result").textContent.includes("400"), null, { timeout: 10000 });
  check(await wall.isHidden("#drill-banner"), `a corridor camera is refused with a reason (${await wall.textContent("#drill-result")})`);
  await wall.selectOption("#drill-camera", "cam-fence-north-1");
  await wall.fill("#drill-name", "夜间入侵演练");
  await wall.click("#drill-form button[type=submit]");
  await wall.waitForSelector("#drill-banner:not([hidden])", { timeout: 10000 });
  check((await wall.textContent("#drill-text")).includes("夜间入侵演练"), `the drill banner (${await wall.textContent("#drill-text")})`);
  await wall.waitForSelector("#alarms tr.drill .drill-badge", { timeout: 15000 });
  check((await wall.textContent("#alarms tr.drill")).includes("演练"), "the drill's alarm is on the list, badged 演练");
  // its delivery ledger, one click away: the drill's camera event, the raise
  await wall.click("#alarms tr.drill a.ledger-link");
  await wall.waitForSelector('#ledger tbody tr[data-hop="raised"]', { timeout: 10000 });
  const ledger = await wall.$$eval("#ledger tbody tr", (rows) => rows.map((r) => r.dataset.hop));
  check(ledger.includes("occurred") && ledger.includes("stored") && ledger.indexOf("occurred") < ledger.indexOf("raised"),
    `the alarm's ledger opens from the list (${ledger.join(", ")})`);
  await wall.screenshot({ path: `${shots}/security-drill.png`, fullPage: true });
  wall.once("dialog", (d) => d.accept());
  await wall.click("#drill-stop");
  await wall.waitForSelector("#drill-banner", { state: "hidden", timeout: 10000 });
  await wall.waitForFunction(() => !document.querySelector("#alarms tr.drill"), null, { timeout: 15000 });
  check(true, "ended on the page: the banner is gone and so is the drill's alarm");

  // 5c. the admin (logged in again: the restart ended every person's session) revokes the screen: it is signed out
  // within seconds, and says why
  await login(admin, "admin", process.env.ADMIN_PASSWORD);
  await admin.goto(`${base}/admin.html`);
  await admin.waitForSelector('[data-revoke-screen="office-wall"]', { timeout: 10000 });
  admin.once("dialog", (d) => d.accept());
  const revokedAt = Date.now();
  await admin.click('[data-revoke-screen="office-wall"]');
  await screen.waitForSelector("#session-banner:not([hidden])", { timeout: 30000 });
  const said = await screen.textContent("#session-banner");
  check(said.includes("吊销"), `the screen shows it was revoked after ${((Date.now() - revokedAt) / 1000).toFixed(1)} s (${said.trim()})`);
  const after = await screen.evaluate(async () => (await fetch("/api/alarms")).status);
  check(after === 401, `and its cookie no longer opens anything (${after})`);
} finally {
  await browser.close();
}
console.log("ALL PASSED");
