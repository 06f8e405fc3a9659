// CareLine staff console: sign-in, the inbox with live updates, one conversation, admin. Plain ES modules,
// no build step, no third-party code; served by CareLine under a Content-Security-Policy with no inline code.
import { api, setCsrfToken, whenSignedOut } from "./api.js";
import { $, el, clear, toast } from "./dom.js";
import { LEVELS, ROLES } from "./format.js";
import { Inbox } from "./inbox.js";
import { Conversation } from "./conversation.js";
import { Admin } from "./admin.js";

const TITLE = "CareLine 工作台";
let me = null;
let inbox = null;
let chat = null;
let admin = null;
let events = null;
let unseen = 0;
let alertsOn = localStorage.getItem("careline.alerts") !== "off";
let audio = null;

whenSignedOut(() => showSignIn("登录已失效，请重新登录。"));

async function boot() {
  try {
    start(await api.me());
  } catch (e) {
    showSignIn();
  }
}

function showSignIn(message) {
  if (events) {
    events.close();
    events = null;
  }
  me = null;
  $("app").hidden = true;
  $("signin").hidden = false;
  $("signin-error").textContent = message || "";
  $("username").focus();
}

$("signin-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("signin-error").textContent = "";
  try {
    const session = await api.signIn($("username").value.trim(), $("password").value);
    $("password").value = "";
    start(session);
  } catch (e) {
    $("signin-error").textContent = e.message;
  }
});

function start(session) {
  me = session;
  setCsrfToken(session.csrfToken);
  $("signin").hidden = true;
  $("app").hidden = false;
  $("who").textContent = `${session.displayName}（${ROLES[session.role] || session.role}）`;
  document.querySelector("[data-queue=all]").hidden = session.role === "caseworker";
  $("view-admin").hidden = session.role !== "admin";
  inbox = new Inbox(openChat);
  chat = new Conversation(session, () => inbox.refresh().catch(() => {}));
  admin = session.role === "admin" ? admin || new Admin(session) : null;
  renderAlerts();
  loadCanned();
  loadStaff();
  inbox.refresh().catch((e) => toast(e.message, "bad"));
  listen();
}

// ---- live updates ----

function listen() {
  if (events) {
    events.close();
  }
  events = new EventSource("/console/api/events");
  events.addEventListener("ready", () => {
    $("live").textContent = "实时更新中";
    inbox.refresh().catch(() => {});
  });
  events.addEventListener("inbox", (ev) => {
    const change = JSON.parse(ev.data);
    inbox.refresh().catch(() => {});
    if (chat.id && change.changed.concat(change.removed).includes(chat.id)) {
      chat.reload();
    }
    // The server says what deserves an alert for this member of staff: a new chat, new danger or a new
    // message in one of theirs, any chat becoming critical.
    if (change.alert) {
      alertNew(Math.max(1, change.added.length), change.urgentAlert);
    }
  });
  events.addEventListener("error", () => {
    // EventSource reconnects by itself; a session that ended shows up on the next call.
    $("live").textContent = "实时更新断开，正在重连…";
    api.me().catch(() => {});
  });
}

function alertNew(count, urgent) {
  if (!alertsOn) {
    return;
  }
  if (document.hidden || !document.hasFocus()) {
    unseen += count;
    document.title = `(${unseen}) ${urgent ? "紧急 · " : ""}新消息 · ${TITLE}`;
  }
  window.lastAlert = { at: Date.now(), urgent };
  beep(urgent);
}

function beep(urgent) {
  try {
    audio = audio || new AudioContext();
    const tones = urgent ? [880, 660, 880] : [660];
    tones.forEach((f, i) => {
      const o = audio.createOscillator();
      const g = audio.createGain();
      o.frequency.value = f;
      g.gain.value = 0.06;
      o.connect(g).connect(audio.destination);
      const at = audio.currentTime + i * 0.22;
      o.start(at);
      o.stop(at + 0.18);
    });
  } catch (e) {
    // No sound available (a browser policy before the first click): the title still shows it.
  }
}

function clearTitle() {
  unseen = 0;
  document.title = TITLE;
}
window.addEventListener("focus", clearTitle);
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) {
    clearTitle();
  }
});

function renderAlerts() {
  const b = $("alerts");
  b.textContent = alertsOn ? "提醒：开" : "提醒：关";
  b.setAttribute("aria-pressed", String(alertsOn));
}
$("alerts").addEventListener("click", () => {
  alertsOn = !alertsOn;
  localStorage.setItem("careline.alerts", alertsOn ? "on" : "off");
  renderAlerts();
});

// ---- the desk ----

async function openChat(id) {
  try {
    await chat.open(id);
    inbox.select(id);
  } catch (e) {
    toast(e.message, "bad");
  }
}

async function next() {
  try {
    const item = await api.next();
    await inbox.setQueue("mine");
    await openChat(item.id);
    $("reply-text").focus();
  } catch (e) {
    toast(e.code === "empty" ? "现在没有等待接手的对话" : e.message, e.code === "empty" ? "" : "bad");
  }
}

