// The energy page (console/energy.html): today's kWh per building and the power drawn now, as a
// chart and as tables; refreshed every ten seconds.
header("energy");
translate();
const chart = makeChart(document.getElementById("chart"));
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
  const e = await (await fetch("/api/energy")).json();
  draw(e.buildings);
  const none = `<tr><td colspan="5" class="muted">${t("none")}</td></tr>`;
  document.querySelector("#buildings tbody").innerHTML = Object.entries(e.buildings).map(([b, v]) =>
    `<tr><td>${esc(b)}</td><td>${v.kwhToday.toFixed(1)}</td><td class="value">${v.kwNow.toFixed(1)}</td></tr>`).join("") || none;
  document.querySelector("#meters tbody").innerHTML = e.meters.map((m) => `<tr><td>${esc(m.meter)}</td><td>${esc(m.building)}</td>
    <td>${m.kwhToday ?? "–"}</td><td>${m.kwNow ?? "–"}</td><td>${m.lastAt ? timeOf(m.lastAt) : "–"}</td></tr>`).join("") || none;
}
whoAmI().then(() => { load(); setInterval(load, 10000); });
