// Charts of the console (Apache ECharts, served by the gateway at /vendor/): units as people read
// them, the quantities' names, one colour per bench, and the look (dark console, or light and large
// on a projector). Loaded by the pages that chart, after /app.js and ECharts.

// SenML units as a teacher reads them: what to print, how to scale and how many decimals.
const UNITS = {
  Cel: { unit: "°C", scale: 1, digits: 1 },
  Pa: { unit: "kPa", scale: 1 / 1000, digits: 1 },
  "%RH": { unit: "%", scale: 1, digits: 0 },
  ppm: { unit: "ppm", scale: 1, digits: 0 },
  pH: { unit: "", scale: 1, digits: 2 },
  "%": { unit: "%", scale: 1, digits: 1 },
  lx: { unit: "lx", scale: 1, digits: 0 },
  W: { unit: "W", scale: 1, digits: 0 },
  kW: { unit: "kW", scale: 1, digits: 1 },
  kWh: { unit: "kWh", scale: 1, digits: 1 },
};
function unitOf(senml) {
  return UNITS[senml] || { unit: senml || "", scale: 1, digits: 2 };
}
function formatValue(v, u) {
  return v === undefined || v === null || Number.isNaN(v) ? "–" : `${Number(v).toFixed(u.digits)}${u.unit ? " " + u.unit : ""}`;
}

const QUANTITIES = {
  temperature: { "zh-CN": "温度", en: "Temperature" }, humidity: { "zh-CN": "相对湿度", en: "Relative humidity" },
  co2: { "zh-CN": "二氧化碳", en: "CO₂" }, ph: { "zh-CN": "pH 值", en: "pH", min: 0, max: 14 }, o2: { "zh-CN": "氧气", en: "O₂" },
  light: { "zh-CN": "光照度", en: "Light" }, pressure: { "zh-CN": "气压", en: "Pressure" },
};
// a quantity with a scale of its own (pH 0-14) is drawn on it; the others around their readings
function axisRange(point) {
  const q = QUANTITIES[point];
  return q && q.min !== undefined ? { min: q.min, max: q.max, scale: false } : { scale: true };
}
function quantityName(point) {
  const q = QUANTITIES[point];
  return q ? (q[lang] || q["zh-CN"]) : point;
}

// eight benches told apart on a projector and by the colour-blind (Okabe-Ito, then two more)
const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#7F7F7F"];

function chartLook() {
  const projector = document.documentElement.classList.contains("projector");
  return projector
    ? { text: "#000000", muted: "#222222", line: "#999999", font: 22, width: 3 }
    : { text: "#e6edf3", muted: "#8b9bab", line: "#263341", font: 12, width: 1.5 };
}

// A chart in an element; resized with the window. Tooltips are drawn on the canvas (richText): the
// console's Content-Security-Policy refuses the inline styles of ECharts' HTML tooltips.
function makeChart(el) {
  const chart = echarts.init(el, null, { renderer: "canvas" });
  new ResizeObserver(() => chart.resize()).observe(el);
  return chart;
}

function axisStyle(look) {
  return { axisLabel: { color: look.muted, fontSize: look.font, hideOverlap: true }, axisLine: { lineStyle: { color: look.line } },
    splitLine: { lineStyle: { color: look.line } }, nameTextStyle: { color: look.muted, fontSize: look.font } };
}
