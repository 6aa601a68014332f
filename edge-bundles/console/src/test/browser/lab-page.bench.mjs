// The teacher's lab page under load, in Debian's headless Chromium: one lab of 8 benches x 7 quantities
// posting a reading each a second (the simulated school, run by LabPageBenchmark), the charts showing the
// last 45 minutes. The page's series are filled with 45 minutes of readings first (what a lesson leaves),
// through the page's own add(), then the page runs live for SECONDS while every render() is timed, and
// Chromium's long tasks (over 50 ms) and slow frames (over 100 ms between two) are counted.
// Run with CPU throttling 1 (this machine) and THROTTLE (a school laptop, by Chromium's CPU emulation).
// Environment: CONSOLE_URL, ADMIN_PASSWORD, LAB_ROOM, SECONDS, THROTTLE. Prints one JSON line per run.
import { chromium } from "playwright-core";

const base = process.env.CONSOLE_URL;
const seconds = Number(process.env.SECONDS || 60);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"] });
try {
  for (const throttle of [1, Number(process.env.THROTTLE || 4)]) {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "zh-CN", ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill("#user", "admin");
    await page.fill("#password", process.env.ADMIN_PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click("#submit")]);
    await page.goto(`${base}/lab.html?room=${encodeURIComponent(process.env.LAB_ROOM)}&window=45`);
    await page.waitForFunction(() => document.querySelectorAll(".chart-panel").length >= 7, null, { timeout: 60000 });
    const filled = await page.evaluate(() => {
      // 45 minutes at one reading a second, before the oldest reading the page has, for every bench and quantity
      let n = 0;
      for (const [point, q] of live) {
        for (const b of view.benches) {
          const s = q.devices.get(b.id) || [];
          const first = s.length ? s[0][0] : Date.now();
          const v = s.length ? s[0][1] / q.unit.scale : 20;
          for (let t = first - 45 * 60 * 1000; t < first; t += 1000) {
            add(live, point, Object.keys(UNITS).find((k) => UNITS[k] === q.unit) || "", b.id, t, v + Math.sin(t / 60000));
            n++;
          }
        }
      }
      return { points: n, series: [...live.values()].reduce((a, q) => a + q.devices.size, 0) };
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: throttle });
    await page.evaluate(() => {
      window.__renders = [];
      window.__long = [];
      window.__frames = [];
      window.__thin = 0;
      window.__set = 0;
      const original = render;
      window.render = (...a) => { const t0 = performance.now(); original(...a); window.__renders.push(performance.now() - t0); };
      const thin = forScreen;
      window.forScreen = (...a) => { const t0 = performance.now(); const r = thin(...a); window.__thin += performance.now() - t0; return r; };
      for (const [, p] of panels) {
        const set = p.chart.setOption.bind(p.chart);
        p.chart.setOption = (...a) => { const t0 = performance.now(); set(...a); window.__set += performance.now() - t0; };
      }
      new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__long.push(e.duration))).observe({ type: "longtask" });
      let last = performance.now();
      const frame = (t) => { window.__frames.push(t - last); last = t; requestAnimationFrame(frame); };
      requestAnimationFrame(frame);
    });
    await page.waitForTimeout(seconds * 1000);
    const r = await page.evaluate(() => ({ renders: window.__renders, long: window.__long, frames: window.__frames,
      thinMs: window.__thin, setOptionMs: window.__set,
      shown: echarts.getInstanceByDom(document.querySelector('.chart-panel[data-point="temperature"] .chart')).getOption().series
        .reduce((a, s) => a + s.data.length, 0) }));
    const sorted = (a) => [...a].sort((x, y) => x - y);
    const q = (a, p) => (a.length ? sorted(a)[Math.min(a.length - 1, Math.floor(p * a.length))] : null);
    console.log(JSON.stringify({ throttle, seconds, filled, renders: r.renders.length, renderMedianMs: q(r.renders, 0.5),
      renderP95Ms: q(r.renders, 0.95), renderMaxMs: q(r.renders, 1), longTasks: r.long.length, longTaskMaxMs: q(r.long, 1),
      slowFrames: r.frames.filter((f) => f > 100).length, frames: r.frames.length, temperaturePointsShown: r.shown,
      thinMsPerRedraw: r.thinMs / Math.max(1, r.renders.length), setOptionMsPerRedraw: r.setOptionMs / Math.max(1, r.renders.length) }));
    await context.close();
  }
} finally {
  await browser.close();
}
