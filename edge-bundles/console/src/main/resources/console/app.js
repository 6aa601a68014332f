// Shared by the console pages: the signed-in user, API calls with the CSRF token, the language
// (zh-CN by default, English by choice, remembered in the browser) and a few formatting helpers.
const I18N = {
  "zh-CN": {
    title: "校园边缘网关", security: "安防", lab: "实验室", admin: "管理", logout: "退出", lang: "English",
    alarms: "当前报警", noAlarms: "暂无报警", severity: "级别", what: "内容", where: "位置", since: "时间", state: "状态",
    count: "次数", actions: "操作", acknowledge: "确认", clear: "清除", note: "备注（可选）", devices: "设备状态",
    offlineDevices: "离线或故障设备", failing: "在线但数据全被拒收", allOnline: "所有设备在线", device: "设备", family: "类别", presence: "在线", pickLab: "选择实验室",
    live: "实时读数", users: "用户", newUser: "新建用户", name: "用户名", role: "角色", password: "密码", save: "保存",
    RAISED: "未确认", ACKNOWLEDGED: "已确认", escalated: "已升级", login: "登录", failed: "用户名或密码错误",
    forbidden: "您的角色无权访问此页面。", back: "返回", timeline: "事件记录", filter: "筛选", building: "楼宇",
    details: "详情", snapshot: "抓图", recordings: "课堂记录", lessonTitle: "课题", startRecording: "开始记录",
    stopRecording: "结束记录", by: "记录人", energy: "能耗", energyToday: "今日各楼宇用电",
    drawNow: "当前功率", meters: "电表", inForce: "生效的清单与规则", counters: "设备消息计数", bundles: "组件（bundle）",
    accepted: "接收", rejected: "拒收", deferred: "延后", lastError: "最近错误", noLoadErrors: "文件无错误",
    cloud: "城市云平台连接", cloudLink: "连接", cloudNone: "未配置云平台（Hono）", connected: "已连接", disconnected: "未连接",
    outbox: "待发送队列", critical: "紧急", telemetry: "汇总", shed: "因空间不足丢弃的汇总", parked: "被云平台永久拒收（已搁置）", lastAccepted: "最近送达",
    retried: "次重试", cityCommands: "城市指令",
    credentials: "设备凭据", credState: "身份验证", credKey: "设备密钥", credUnprotected: "未受保护（明文，security: none）",
    credRevoked: "已吊销", credNone: "尚无密钥", credServer: "OPC UA 服务器登录（电表共用）", credUses: "使用服务器凭据", newKey: "新密钥",
    certificates: "OPC UA 服务器证书", certificatesHelp: "网关只连接受信任的能源服务器；被拒绝的证书列在这里，核对指纹后点“信任”。",
    ownCertificate: "本网关证书（请加入各电表服务器的信任列表）：", noTrustList: "电表未启用安全连接", certSubject: "主体", thumbprint: "指纹",
    validUntil: "有效期至", trusted: "已信任", refused: "已拒绝", trust: "信任", distrust: "取消信任",
    trustConfirm: "确认该指纹属于学校的能源服务器吗？信任后网关将向其发送登录密码。", distrustConfirm: "取消信任后网关将断开该服务器，确定吗？", revoke: "吊销", revokeConfirm: "吊销后该设备将无法上报数据，确定吗？",
    newKeyShown: "新密钥（只显示这一次，请配置到设备上）：",
    changePassword: "修改密码", currentPassword: "当前密码", newPassword: "新密码（至少 10 个字符）", passwordChanged: "密码已修改，请重新登录",
    resetPassword: "重置密码", remove: "删除", removeConfirm: "确定删除该用户吗？", newPasswordShown: "新密码（只显示这一次）：",
    waitSeconds: "登录失败次数过多，请 {s} 秒后再试",
    feedLive: "实时", lastHeard: "最近联系", feedConnecting: "正在连接…", feedReconnecting: "连接中断，正在重连",
    feedSignedOut: "已退出登录，不再更新", dataAge: "列表更新于", loginAgain: "重新登录",
    sessionEnded: "登录已结束（超时、改密或网关重启）。下方报警列表已停止更新。",
    drills: "演练", drillHelp: "演练时网关模拟所选摄像头的一次入侵：报警、广播与通知照常发生，但均标为“演练”，不计入真实报警统计。演练中若发生真实紧急报警，演练立即中止。",
    minutes: "分钟", drillName: "演练名称（可选）", startDrill: "开始演练", stopDrill: "结束演练", stopDrillConfirm: "结束演练？演练报警将被清除。",
    drillRunning: "演练进行中：", drillUntil: "结束于", drillBadge: "演练", realAlarm: "真实报警，非演练！演练已中止：", understood: "知道了", realBadge: "非演练",
    ledger: "报警投递台账", close: "关闭", hop: "环节", ledgerHelp: "从设备事件到城市平台的每一环节及其时间；缺少的环节即未发生或未记录。",
    hop_occurred: "设备事件发生", hop_received: "网关收到", hop_stored: "已存储", hop_raised: "规则触发报警", hop_escalated: "报警升级",
    "hop_pa-commanded": "广播已下令", "hop_pa-played": "广播已播放", "hop_pa-failed": "广播失败", hop_notified: "通知已送达",
    "hop_notification-failing": "通知失败（重试中）", "hop_notification-failed": "通知最终失败", hop_acknowledged: "已确认",
    hop_cleared: "已清除", hop_queued: "排队发往城市", hop_accepted: "Hono 已接收",
    wallScreen: "安防大屏", screens: "安防大屏登录", screensHelp: "为安防办公室的大屏生成一个长期有效的登录链接（或扫描二维码）：大屏只能查看，不能确认或清除报警；网关重启后无需重新登录；可随时吊销。",
    screenName: "大屏名称（如 office-wall）", makeScreen: "生成链接", screenLinkShown: "请在大屏的浏览器中打开此链接（只显示这一次）：",
    revokeScreenConfirm: "吊销后该大屏将立即退出，确定吗？", made: "创建时间", screenEnded: "本大屏的登录已被管理员吊销，报警列表已停止更新。请向管理员索取新的链接。",
    screenLinking: "正在登录大屏…", screenRefused: "此大屏链接无效或已被吊销，请向管理员索取新的链接。", screenNoToken: "链接不完整：请打开管理员给出的完整链接。",
    screenUnreachable: "无法连接网关，请稍后刷新。",
    subject: "个人信息：一张卡的记录", subjectHelp: "数据保护负责人使用：按卡面号码导出或删除该卡的全部刷卡记录（网关只保存假名，不保存卡号）。两者都记入防篡改审计，审计中不含卡号。删除不影响此前的备份：定时备份到期后自动清除，其他备份请自行删除。",
    subjectCard: "卡号", subjectReference: "申请编号", subjectExport: "导出", subjectErase: "删除",
    subjectExported: "已导出，记录条数：", subjectErased: "已删除，记录条数：", subjectEraseConfirm: "删除这张卡的全部刷卡记录？此操作不可撤销。",
    retention: "数据保留期限（逐类，及理由）", trail: "防篡改记录链（报警与审计）", trailCheck: "立即校验",
    trailIntact: "完整", trailBroken: "已被篡改，首个断点：", trailNone: "本存储不保存记录链", unprofiled: "未建档测点", unprofiledHelp: "“未建档测点”是设备发来、其档案里没有的测点：读数已保存并标记为 unprofiled。点“加入档案”得到要加到档案 points 下的几行（同时复制到剪贴板）。", addToProfile: "加入档案", unprofiledHint: "在档案 {file} 的 points 下加入（已复制到剪贴板）：", unprofiledHintNoCopy: "在档案 {file} 的 points 下加入：", bundleName: "组件包", component: "组件", version: "版本", screenCol: "大屏", madeBy: "创建人",
    benches: "实验台", timeWindow: "时间范围", projector: "投影模式", showingRecording: "正在查看课堂记录：", backToLive: "返回实时",
    noReadings: "该实验室最近 45 分钟没有读数。", noRecordings: "暂无课堂记录", recordingNow: "正在记录：", showCharts: "查看图表",
    none: "无", ended: "结束", snapshotMissing: "（抓图不可用）", userRules: "用户名：小写字母、数字和 . _ -，以字母或数字开头，最多 32 个字符；密码至少 10 个字符。", newest: "最新", older: "更早", page: "第 {n} 页", labAlarms: "本实验室的报警",
    timelineNone: "没有符合筛选条件的事件",
    labGrants: "教师可随时查看的实验室", labGrantsHelp: "教师在课表（校历 labTimetables 中写明 teachers）所列本人课时内（前后各 15 分钟）可查看该实验室的实时数据与记录；在此授权后可随时查看（如实验室管理员、学科组长）。",
    teacher: "教师", grant: "授权", labClosed: "此实验室现在不在您的课时内。", nextLesson: "您在此的下一节课：", askAdmin: "如需随时查看，请管理员在“管理”页授权。",
    energyByHour: "今日逐时用电（与昨日、上周同日对比）", drawPerMeter: "各电表当前功率", today: "今日", yesterday: "昨日",
    lastWeekSameDay: "上周同日", wholeSchool: "全校", limitHelp: "虚线为规则 {rule} 的限值 {kw} kW（{when}）：超过的电表标为红色。",
    when_outsideSchoolHours: "非上课时间", when_schoolHours: "上课时间", when_always: "任何时间",
    lessonNow: "本节课：", grantedLab: "管理员已授权", closedMark: "（非本人课时）", ownRecordings: "您本人的课堂记录仍可查看与下载。",
  },
  en: {
    title: "Campus Edge", security: "Security", lab: "Lab", admin: "Admin", logout: "Log out", lang: "中文",
    alarms: "Active alarms", noAlarms: "No active alarms", severity: "Severity", what: "What", where: "Where", since: "Since",
    state: "State", count: "Count", actions: "Actions", acknowledge: "Acknowledge", clear: "Clear", note: "Note (optional)",
    devices: "Device health", offlineDevices: "Offline or failing devices", failing: "online, but everything it sends is refused",
    allOnline: "All devices online", device: "Device",
    family: "Family", presence: "Presence", pickLab: "Pick a lab", live: "Live readings", users: "Users", newUser: "New user",
    name: "Name", role: "Role", password: "Password", save: "Save", RAISED: "Raised", ACKNOWLEDGED: "Acknowledged",
    escalated: "escalated", login: "Log in", failed: "Wrong name or password", forbidden: "Your role may not open this page.",
    back: "Back", timeline: "Event timeline", filter: "Filter", building: "Building", details: "Details", snapshot: "Snapshot",
    recordings: "Lesson recordings", lessonTitle: "Lesson", startRecording: "Start recording", stopRecording: "Stop recording",
    by: "By", energy: "Energy", energyToday: "Today's consumption by building", drawNow: "Current draw",
    meters: "Meters", inForce: "Inventory and rules in force", counters: "Messages per device", bundles: "Bundles",
    accepted: "Accepted", rejected: "Refused", deferred: "Deferred", lastError: "Last error", noLoadErrors: "No load errors",
    cloud: "Link to the city cloud", cloudLink: "Link", cloudNone: "No cloud (Hono) configured", connected: "connected",
    disconnected: "not connected", outbox: "Outbox", critical: "critical", telemetry: "summaries",
    shed: "Summaries shed for space", parked: "Refused by the cloud for good (parked)", lastAccepted: "Last delivered", retried: "retried", cityCommands: "City commands",
    credentials: "Device credentials", credState: "Proves who it is", credKey: "with its key", credUnprotected: "UNPROTECTED (plain, security: none)",
    credRevoked: "revoked", credNone: "no key yet", credServer: "OPC UA server login (shared by meters)", credUses: "uses the server's",
    newKey: "New key", revoke: "Revoke",
    certificates: "OPC UA server certificates", certificatesHelp: "The gateway connects only to energy servers it trusts; a refused"
      + " certificate is listed here: compare its thumbprint with the server's, then Trust.",
    ownCertificate: "This gateway's certificate (put it in each meter server's trust list):", noTrustList: "The meters are not read securely",
    certSubject: "Subject", thumbprint: "Thumbprint", validUntil: "Valid until", trusted: "trusted", refused: "REFUSED", trust: "Trust",
    distrust: "Distrust", trustConfirm: "Is this thumbprint the school's energy server's? Once trusted, the gateway sends it its password.",
    distrustConfirm: "The gateway will disconnect from this server. Go on?",
    revokeConfirm: "The device will no longer be able to send anything. Revoke its key?",
    newKeyShown: "New key (shown only now; configure it on the device):",
    changePassword: "Change password", currentPassword: "Current password", newPassword: "New password (10 characters or more)",
    passwordChanged: "Password changed; log in again", resetPassword: "Reset password", remove: "Remove",
    removeConfirm: "Remove this user?", newPasswordShown: "New password (shown only now):",
    waitSeconds: "Too many failed logins; try again in {s} s",
    feedLive: "live", lastHeard: "last heard", feedConnecting: "connecting…", feedReconnecting: "connection lost, reconnecting",
    feedSignedOut: "signed out, not updating", dataAge: "list from", loginAgain: "Log in again",
    sessionEnded: "Your session has ended (timed out, password changed or the gateway restarted). The alarms below are no longer updated.",
    drills: "Drills", drillHelp: "In a drill the gateway plays one intrusion from the camera you pick: the alarm, the PA and the"
      + " notifications happen as they would, all marked as a drill and kept out of the real alarm figures. A real critical alarm"
      + " during a drill stops it at once.",
    minutes: "minutes", drillName: "Name of the drill (optional)", startDrill: "Start drill", stopDrill: "End drill",
    stopDrillConfirm: "End the drill? Its alarms are cleared.", drillRunning: "DRILL IN PROGRESS:", drillUntil: "ends", drillBadge: "DRILL",
    realAlarm: "REAL ALARM — NOT A DRILL. The drill was stopped:", understood: "Understood", realBadge: "NOT A DRILL",
    ledger: "Delivery ledger", close: "Close", hop: "Hop", ledgerHelp: "Each hop from the device's event to the city, with its time;"
      + " a hop that is missing did not happen or is not on record.",
    hop_occurred: "device event occurred", hop_received: "received by the gateway", hop_stored: "stored", hop_raised: "rule raised the alarm",
    hop_escalated: "escalated", "hop_pa-commanded": "PA commanded", "hop_pa-played": "PA played", "hop_pa-failed": "PA failed",
    hop_notified: "notification delivered", "hop_notification-failing": "notification failing (retrying)",
    "hop_notification-failed": "notification failed for good", hop_acknowledged: "acknowledged", hop_cleared: "cleared",
    hop_queued: "queued for the city", hop_accepted: "accepted by Hono",
    wallScreen: "Security wall screen", screens: "Wall screen logins", screensHelp: "A long-lived login for the security office's"
      + " big screen, as a link (or its QR code) to open in the screen's browser: the screen only shows (it cannot acknowledge"
      + " or clear), stays logged in across gateway restarts, and can be revoked at any time.",
    screenName: "Screen name (e.g. office-wall)", makeScreen: "Make link", screenLinkShown: "Open this link in the screen's browser (shown only now):",
    revokeScreenConfirm: "The screen will be signed out at once. Revoke its login?", made: "Made",
    screenEnded: "This screen's login was revoked by the admin; the alarms below are no longer updated. Ask the admin for a new link.",
    screenLinking: "Signing the screen in…", screenRefused: "This screen link is not valid or was revoked: ask the admin for a new one.",
    screenNoToken: "The link is incomplete: open the whole link the admin gave you.", screenUnreachable: "The gateway cannot be reached; reload later.",
    subject: "Personal data: one card's records", subjectHelp: "For the data-protection officer: export or erase every swipe of one card, by the number printed on it (the gateway keeps only pseudonyms, never the number). Both are recorded in the tamper-evident audit, without the number. An erasure does not reach earlier backups: scheduled ones age out, delete the others yourself.",
    subjectCard: "Card number", subjectReference: "Request reference", subjectExport: "Export", subjectErase: "Erase",
    subjectExported: "Exported, events:", subjectErased: "Erased, events:", subjectEraseConfirm: "Erase every swipe of this card? This cannot be undone.",
    retention: "What is kept for how long, and why", trail: "Tamper-evident trail (alarms and audit)", trailCheck: "Check now",
    trailIntact: "intact", trailBroken: "BROKEN, first at link", trailNone: "this store keeps no trail", unprofiled: "Unprofiled points", unprofiledHelp: "Unprofiled points are points a device sent that its profile lacks: their readings are kept, marked unprofiled. Press \"Add to profile\" for the lines to add under the profile's points (also copied to the clipboard).", addToProfile: "Add to profile", unprofiledHint: "Add under points: in the profile {file} (copied to the clipboard):", unprofiledHintNoCopy: "Add under points: in the profile {file}:", bundleName: "Bundle", component: "Component", version: "Version", screenCol: "Screen", madeBy: "Made by",
    benches: "Benches", timeWindow: "Show the last", projector: "Projector mode", showingRecording: "Showing the recording",
    backToLive: "Back to live", noReadings: "No readings from this lab in the last 45 minutes.", noRecordings: "No recordings yet",
    recordingNow: "Recording:", showCharts: "Charts", none: "none", ended: "Ended", snapshotMissing: "(no snapshot)",
    userRules: "Name: lower-case letters, digits and . _ -, starting with a letter or digit, 32 at most; password: 10 characters or more.",
    newest: "Newest", older: "Older", page: "page {n}", labAlarms: "Alarms in this lab", timelineNone: "No events match the filter",
    labGrants: "Labs teachers may watch at any time", labGrantsHelp: "A teacher watches a lab's live data and recordings in her own lessons by the timetable (the calendar's labTimetables naming her in teachers), from 15 minutes before to 15 minutes after; granted here, at any time (a lab technician, a head of science).",
    teacher: "Teacher", grant: "Grant", labClosed: "This lab is not in one of your lessons now.", nextLesson: "Your next lesson here:",
    askAdmin: "To watch it at any time, ask the admin to grant it on the Admin page.", lessonNow: "This lesson:",
    energyByHour: "Today by hour, against yesterday and the same day last week", drawPerMeter: "Each meter's draw now",
    today: "today", yesterday: "yesterday", lastWeekSameDay: "same day last week", wholeSchool: "whole school",
    limitHelp: "The dashed line is the limit of rule {rule}, {kw} kW ({when}): meters above it are red.",
    when_outsideSchoolHours: "outside school hours", when_schoolHours: "in school hours", when_always: "at any time", grantedLab: "granted by the admin",
    closedMark: " (not your lesson)", ownRecordings: "Your own recordings stay yours to see and download.",
  },
};
const lang = localStorage.getItem("campus.lang") || "zh-CN";
const t = (k) => (I18N[lang] && I18N[lang][k]) || I18N["zh-CN"][k] || k;
document.documentElement.lang = lang;

