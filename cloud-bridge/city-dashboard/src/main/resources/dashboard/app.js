// Campus Edge city dashboard. Every visible string comes from I18N; data come from /api/...; charts are Apache ECharts (served by the dashboard itself).
'use strict';

const I18N = {
  'zh-CN': {
    title: '城市教育局 · 校园物联网看板', login: '登录', user: '用户名', password: '密码', signIn: '登录', logout: '退出',
    loginFailed: '用户名或密码错误', energy: '能耗', safety: '安全', health: '设备状态', quiet: '静默网关', broadcast: '广播',
    todayTotal: '今日总用电', last24h: '最近 24 小时', last7d: '最近 7 天', districts: '各区', perSchool: '各校（按今日用电排序）',
    perStudentRanked: '人均用电最多的学校（今日，kWh/人）', heatmap: '各校每小时新告警（24 小时，告警最多的 20 所学校）',
    district: '区', schools: '学校数', todayKwh: '今日 kWh', peakKw: '峰值 kW', enrolment: '学生数', kwhPerStudent: '人均 kWh',
    school: '学校', openCritical: '未解除的严重告警', rule: '规则', kind: '类型', device: '设备', building: '楼宇', state: '状态',
    age: '持续时间', raisedPerHour: '每小时新告警（24 小时）', family: '设备类别', online: '在线', offline: '离线',
    quietHelp: '超过设定时间没有消息或已断开的学校网关。', gateway: '网关', lastSeen: '最后消息', reason: '原因',
    reason_quiet: '长时间无消息', reason_disconnected: '已断开', never: '从未', text: '内容', zones: '区域', priority: '优先级',
    'role-viewer': '查看员', 'role-operator': '值班员', 'role-admin': '管理员', viewerCannotSend: '查看员不能发送广播',
    cityWide: '全市', chosen: '指定学校', send: '发送', status: '状态', code: '代码', response: '回复',
    st_pending: '等待中', st_answered: '已回复', st_timeout: '超时', st_failed: '失败', honoUp: 'Hono 已连接',
    st_confirmed: '已确认', st_refused: '已拒绝', st_expired: '未送达（已过期）', validFor: '有效期（分钟）', attempts: '发送次数',
    broadcastSummary: '已确认 {confirmed} · 等待中 {pending} · 已拒绝 {refused} · 未送达 {expired}；有效至 {until}',
    honoDown: 'Hono 未连接', none: '无', ago: '{d}前', min: '分钟', h: '小时', d: '天', s: '秒', chooseSchools: '请选择学校',
    raised: '新告警', critical: '严重', otherAlarms: '非严重', totals: '合计', noSchools: '尚无学校', sent: '已发送至 {n} 所学校',
    state_raised: '已触发', state_acknowledged: '已确认', state_escalated: '已升级',
    ledger: '投递台账', hops_occurred: '发生', hops_received: '网关收到', hops_stored: '存储', hops_raised: '触发',
    hops_queued: '排队', hops_city: '城市存储',
    drillsOpen: '演练中的告警（不计入统计）', districtDrill: '全区演练', startDrill: '在所有学校开始演练', drill: '演练',
    notADrill: '非演练', drillStarted: '{n} 所学校已开始演练，{f} 所未能开始'
  },
  en: {
    title: 'City Education Bureau · Campus IoT Dashboard', login: 'Log in', user: 'User', password: 'Password', signIn: 'Log in',
    logout: 'Log out', loginFailed: 'Wrong user or password', energy: 'Energy', safety: 'Safety', health: 'Device health',
    quiet: 'Quiet gateways', broadcast: 'Broadcast', todayTotal: "Today's total", last24h: 'Last 24 h', last7d: 'Last 7 days',
    districts: 'Districts', perSchool: "Schools (by today's use)",
    perStudentRanked: 'Schools using the most per student (today, kWh per student)',
    heatmap: 'Alarms raised per school and hour (24 h, the 20 schools with the most)', district: 'District', schools: 'Schools', todayKwh: 'Today kWh',
    peakKw: 'Peak kW', enrolment: 'Students', kwhPerStudent: 'kWh per student', school: 'School',
    openCritical: 'Open critical alarms', rule: 'Rule', kind: 'Kind', device: 'Device', building: 'Building', state: 'State',
    age: 'Age', raisedPerHour: 'Alarms raised per hour (24 h)', family: 'Family', online: 'Online', offline: 'Offline',
    quietHelp: 'School gateways silent for longer than the limit, or disconnected.', gateway: 'Gateway', lastSeen: 'Last message',
    reason: 'Reason', reason_quiet: 'silent', reason_disconnected: 'disconnected', never: 'never', text: 'Text', zones: 'Zones',
    'role-viewer': 'viewer', 'role-operator': 'operator', 'role-admin': 'admin', viewerCannotSend: 'a viewer cannot send broadcasts',
    priority: 'Priority', cityWide: 'City-wide', chosen: 'Chosen schools', send: 'Send', status: 'Status', code: 'Code',
    response: 'Response', st_pending: 'pending', st_answered: 'answered', st_timeout: 'timed out', st_failed: 'failed',
    st_confirmed: 'confirmed', st_refused: 'refused', st_expired: 'never got it (expired)', validFor: 'Valid for (minutes)',
    attempts: 'Tries', broadcastSummary: '{confirmed} confirmed · {pending} pending · {refused} refused · {expired} never got it; stands until {until}',
    honoUp: 'Hono connected', honoDown: 'Hono not connected', none: 'none', ago: '{d} ago', min: 'min', h: 'h', d: 'd', s: 's',
    chooseSchools: 'Choose at least one school', raised: 'raised', critical: 'critical', otherAlarms: 'not critical', totals: 'Totals',
    noSchools: 'no schools yet', sent: 'sent to {n} schools', state_raised: 'raised', state_acknowledged: 'acknowledged',
    state_escalated: 'escalated', ledger: 'Ledger', hops_occurred: 'occurred', hops_received: 'received', hops_stored: 'stored',
    hops_raised: 'raised', hops_queued: 'queued', hops_city: 'stored at the city', drillsOpen: 'Alarms of drills in progress (not counted)', districtDrill: 'District drill',
    startDrill: 'Start a drill in every school', drill: 'DRILL', notADrill: 'NOT A DRILL',
    drillStarted: 'drill started in {n} schools, {f} could not start one'
  }
};

