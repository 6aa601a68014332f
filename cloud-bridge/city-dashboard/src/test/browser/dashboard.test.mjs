// Browser test of the city dashboard in Debian's headless Chromium (playwright-core drives it; no
// browser is downloaded). Run by CityDashboardBrowserIT with a school, its gateway, the Hono sandbox
// and the dashboard running; prints one line per check, exits non-zero on the first failure, and
// leaves a screenshot of every view in $SCREENSHOTS.
// Environment: CITY_URL, ADMIN_PASSWORD, SCHOOL (the running school's id), SCREENSHOTS.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const base = process.env.CITY_URL;
const school = process.env.SCHOOL;
const shots = process.env.SCREENSHOTS;
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

try {
  // the dashboard's certificate is self-signed, made at its first start: accepted here as the bureau's admin does after
  // comparing its fingerprint; what the browser got is checked (TLS, subject, a Secure cookie)
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: "zh-CN", ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const first = await page.goto(base);
  const tls = await first.securityDetails();
  check(base.startsWith("https://") && tls && /TLS 1\.[23]/.test(tls.protocol) && tls.subjectName.startsWith("Campus Edge city dashboard"),
    `the dashboard is served over HTTPS (${tls && tls.protocol}, certificate "${tls && tls.subjectName}")`);
  await page.waitForSelector("#login-form", { state: "visible", timeout: 10000 });

  await page.fill("#login-user", "admin");
  await page.fill("#login-password", "wrong-password");
  await page.click("#login-form button[type=submit]");
  await page.waitForFunction(() => document.querySelector("#login-error").textContent.trim() !== "", null, { timeout: 10000 });
  check(await page.locator("#app").isHidden(), "a wrong password is refused");

  await page.fill("#login-password", process.env.ADMIN_PASSWORD);
  await page.click("#login-form button[type=submit]");
  await page.waitForSelector("#app", { state: "visible", timeout: 10000 });
  check(true, "the bureau's admin logs in");
  const cookie = (await context.cookies()).find(c => c.name === "city_session");
  check(cookie && cookie.secure && cookie.httpOnly && cookie.sameSite === "Strict", "the session cookie is Secure, HttpOnly and SameSite=Strict");
  await page.waitForSelector("#hono-state[data-state=up]", { timeout: 15000 });
  check(true, "the dashboard shows its link to Hono up");

  // energy: the school is listed with its district (from the summaries the gateway sent)
  await page.waitForSelector(`#energy-table tbody tr:has-text("${school}")`, { timeout: 20000 });
  check(true, "energy: the school is in the per-school table");
  check((await page.locator("#energy-trend svg").count()) > 0, "energy: the trend chart is drawn");
  await page.screenshot({ path: `${shots}/city-energy.png`, fullPage: true });

  // safety: the school's open CRITICAL alarm, with its age
  await page.click("#tabs button[data-view=safety]");
  await page.waitForSelector(`#alarms-table tbody tr:has-text("perimeter-intrusion-night")`, { timeout: 20000 });
  check(true, "safety: the open CRITICAL night-intrusion alarm is listed");
  check((await page.locator(`#alarms-table tbody tr:has-text("perimeter-intrusion-night")`).innerText()).includes("camera.intrusion"),
    "safety: with the kind of event that raised it");
  await page.screenshot({ path: `${shots}/city-safety.png`, fullPage: true });

  // device health across schools
  await page.click("#tabs button[data-view=health]");
  await page.waitForSelector(`#health-table tbody tr:has-text("camera")`, { timeout: 20000 });
  check(true, "health: cameras online/offline per school");
  await page.screenshot({ path: `${shots}/city-health.png`, fullPage: true });

  // quiet gateways: the view renders (the running school is not quiet)
  await page.click("#tabs button[data-view=quiet]");
  await page.waitForSelector("#quiet-schools", { state: "visible", timeout: 5000 });
  check((await page.locator(`#quiet-schools tbody tr:has-text("${school}")`).count()) === 0, "quiet: the live school is not listed as quiet");

  // English, then the emergency broadcast to every school, and each school's answer
  await page.selectOption("#lang", "en");
  await page.click("#tabs button[data-view=broadcast]");
  await page.waitForFunction(() => /Send/i.test(document.querySelector("#broadcast-send").textContent), null, { timeout: 5000 });
  check(true, "the English switch translates the page");
  check((await page.textContent("#who")).trim() === "admin (admin)", `the role follows the language (${await page.textContent("#who")})`);
  await page.fill("#broadcast-text", "市教育局紧急通知：请全体师生立即到操场集合");
  await page.check("#scope-all");
  await page.click("#broadcast-send");
  await page.waitForSelector(`#broadcast-results tr[data-school="${school}"][data-ok="true"]`, { timeout: 60000 });
  check(true, "broadcast: the school answered 200 and the answer is shown");
  await page.screenshot({ path: `${shots}/city-broadcast.png`, fullPage: true });
  console.log("ALL PASSED");
} catch (e) {
  console.log(`FAIL ${e.message}`);
  process.exit(1);
} finally {
  await browser.close();
}