function translate() {
  document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
}

function switchLang() {
  localStorage.setItem("campus.lang", lang === "zh-CN" ? "en" : "zh-CN");
  location.reload();
}

let me = null;
async function whoAmI() {
  const r = await fetch("/api/me");
  if (r.status === 401) { location.href = "/login"; throw new Error("not logged in"); }
  me = await r.json();
  document.querySelectorAll("header nav a[data-page]").forEach((a) => { a.hidden = !PAGE_ROLES[a.dataset.page].includes(me.role); });
  const who = document.getElementById("who");
  if (who) who.textContent = `${me.user} · ${me.school}`;
  return me;
}

async function post(path, fields) {
  const r = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": me.csrf },
    body: new URLSearchParams(fields),
  });
  if (!r.ok) throw new Error(`${r.status} ${await r.text()}`);
  return r;
}

async function logout() {
  await post("/api/logout", {});
  location.href = "/login";
}

// The pages and the roles that may open them (the console's server refuses the others with 403): the navigation shows
// a link only once the signed-in role is known, and only to a page that role may open.
const PAGE_ROLES = { security: ["security", "admin", "wall_screen"], lab: ["teacher", "admin"], energy: ["security", "teacher", "admin"],
  admin: ["admin"] };
function header(active) {
  const links = { security: "/security.html", lab: "/lab.html", energy: "/energy.html", admin: "/admin.html" };
  const nav = Object.entries(links).map(([k, href]) => `<a href="${href}" data-page="${k}" hidden ${k === active ? 'aria-current="page"' : ""}>${t(k)}</a>`).join(" ");
  document.body.insertAdjacentHTML("afterbegin", `<header><h1>${t("title")} · ${t(active)}</h1><nav>${nav}</nav>
    <span id="who" class="muted"></span><button class="lang">${t("lang")}</button>
    <button id="change-password">${t("changePassword")}</button>
    <button id="logout">${t("logout")}</button></header>
    <form id="password-form" class="password" hidden>
      <label>${t("currentPassword")} <input name="current" id="pw-current" type="password" required autocomplete="current-password"></label>
      <label>${t("newPassword")} <input name="password" id="pw-new" type="password" required minlength="10" autocomplete="new-password"></label>
      <button type="submit" class="act">${t("save")}</button> <span id="pw-result" class="error"></span>
    </form>`);
  // no inline handlers: the console's Content-Security-Policy allows scripts from its own files only
  document.querySelector("header .lang").addEventListener("click", switchLang);
  document.getElementById("change-password").addEventListener("click", () => { document.getElementById("password-form").hidden = false; });
  document.getElementById("logout").addEventListener("click", logout);
  document.getElementById("password-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await post("/api/password", Object.fromEntries(new FormData(e.target)));
      alert(t("passwordChanged"));
      location.href = "/login";
    } catch (err) {
      document.getElementById("pw-result").textContent = err.message;
    }
  });
}

function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

// The school's texts are written in both languages, Chinese first ("实验室温度过高 A lab sensor reads above 50 °C",
// "北围墙 North Fence"): each such pair is shown in the chosen language only. Text in one language is left as it is.
// A leading number ("201 物理实验室 Physics Lab") belongs to both; a leading Latin word ("pH 超出安全范围 pH below 2")
// is the English half's own.
const PAIR = /((?:[A-Za-z0-9]+ )?)(\p{Script=Han}[\p{Script=Han}\p{N}\s，。、；！？“”·-]*?)\s*([A-Za-z][^\p{Script=Han}:@()（）]*[^\s\p{Script=Han}:@()（）])/gu;
function oneLanguage(text) {
  if (text === null || text === undefined) return "";
  return String(text).replace(PAIR, (all, lead, zh, en) => (lang === "en" ? (/^\d+ $/.test(lead) ? lead : "") + en : (lead + zh).trim()));
}

function timeOf(iso) {
  return new Date(iso).toLocaleString(lang === "en" ? "en-GB" : "zh-CN", { hour12: false });
}