let lang = localStorage.getItem('city-lang') || 'zh-CN';
let csrf = null;
let view = 'energy';
let pollTimer = null;
let signedIn = null; // {user, role} once logged in
let lastData = {};

function t(key, vars) {
  let s = (I18N[lang] && I18N[lang][key]) || I18N['zh-CN'][key] || key;
  if (vars) { Object.keys(vars).forEach(k => { s = s.replace('{' + k + '}', vars[k]); }); }
  return s;
}
function $(sel) { return document.querySelector(sel); }
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => { if (v !== null && v !== undefined) e.setAttribute(k, v); });
  children.forEach(c => e.append(c === null || c === undefined ? '' : (c instanceof Node ? c : String(c))));
  return e;
}
function num(v, digits) { return v === null || v === undefined ? '–' : Number(v).toFixed(digits === undefined ? 1 : digits); }
function duration(ms) {
  if (ms === null || ms === undefined) { return '–'; }
  const s = Math.floor(ms / 1000);
  if (s < 60) { return s + t('s'); }
  if (s < 3600) { return Math.floor(s / 60) + t('min'); }
  if (s < 86400) { return Math.floor(s / 3600) + t('h') + ' ' + Math.floor((s % 3600) / 60) + t('min'); }
  return Math.floor(s / 86400) + t('d') + ' ' + Math.floor((s % 86400) / 3600) + t('h');
}
function clock(ms, withDay) {
  const d = new Date(ms);
  const hm = String(d.getHours()).padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0');
  return withDay ? (d.getMonth() + 1) + '/' + d.getDate() + ' ' + hm : hm;
}

