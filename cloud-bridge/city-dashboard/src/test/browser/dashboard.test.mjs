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
  // every refusal by the Content-Security-Policy is collected: a page that needs one (an inline style, an inline script) fails
  await context.addInitScript(() => document.addEventListener("securitypolicyviolation",
    (e) => (window.__csp ||= []).push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`)));
  const page = await context.newPage();
  const cspClean = async (what) => {
    const refused = await page.evaluate(() => window.__csp || []);
    check(refused.length === 0, `${what}: nothing refused by the Content-Security-Policy ${JSON.stringify(refused)}`);
  };
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
  // the charts are ECharts (served by the dashboard itself, no internet): read what each one draws
  const drawn = (id) => page.evaluate((id) => {
    const chart = echarts.getInstanceByDom(document.getElementById(id));
    return chart ? chart.getOption().series.map((s) => s.data.reduce((a, v) => a + (Number(v) || 0), 0)) : null;
  }, id);
  // (this school has no meters: its summaries carry 0 kWh, so the chart's bars are there and flat)
  await page.waitForFunction(() => { const c = echarts.getInstanceByDom(document.getElementById("energy-trend"));
    return c && c.getOption().series[0].data.length > 0; }, null, { timeout: 20000 });
  const hours = await page.evaluate(() => echarts.getInstanceByDom(document.getElementById("energy-trend")).getOption().xAxis[0].data);
  check(hours.length === 24 && hours.every((h) => /^\d\d:00$/.test(h)), `energy: the trend chart has a bar per hour of the last 24 (${hours[0]} … ${hours[23]})`);
  const districts = await page.evaluate(() => echarts.getInstanceByDom(document.getElementById("district-trend")).getOption().series.map((x) => x.name));
  check(districts.includes("江城区"), `energy: a trend line per district (${districts})`);
  const quietSchool = process.env.QUIET_SCHOOL;
  await page.waitForFunction((q) => echarts.getInstanceByDom(document.getElementById("per-student-chart")).getOption().yAxis[0].data
    .some((n) => n.includes(q)), quietSchool, { timeout: 20000 });
  const ranked = await page.evaluate(() => echarts.getInstanceByDom(document.getElementById("per-student-chart")).getOption().yAxis[0].data);
  const at = (id) => ranked.findIndex((n) => n.includes(id));
  // the chart's category axis runs bottom-up: the most per student is the last entry, drawn at the top
  check(at(school) >= 0 && at(quietSchool) > at(school),
    `energy: the schools ranked by kWh per student, 0.5 kWh (${quietSchool}) above 0 (${school}): ${ranked}`);
  await cspClean("energy");
  await page.screenshot({ path: `${shots}/city-energy.png`, fullPage: true });

  // safety: the school's open CRITICAL alarm, with its age
  await page.click("#tabs button[data-view=safety]");
  await page.waitForSelector(`#alarms-table tbody tr:has-text("perimeter-intrusion-night")`, { timeout: 20000 });
  check(true, "safety: the open CRITICAL night-intrusion alarm is listed");
  check((await page.locator(`#alarms-table tbody tr:has-text("perimeter-intrusion-night")`).innerText()).includes("camera.intrusion"),
    "safety: with the kind of event that raised it");
  // the chart counts from the summaries (every 2 s here), the list from the alarm itself: the page refreshes every 15 s
  await page.waitForFunction(() => { const c = echarts.getInstanceByDom(document.getElementById("alarms-chart"));
    return c && c.getOption().series.length === 2 && c.getOption().series[1].data.some((v) => v > 0); }, null, { timeout: 40000 })
    .catch(() => {});
  const perHour = await drawn("alarms-chart");
  check(perHour && perHour.length === 2 && perHour[1] >= 1, `safety: the alarms-per-hour chart has the critical alarm (not critical, critical: ${perHour})`);
  const heat = await page.evaluate(() => { const o = echarts.getInstanceByDom(document.getElementById("alarms-heatmap")).getOption();
    return { schools: o.yAxis[0].data, hours: o.xAxis[0].data.length, cells: o.series[0].data }; });
  check(heat.hours === 24 && heat.schools.includes(school) && heat.cells.some((c) => c[1] === heat.schools.indexOf(school) && c[2] >= 1),
    `safety: the heatmap of alarms by school and hour has this school's (${JSON.stringify(heat.cells)})`);
  await cspClean("safety");
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
  await page.waitForSelector(`#quiet-schools tbody tr[data-school="${quietSchool}"][data-reason="quiet"]`, { timeout: 5000 });
  const silent = await page.locator(`#quiet-schools tbody tr[data-school="${quietSchool}"]`).innerText();
  check(/2\s*(小时|h)/.test(silent), `quiet: the school silent for two hours is listed with how long (${silent.replace(/\s+/g, " ")})`);
  await page.screenshot({ path: `${shots}/city-quiet.png`, fullPage: true });
  // a bureau officer's phone: the page fits its width
  await page.setViewportSize({ width: 390, height: 844 });
  await page.click("#tabs button[data-view=safety]");
  await page.waitForSelector(`#alarms-table tbody tr:has-text("perimeter-intrusion-night")`, { timeout: 20000 });
  const phoneFit = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }));
  check(phoneFit.page <= phoneFit.screen, `on a phone the dashboard fits the screen: ${JSON.stringify(phoneFit)}`);
  await page.screenshot({ path: `${shots}/city-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1400, height: 900 });

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
  const standing = await page.getAttribute(`#broadcast-results tr[data-school="${school}"]`, "data-status");
  check(standing === "confirmed", `the school's row says it confirmed the broadcast (${standing})`);
  const summary = await page.textContent("#broadcast-summary");
  check(/1 confirmed/.test(summary) && /stands until/.test(summary), `the summary counts the schools and says until when it stands: ${summary}`);
  await page.screenshot({ path: `${shots}/city-broadcast.png`, fullPage: true });
  await cspClean("every view");
  console.log("ALL PASSED");
} catch (e) {
  console.log(`FAIL ${e.message}`);
  process.exit(1);
} finally {
  await browser.close();
}