for (const b of document.querySelectorAll(".queue")) {
  b.addEventListener("click", () => inbox.setQueue(b.dataset.queue).catch((e) => toast(e.message, "bad")));
}
$("next").addEventListener("click", next);
$("claim").addEventListener("click", async () => {
  const taken = me.role !== "caseworker" && chat.data.escalation && chat.data.escalation.assignee;
  await chat.act(taken ? "assign" : "claim", taken ? { to: me.username } : {}, "已接手");
});
$("resolve").addEventListener("click", async () => {
  const e = chat.data && chat.data.escalation;
  const level = e ? e.level : "staff";
  let body = {};
  if (level === "staff") {
    if (!confirm("结束人工服务，把对话交回机器人？对方再发消息时由机器人回答。")) {
      return;
    }
  } else {
    // An alarm is closed with a word of how it ended: it goes into the record and to the back office.
    const note = prompt(`这是「${LEVELS[level] || level}」警报${e.firstReplyAt ? "" : "，还没有人回复过对方"}。\n`
      + "关闭警报、交回机器人之前，请写一句处理结果（例如：已电话确认孩子安全、已报警并由派出所处置）：");
    if (note === null) {
      return;
    }
    if (!note.trim()) {
      toast("没有写处理结果，警报没有关闭", "bad");
      return;
    }
    body = { resolution: note.trim() };
  }
  const r = await chat.act("resolve", body, "已交回机器人");
  if (r && r.familyTold === "window_closed") {
    toast("已交回机器人；对方超过 48 小时没有发消息，没有发送结束语", "");
  } else if (r && r.familyTold === "failed") {
    toast("已交回机器人，但结束语没有发出去（微信接口出错）", "bad");
  }
});
$("assign").addEventListener("change", async (ev) => {
  const to = ev.target.value;
  if (to) {
    await chat.act("assign", { to }, `已转给 ${to}`);
    ev.target.value = "";
  }
});
$("send-notice").addEventListener("click", () => chat.act("notice", {}, "模板通知已发送"));
$("composer").addEventListener("submit", (ev) => {
  ev.preventDefault();
  chat.send();
});
$("mode-reply").addEventListener("click", () => chat.setMode("reply"));
$("mode-note").addEventListener("click", () => chat.setMode("note"));
$("canned").addEventListener("change", (ev) => {
  const box = $("reply-text");
  if (ev.target.value) {
    box.value = box.value ? `${box.value}\n${ev.target.value}` : ev.target.value;
    ev.target.value = "";
    box.focus();
  }
});
$("back").addEventListener("click", () => {
  chat.close();
  inbox.select(null);
});

async function loadCanned() {
  try {
    const { replies } = await api.canned();
    const select = $("canned");
    clear(select);
    select.append(el("option", { value: "" }, "选择…"));
    for (const r of replies) {
      select.append(el("option", { value: r.text }, r.title));
    }
  } catch (e) {
    // Canned replies are a help, not a must.
  }
}

async function loadStaff() {
  if (me.role === "caseworker") {
    return;
  }
  try {
    const { staff } = await api.staff();
    const select = $("assign");
    clear(select);
    select.append(el("option", { value: "" }, "选择同事…"));
    for (const s of staff) {
      select.append(el("option", { value: s.username }, `${s.displayName}（${ROLES[s.role] || s.role}）`));
    }
  } catch (e) {
    // Without the list a supervisor can still claim.
  }
}

// ---- views, session ----

function showView(view) {
  $("desk").hidden = view !== "desk";
  $("admin").hidden = view !== "admin";
  $("view-desk").setAttribute("aria-pressed", String(view === "desk"));
  $("view-admin").setAttribute("aria-pressed", String(view === "admin"));
  if (view === "admin" && admin) {
    admin.show().catch((e) => toast(e.message, "bad"));
  }
}
$("view-desk").addEventListener("click", () => showView("desk"));
$("view-admin").addEventListener("click", () => showView("admin"));

$("sign-out").addEventListener("click", async () => {
  try {
    await api.signOut();
  } finally {
    showSignIn("已退出。");
  }
});
$("sign-out-all").addEventListener("click", async () => {
  if (confirm("退出这个账号在所有设备上的登录？")) {
    try {
      await api.signOutEverywhere();
    } finally {
      showSignIn("已在所有设备上退出。");
    }
  }
});

// ---- keyboard ----

document.addEventListener("keydown", (ev) => {
  if (!me) {
    return;
  }
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName);
  if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey) && document.activeElement.id === "reply-text") {
    ev.preventDefault();
    chat.send();
  } else if (!typing && !ev.ctrlKey && !ev.metaKey && !ev.altKey && (ev.key === "n" || ev.key === "N")) {
    ev.preventDefault();
    next();
  } else if (ev.key === "Escape" && chat && chat.id) {
    chat.close();
    inbox.select(null);
  }
});

setInterval(() => {
  if (inbox) {
    inbox.tick();
  }
}, 30000);

boot();