async function api(path, options) {
  const opts = Object.assign({ credentials: 'same-origin', headers: {} }, options || {});
  if (opts.method === 'POST') {
    opts.headers['Content-Type'] = 'application/json';
    opts.headers['X-CSRF-Token'] = csrf;
  }
  const r = await fetch(path, opts);
  if (r.status === 401) { showLogin(); throw new Error('login'); }
  const body = await r.json().catch(() => ({}));
  if (!r.ok) { throw new Error(body.error || ('HTTP ' + r.status)); }
  return body;
}

function applyLang() {
  document.documentElement.lang = lang;
  $('#lang').value = lang;
  document.title = t('title');
  document.querySelectorAll('[data-i18n]').forEach(e => { e.textContent = t(e.dataset.i18n); });
  render();
}

// ---- session -----------------------------------------------------------------------------------------
async function startSession() {
  const s = await api('/api/session');
  csrf = s.csrf;
  if (s.user) { showApp(s.user, s.role); } else { showLogin(); }
}
function showLogin() {
  $('#login').hidden = false; $('#app').hidden = true; $('#logout').hidden = true; $('#who').textContent = ''; signedIn = null;
  if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
}
function showApp(user, role) {
  $('#login').hidden = true; $('#app').hidden = false; $('#logout').hidden = false;
  signedIn = { user, role };
  renderWho();
  // a viewer may look but not broadcast: the gateway would refuse it anyway (403), the form says so first
  $('#broadcast-send').disabled = role === 'viewer';
  $('#broadcast-send').title = role === 'viewer' ? t('viewerCannotSend') : '';
  select(view);
  if (!pollTimer) { pollTimer = setInterval(refresh, 15000); }
}
async function login(ev) {
  ev.preventDefault();
  $('#login-error').textContent = '';
  try {
    const r = await fetch('/api/login', { method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ user: $('#login-user').value, password: $('#login-password').value }) });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) {
      $('#login-error').textContent = t('loginFailed');
      if (r.status === 403) { await startSession(); }
      return;
    }
    csrf = body.csrf;
    $('#login-password').value = '';
    showApp(body.user, body.role);
  } catch (e) { $('#login-error').textContent = e.message; }
}
async function logout() {
  try { await api('/api/logout', { method: 'POST', body: '{}' }); } catch (e) { /* gone anyway */ }
  await startSession();
}

// ---- views -------------------------------------------------------------------------------------------
function select(name) {
  view = name;
  document.querySelectorAll('#tabs button').forEach(b => b.setAttribute('aria-selected', String(b.dataset.view === name)));
  document.querySelectorAll('section.view').forEach(s => { s.hidden = s.dataset.view !== name; });
  refresh();
}
async function refresh() {
  try {
    const o = await api('/api/overview');
    const badge = $('#hono-state');
    badge.dataset.state = o.connected ? 'up' : 'down';
    lastData.overview = o;
    if (view === 'energy') { lastData.energy = await api('/api/energy?range=' + encodeURIComponent($('#energy-range').value)); }
    if (view === 'safety') { lastData.safety = await api('/api/safety'); }
    if (view === 'health') { lastData.health = await api('/api/health'); }
    if (view === 'quiet') { lastData.quiet = await api('/api/quiet'); }
    if (view === 'broadcast' && !lastData.schools) { lastData.schools = await api('/api/schools'); }
    render();
  } catch (e) { if (e.message !== 'login') { console.warn(e); } }
}
function renderWho() {
  // again at every language switch: the role is a translated word
  if (signedIn) { $('#who').textContent = signedIn.role ? `${signedIn.user} (${t('role-' + signedIn.role)})` : signedIn.user; }
}
function render() {
  renderWho();
  if (lastData.overview) { $('#hono-state').textContent = t(lastData.overview.connected ? 'honoUp' : 'honoDown'); }
  if (lastData.energy) { renderEnergy(lastData.energy); }
  if (lastData.safety) { renderSafety(lastData.safety); }
  if (lastData.health) { renderHealth(lastData.health); }
  if (lastData.quiet) { renderQuiet(lastData.quiet); }
  if (lastData.schools) { renderSchoolChoice(lastData.schools); }
  if (lastData.broadcast) { renderBroadcast(lastData.broadcast); }
}
function fill(table, rows) {
  const body = $(table + ' tbody');
  body.replaceChildren(...rows);
}
function label(s) { return s.name ? s.name + ' (' + s.school + ')' : s.school; }

