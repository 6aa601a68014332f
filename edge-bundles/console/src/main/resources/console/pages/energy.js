// The energy page (console/energy.html): today's kWh per building and the power drawn now, as a
// chart and as tables; refreshed every ten seconds.
header("energy");
translate();
const chart = makeChart(document.getElementById("chart"));
const hoursChart = makeChart(document.getElementById("hours-chart"));
const drawChart = makeChart(document.getElementById("draw-chart"));
let hours = null;

// Today by hour against yesterday and the same weekday last week, for the whole school or one building.
function drawHours() {
  if (!hours) return;
  const look = chartLook();
  const building = document.getElementById("hours-building").value;
  const sum = (day) => {
    const byBuilding = hours[day] || {};
    const picked = building ? [byBuilding[building] || []] : Object.values(byBuilding);
    return Array.from({ length: 24 }, (_, h) => {
      const v = picked.map((a) => a[h]).filter((x) => x !== null && x !== undefined);
      return v.length ? Math.round(v.reduce((a, b) => a + b, 0) * 10) / 10 : null;
    });
  };
  const kwh = { unit: "kWh", digits: 1 };
  document.getElementById("hours-chart").setAttribute("aria-label", t("energyByHour"));
  hoursChart.setOption({
    animation: false,
    grid: { left: 60, right: 20, top: 40, bottom: 30 },
    legend: { top: 0, textStyle: { color: look.text } },
    tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: (v) => formatValue(v, kwh) },
    xAxis: { type: "category", data: Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, "0")}:00`), ...axisStyle(look) },
    yAxis: { type: "value", name: "kWh", ...axisStyle(look) },
    series: [
      { name: `${t("today")} ${hours.dates.today}`, type: "bar", data: sum("today"), itemStyle: { color: "#3b82f6" }, barMaxWidth: 28 },
      { name: `${t("yesterday")} ${hours.dates.yesterday}`, type: "line", data: sum("yesterday"), showSymbol: false,
        lineStyle: { color: "#8b9bab", width: 2 }, itemStyle: { color: "#8b9bab" } },
      { name: `${t("lastWeekSameDay")} ${hours.dates.lastWeek}`, type: "line", data: sum("lastWeek"), showSymbol: false,
        lineStyle: { color: "#f5a524", width: 2, type: "dashed" }, itemStyle: { color: "#f5a524" } },
    ],
  }, { replaceMerge: ["series"] });
}
document.getElementById("hours-building").addEventListener("change", drawHours);

// Each meter's draw now, against the power limit of the rules that watch it (e.g. 60 kW outside school hours).
function drawMeters(meters, limits) {
  const look = chartLook();
  const limit = limits.length ? limits[0] : null;
  const kw = { unit: "kW", digits: 1 };
  const rows = meters.filter((m) => m.kwNow !== undefined).sort((a, b) => a.kwNow - b.kwNow);
  document.getElementById("limit-help").textContent = limit
    ? t("limitHelp").replace("{kw}", limit.above).replace("{rule}", limit.rule).replace("{when}", t("when_" + limit.when) || limit.when) : "";
  document.getElementById("draw-chart").setAttribute("aria-label", t("drawPerMeter"));
  drawChart.setOption({
    animation: false,
    grid: { left: 150, right: 60, top: 10, bottom: 30 },
    tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: (v) => formatValue(v, kw) },
    xAxis: { type: "value", name: "kW", ...axisStyle(look) },
    yAxis: { type: "category", data: rows.map((m) => m.meter), ...axisStyle(look) },
    series: [{ name: t("drawNow"), type: "bar", barMaxWidth: 16,
      data: rows.map((m) => ({ value: m.kwNow, itemStyle: { color: limit && m.kwNow > limit.above ? "#e5484d" : "#22c55e" } })),
      label: { show: true, position: "right", color: look.text, formatter: (p) => formatValue(p.value, kw) },
      markLine: limit ? { symbol: "none", silent: true, lineStyle: { color: "#e5484d", type: "dashed", width: 2 },
        label: { formatter: `${limit.above} kW`, color: "#e5484d" }, data: [{ xAxis: limit.above }] } : undefined }],
  }, { replaceMerge: ["series"] });
}
function draw(buildings) {
  const look = chartLook();
  const names = Object.keys(buildings);
  const kwh = { unit: "kWh", digits: 1 }, kw = { unit: "kW", digits: 1 };
  document.getElementById("chart").setAttribute("aria-label", t("energyToday"));
  chart.setOption({
    animation: false,
    grid: { left: 70, right: 70, top: 40, bottom: 60 },
    legend: { top: 0, textStyle: { color: look.text } },
    tooltip: { trigger: "axis", renderMode: "richText" },
    xAxis: { type: "category", data: names, ...axisStyle(look),
      axisLabel: { color: look.muted, interval: 0, width: 140, overflow: "break" } },
    yAxis: [{ type: "value", name: "kWh", ...axisStyle(look) }, { type: "value", name: "kW", ...axisStyle(look), splitLine: { show: false } }],
    series: [
      { name: `${t("energyToday")} (kWh)`, type: "bar", barMaxWidth: 48, itemStyle: { color: "#3b82f6" },
        label: { show: true, position: "top", color: look.text, formatter: (p) => formatValue(p.value, kwh) },
        data: names.map((b) => buildings[b].kwhToday) },
      { name: `${t("drawNow")} (kW)`, type: "bar", yAxisIndex: 1, barMaxWidth: 48, itemStyle: { color: "#f5a524" },
        label: { show: true, position: "top", color: look.text, formatter: (p) => formatValue(p.value, kw) },
        data: names.map((b) => buildings[b].kwNow) },
    ],
  });
}
async function load() {
  const [e, h] = await Promise.all([(await fetch("/api/energy")).json(), (await fetch("/api/energy/hours")).json()]);
  hours = h;
  const select = document.getElementById("hours-building");
  const buildings = Object.keys(h.today);
  if (select.options.length !== buildings.length + 1) {
    const chosen = select.value;
    select.innerHTML = `<option value="">${esc(t("wholeSchool"))}</option>`
      + buildings.map((b) => `<option value="${esc(b)}">${esc(oneLanguage(b))}</option>`).join("");
    select.value = chosen;
  }
  drawHours();
  drawMeters(e.meters, h.limits);
  draw(e.buildings);
  const none = `<tr><td colspan="5" class="muted">${t("none")}</td></tr>`;
  document.querySelector("#buildings tbody").innerHTML = Object.entries(e.buildings).map(([b, v]) =>
    `<tr><td>${esc(b)}</td><td>${v.kwhToday.toFixed(1)}</td><td class="value">${v.kwNow.toFixed(1)}</td></tr>`).join("") || none;
  document.querySelector("#meters tbody").innerHTML = e.meters.map((m) => `<tr><td>${esc(m.meter)}</td><td>${esc(m.building)}</td>
    <td>${m.kwhToday ?? "–"}</td><td>${m.kwNow ?? "–"}</td><td>${m.lastAt ? timeOf(m.lastAt) : "–"}</td></tr>`).join("") || none;
}
whoAmI().then(() => { load(); setInterval(load, 10000); });