function renderEnergy(e) {
  $('#energy-total').textContent = num(e.todayKwh);
  fill('#district-table', e.districts.map(d => el('tr', { 'data-district': d.district },
    el('td', {}, d.district || '–'), el('td', { class: 'num' }, d.schools), el('td', { class: 'num' }, num(d.todayKwh)))));
  fill('#energy-table', e.schools.map(s => el('tr', { 'data-school': s.school },
    el('td', {}, label(s)), el('td', {}, s.district || '–'), el('td', { class: 'num' }, num(s.todayKwh)),
    el('td', { class: 'num' }, num(s.peakKw)), el('td', { class: 'num' }, s.enrolment === null ? '–' : s.enrolment),
    el('td', { class: 'num' }, num(s.kwhPerStudent, 3)))));
  const week = e.range === '7d';
  barChart($('#energy-trend'), e.trend.map(p => ({ label: week ? clock(p.t, true).split(' ')[0] : clock(p.t), a: p.kwh })),
    { a: t('energy') + ' (kWh)' });
  districtChart($('#district-trend'), e.districtTrend || {}, week);
  perStudentChart($('#per-student-chart'), e.schools);
}
function renderSafety(s) {
  fill('#alarms-table', s.open.map(a => el('tr', { 'data-school': a.school, 'data-alarm': a.alarmId },
    el('td', {}, label(a)), el('td', {}, (a.duringDrill ? t('notADrill') + ' · ' : '') + (a.rule || '–')), el('td', {}, a.kind || '–'),
    el('td', {}, a.device || '–'), el('td', {}, a.building || '–'), el('td', {}, t('state_' + a.state)),
    el('td', { class: 'num' }, duration(a.ageMs)), ledgerCell(a))));
  fill('#drills-table', s.drills.map(a => el('tr', { 'data-school': a.school, 'data-alarm': a.alarmId, class: 'drill' },
    el('td', {}, label(a)), el('td', {}, t('drill') + ' · ' + (a.rule || '–')), el('td', {}, a.device || '–'),
    el('td', {}, t('state_' + a.state)), el('td', { class: 'num' }, duration(a.ageMs))))
    .concat(s.drills.length ? [] : [el('tr', {}, el('td', { colspan: 5 }, t('none')))]));
  barChart($('#alarms-chart'), s.raisedPerHour.map(p => ({ label: clock(p.t), a: p.raised, b: p.critical })),
    { a: t('otherAlarms'), b: t('critical') });
  heatmapChart($('#alarms-heatmap'), s.raisedBySchoolHour || [], s.raisedPerHour.map(p => p.t));
}
function renderHealth(h) {
  const totals = Object.entries(h.totals).map(([f, v]) => f + ' ' + v.online + '/' + (v.online + v.offline));
  $('#health-totals').textContent = t('totals') + ': ' + (totals.join(' · ') || t('none'));
  const rows = [];
  h.schools.forEach(s => Object.entries(s.families).forEach(([f, v]) => rows.push(
    el('tr', { 'data-school': s.school, 'data-family': f }, el('td', {}, label(s)), el('td', {}, f),
      el('td', { class: 'num' }, v.online), el('td', { class: 'num' }, v.offline)))));
  fill('#health-table', rows);
}
function renderQuiet(q) {
  fill('#quiet-schools', q.map(s => el('tr', { 'data-school': s.school, 'data-reason': s.reason },
    el('td', {}, label(s)), el('td', {}, s.district || '–'), el('td', {}, s.gateway),
    el('td', {}, s.lastSeenMs === null ? t('never') : t('ago', { d: duration(s.silentMs) })), el('td', {}, t('reason_' + s.reason)))));
}
function renderSchoolChoice(schools) {
  const box = $('#broadcast-schools');
  const chosen = new Set([...box.querySelectorAll('input:checked')].map(i => i.value));
  box.replaceChildren(...(schools.length ? schools.map(s => el('label', {},
    el('input', Object.assign({ type: 'checkbox', value: s.school, 'data-school': s.school }, chosen.has(s.school) ? { checked: '' } : {})),
    ' ' + label(s))) : [el('span', {}, t('noSchools'))]));
}
function renderBroadcast(b) {
  const table = $('#broadcast-results');
  table.dataset.batch = b.batch;
  table.dataset.done = String(!!b.done);
  // per school where it stands (tried again until it expires); the last answer or error of each
  const rows = (b.targets && b.targets.length) ? b.targets.map(x => ({ school: x.school, status: x.shown, attempts: x.attempts,
    code: x.code === undefined ? null : x.code, response: x.response })) :
    b.results.map(r => ({ school: r.school, status: r.status, attempts: 1, code: r.code, response: r.response }));
  if (b.targets && b.targets.length) {
    const n = { confirmed: 0, pending: 0, refused: 0, expired: 0 };
    b.targets.forEach(x => { n[x.shown] = (n[x.shown] || 0) + 1; });
    const until = Number.isFinite(b.expiresAtMs) ? new Date(b.expiresAtMs).toLocaleTimeString() : '–';
    $('#broadcast-summary').textContent = t('broadcastSummary', Object.assign(n, { until: until }));
  } else {
    $('#broadcast-summary').textContent = '';
  }
  fill('#broadcast-results', rows.map(r => {
    const ok = r.code === null ? null : (r.code >= 200 && r.code < 300);
    let text = r.response || '';
    try { const j = JSON.parse(text); text = j.outcome || j.error || text; } catch (e) { /* plain text */ }
    return el('tr', { 'data-school': r.school, 'data-status': r.status, 'data-ok': ok === null ? null : String(ok) },
      el('td', {}, r.school), el('td', {}, t('st_' + r.status)), el('td', { class: 'num' }, String(r.attempts)),
      el('td', { class: 'num' }, r.code === null ? '–' : r.code), el('td', {}, text));
  }));
}

// ---- broadcast ---------------------------------------------------------------------------------------
async function sendBroadcast(ev) {
  ev.preventDefault();
  $('#broadcast-error').textContent = '';
  $('#broadcast-status').textContent = '';
  const scope = document.querySelector('input[name="scope"]:checked').value;
  const schools = scope === 'chosen' ? [...document.querySelectorAll('#broadcast-schools input:checked')].map(i => i.value) : [];
  if (scope === 'chosen' && !schools.length) { $('#broadcast-error').textContent = t('chooseSchools'); return; }
  const zones = $('#broadcast-zones').value.split(',').map(z => z.trim()).filter(z => z);
  const order = { text: $('#broadcast-text').value, zones: zones.length ? zones : ['all'],
    priority: Number($('#broadcast-priority').value || 90), schools: schools,
    validForMinutes: Number($('#broadcast-valid').value || 30) };
  try {
    const r = await api('/api/broadcast', { method: 'POST', body: JSON.stringify(order) });
    $('#broadcast-status').textContent = t('sent', { n: r.schools.length });
    polling = r.batch; // the page follows the newest broadcast; an older one's poll stops
    pollBroadcast(r.batch, Date.now());
  } catch (e) { $('#broadcast-error').textContent = e.message; }
}
let polling = null;
async function pollBroadcast(batch, started) {
  if (polling !== batch) { return; }
  try {
    const b = await api('/api/broadcast/' + encodeURIComponent(batch));
    if (polling !== batch) { return; }
    lastData.broadcast = b;
    renderBroadcast(lastData.broadcast);
    // until every school has confirmed, refused or expired (a broadcast stands for up to a day: stop polling after that)
    if (lastData.broadcast.done || Date.now() - started > 24 * 3600 * 1000) { return; }
  } catch (e) {
    if (e.message === 'login') { return; }
  }
  setTimeout(() => pollBroadcast(batch, started), Date.now() - started < 120000 ? 1000 : 5000);
}

// ---- charts (Apache ECharts, served by the dashboard at /vendor/) -------------------------------------
const charts = new Map();
function chartIn(container) {
  let chart = charts.get(container.id);
  if (!chart) {
    chart = echarts.init(container, null, { renderer: 'canvas' });
    new ResizeObserver(() => chart.resize()).observe(container);
    charts.set(container.id, chart);
  }
  return chart;
}
// the console's dark look
const AXIS = { axisLabel: { color: '#8b9bab' }, axisLine: { lineStyle: { color: '#263341' } }, splitLine: { lineStyle: { color: '#263341' } },
  nameTextStyle: { color: '#8b9bab' } };
const LEGEND = { top: 0, textStyle: { color: '#e6edf3' } };
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#7F7F7F'];

// one line per district over the same hours or days as the city's trend
function districtChart(container, trend, week) {
  const names = Object.keys(trend);
  const first = names.length ? trend[names[0]] : [];
  container.setAttribute('aria-label', t('districts'));
  chartIn(container).setOption({
    animation: false, color: PALETTE, grid: { left: 56, right: 16, top: 36, bottom: 28 },
    legend: LEGEND, tooltip: { trigger: 'axis', renderMode: 'richText' },
    xAxis: { type: 'category', data: first.map(p => week ? clock(p.t, true).split(' ')[0] : clock(p.t)), ...AXIS },
    yAxis: { type: 'value', name: 'kWh', ...AXIS },
    series: names.map(d => ({ name: d || '–', type: 'line', showSymbol: false, data: trend[d].map(p => p.kwh) })),
  }, { replaceMerge: ['series'] });
}

// the schools using the most energy per student today, most at the top
function perStudentChart(container, schools) {
  const top = schools.filter(s => s.kwhPerStudent !== null).sort((a, b) => b.kwhPerStudent - a.kwhPerStudent).slice(0, 15).reverse();
  container.setAttribute('aria-label', t('perStudentRanked'));
  container.style.height = Math.max(160, top.length * 28 + 50) + 'px'; // a row per school (CSSOM: allowed by the policy)
  chartIn(container).setOption({
    animation: false, grid: { left: 200, right: 60, top: 10, bottom: 28 }, tooltip: { trigger: 'axis', renderMode: 'richText' },
    xAxis: { type: 'value', name: 'kWh', ...AXIS }, yAxis: { type: 'category', data: top.map(s => label(s)), ...AXIS },
    series: [{ name: t('kwhPerStudent'), type: 'bar', barMaxWidth: 18, data: top.map(s => s.kwhPerStudent), itemStyle: { color: '#1f6feb' },
      label: { show: true, position: 'right', color: '#e6edf3', formatter: p => num(p.value, 3) } }],
  }, { replaceMerge: ['series'] });
}

// alarms raised per school (rows: the 20 with the most) and hour (columns: the last 24)
function heatmapChart(container, cells, hours) {
  const totals = new Map();
  cells.forEach(c => totals.set(c.school, (totals.get(c.school) || 0) + c.raised));
  const schools = [...totals.keys()].sort((a, b) => totals.get(a) - totals.get(b) || (a < b ? 1 : -1)).slice(-20);
  const col = new Map(hours.map((t, i) => [t, i]));
  const data = cells.filter(c => schools.includes(c.school) && col.has(c.t)).map(c => [col.get(c.t), schools.indexOf(c.school), c.raised]);
  const max = Math.max(1, ...data.map(d => d[2]));
  container.setAttribute('aria-label', t('heatmap'));
  container.style.height = Math.max(180, schools.length * 26 + 90) + 'px';
  chartIn(container).setOption({
    animation: false, grid: { left: 120, right: 20, top: 10, bottom: 60 }, tooltip: { renderMode: 'richText' },
    xAxis: { type: 'category', data: hours.map(t => clock(t)), ...AXIS },
    yAxis: { type: 'category', data: schools, ...AXIS },
    visualMap: { min: 0, max: max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120,
      textStyle: { color: '#8b9bab' }, inRange: { color: ['#17212c', '#f5a524', '#e5484d'] } },
    series: [{ name: t('raised'), type: 'heatmap', data: data, label: { show: data.length < 200, color: '#fff' } }],
  }, { replaceMerge: ['series'] });
}
// bars of a per label; where b is given, the part b of each bar (e.g. the critical alarms) stacked in red on top.
// Tooltips are drawn on the canvas (richText): the Content-Security-Policy refuses ECharts' inline-styled HTML ones.
function barChart(container, points, names) {
  const chart = chartIn(container);
  const axis = AXIS;
  const series = names.b
    ? [{ name: names.a, type: 'bar', stack: 'all', data: points.map(p => p.a - (p.b || 0)), itemStyle: { color: '#1f6feb' } },
       { name: names.b, type: 'bar', stack: 'all', data: points.map(p => p.b || 0), itemStyle: { color: '#c62828' } }]
    : [{ name: names.a, type: 'bar', data: points.map(p => p.a), itemStyle: { color: '#1f6feb' } }];
  container.setAttribute('aria-label', names.a);
  chart.setOption({
    animation: false, grid: { left: 56, right: 16, top: 36, bottom: 28 },
    legend: { ...LEGEND, selectedMode: false }, tooltip: { trigger: 'axis', renderMode: 'richText' },
    xAxis: { type: 'category', data: points.map(p => p.label), ...axis },
    yAxis: { type: 'value', minInterval: 1, ...axis },
    series: series,
  }, { replaceMerge: ['series'] });
}

// An alarm's ledger at the city: each hop the school reported and when the city stored it, as +ms from the device's event.
function ledgerCell(a) {
  const l = a.ledger;
  if (!l || !l.occurred) { return el('td', { class: 'ledger' }, '–'); }
  const t0 = Date.parse(l.occurred);
  const parts = ['occurred', 'received', 'stored', 'raised', 'queued', 'city'].filter(h => l[h])
    .map(h => t('hops_' + h) + ' +' + (Date.parse(l[h]) - t0) + ' ms');
  return el('td', { class: 'ledger', 'data-trigger': a.trigger || '' }, parts.join(' → '));
}

// A district drill: the same drill command to every known school; each school picks its camera and answers.
async function startDistrictDrill(e) {
  e.preventDefault();
  const minutes = parseInt($('#drill-minutes').value, 10) || 10;
  const schools = await api('/api/schools');
  const results = await Promise.allSettled(schools.map(s => api('/api/schools/' + encodeURIComponent(s.school) + '/drill',
    { method: 'POST', body: JSON.stringify({ minutes: minutes, name: 'district drill' }) })));
  const ok = results.filter(r => r.status === 'fulfilled' && r.value && r.value.code === 200).length;
  $('#drill-result').textContent = t('drillStarted', { n: ok, f: results.length - ok });
  refresh();
}

// ---- wiring ------------------------------------------------------------------------------------------
document.addEventListener('DOMContentLoaded', () => {
  $('#lang').addEventListener('change', e => { lang = e.target.value; localStorage.setItem('city-lang', lang); applyLang(); });
  $('#login-form').addEventListener('submit', login);
  $('#logout').addEventListener('click', logout);
  $('#broadcast-form').addEventListener('submit', sendBroadcast);
  $('#drill-form').addEventListener('submit', startDistrictDrill);
  $('#energy-range').addEventListener('change', refresh);
  document.querySelectorAll('#tabs button').forEach(b => b.addEventListener('click', () => select(b.dataset.view)));
  applyLang();
  startSession().catch(e => console.warn(e));
});
