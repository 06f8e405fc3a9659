// One chat: the whole transcript (bot part included), the profile card with masked fields, and what staff
// do in it. Every text a family typed goes into the page with textContent only.
import { api, ApiError } from "./api.js";
import { $, el, clear, toast } from "./dom.js";
import { LEVELS, ROLES, clock, responseState, windowState, syncClock, fieldName } from "./format.js";

const FROM = { user: "对方", bot: "机器人", staff: "工作人员" };
const KINDS = { reply: "回复", note: "内部备注", notice: "模板通知" };

export class Conversation {
  constructor(me, onChanged) {
    this.me = me;
    this.onChanged = onChanged;
    this.data = null;
    this.mode = "reply";
  }

  get id() {
    return this.data ? this.data.id : null;
  }

  async open(id, refresh) {
    const data = await api.conversation(id, refresh);
    syncClock(data.now);
    const same = this.data && this.data.id === id;
    this.data = data;
    // Shown before it is drawn: a hidden list has no height to scroll to the newest line.
    $("chat-placeholder").hidden = true;
    $("chat").hidden = false;
    document.body.classList.add("chat-open");
    this.render(same);
  }

  close() {
    this.data = null;
    $("chat").hidden = true;
    $("chat-placeholder").hidden = false;
    document.body.classList.remove("chat-open");
  }

  async reload() {
    if (this.data) {
      try {
        await this.open(this.data.id, true);
      } catch (e) {
        if (e instanceof ApiError && (e.status === 404 || e.status === 403)) {
          this.close();
        }
      }
    }
  }

  render(keepScroll) {
    const d = this.data;
    const e = d.escalation;
    const level = e ? e.level : null;
    const levelBox = $("chat-level");
    levelBox.textContent = e ? LEVELS[level] || level : "已交回机器人";
    levelBox.className = `level level-${level || "closed"}`;
    $("chat-reason").textContent = e ? e.reason || "转人工" : "这个对话已结束人工服务";
    const meta = $("chat-meta");
    clear(meta);
    if (e) {
      const response = responseState(e);
      const window = windowState(e);
      meta.append(
        el("span", { class: response.late ? "late-text" : "", text: response.text }),
        el("span", { class: window.open ? "window-open" : "window-closed", "data-testid": "window-state", text: window.text }),
        el("span", { "data-testid": "assignee", text: e.assignee
          ? `负责人：${e.assigneeName || e.assignee}${e.assigneeDisabled ? "（账号已停用）" : ""}` : "还没有人接手" }));
    }
    // Who answers the family now: after 结束人工 during an alarm the bot does, though the alarm stays open.
    const botAnswers = Boolean(e) && d.status !== "escalated";
    const answering = $("chat-answering");
    answering.hidden = !e;
    answering.className = botAnswers ? "answering bot-answers" : "answering";
    answering.textContent = !e ? "" : botAnswers ? "机器人正在回复（警报仍未关闭）"
      : e.assignee ? `${e.assigneeName || e.assignee} 正在回复` : "等待工作人员接手（机器人不再回答）";
    const mine = e && e.assignee === this.me.username;
    const supervisor = this.me.role !== "caseworker";
    $("claim").hidden = !e || (mine && !botAnswers);
    $("claim").textContent = botAnswers && (mine || !e.assignee) ? "接回人工" : e && e.assignee ? "改由我负责" : "接手";
    $("claim").disabled = Boolean(e && e.assignee && !mine && !supervisor);
    $("resolve").hidden = !e || !(mine || supervisor);
    $("assign-box").hidden = !e || !supervisor;
    this.renderTranscript(keepScroll);
    this.renderProfile();
    this.renderWindow();
    const canWrite = Boolean(e);
    $("reply-text").disabled = !canWrite;
    $("send").disabled = !canWrite;
    this.setMode(this.mode);
  }

  renderTranscript(keepScroll) {
    const list = $("transcript");
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    clear(list);
    let lastDay = null;
    for (const line of this.data.transcript) {
      const day = line.at ? new Date(line.at).toDateString() : null;
      if (day && day !== lastDay) {
        list.append(el("li", { class: "day", text: clock(line.at) }));
        lastDay = day;
      }
      const kind = line.from === "staff" ? line.kind || "reply" : line.from;
      const who = line.from === "staff" ? `${line.by || ""} · ${KINDS[line.kind] || "回复"}` : FROM[line.from] || line.from;
      list.append(el("li", { class: `line ${line.from} ${kind}`, "data-testid": `line-${kind}` },
        el("span", { class: "who", text: `${who} · ${clock(line.at)}` }),
        el("span", { class: "text", text: line.text || "" }),
        this.attachment(line)));
    }
    if (!keepScroll || atBottom) {
      // The newest message first in view (on a phone too, where the page itself may scroll).
      list.scrollTop = list.scrollHeight;
      const last = list.lastElementChild;
      if (last && !keepScroll) {
        last.scrollIntoView({ block: "nearest" });
      }
    }
  }

  /**
   * A photo shown, a voice note playable or downloadable — always from CareLine (the console's own URL, which
   * checks the session and audits the opening), never from WeChat.
   */
  attachment(line) {
    if (!line.media || !/^[0-9a-f]{32}$/.test(line.media)) {
      return null;
    }
    const url = `/console/api/conversations/${encodeURIComponent(this.id)}/media/${line.media}`;
    if (line.mediaKind === "image") {
      return el("a", { class: "media", href: url, target: "_blank", rel: "noopener" },
        el("img", { src: url, alt: "家属发来的照片", loading: "lazy", "data-testid": "media-image" }));
    }
    // WeChat voice notes are AMR, which browsers do not all play: a player where it works, and a download.
    return el("span", { class: "media voice" },
      el("audio", { controls: true, preload: "none", src: url, "data-testid": "media-voice" }),
      el("a", { href: url, download: `voice-${line.media}.amr`, text: "下载语音" }));
  }

  renderProfile() {
    const d = this.data;
    const box = $("profile");
    clear(box);
    const p = d.profile;
    box.append(el("h3", { text: "资料卡" }),
      el("dl", {},
        el("dt", { text: "身份" }), el("dd", { text: ROLES[p.role] || p.role }),
        p.community ? [el("dt", { text: "社区" }), el("dd", { text: p.community })] : null,
        p.town ? [el("dt", { text: "街道" }), el("dd", { text: p.town })] : null));
    const fields = p.fields;
    if (fields.length) {
      box.append(el("h4", { text: "对话中填写的" }), this.fieldList(fields));
    }
    box.append(el("h4", { text: "求助记录" }));
    if (!p.cases.length) {
      box.append(el("p", { class: "muted small", text: "还没有提交过求助。" }));
    }
    for (const c of p.cases) {
      box.append(el("div", { class: "case" },
        el("div", {}, el("strong", { text: c.caseId }), " ", el("span", { class: "muted", text: `${c.kind} · ${c.status}` })),
        this.fieldList(c.fields)));
    }
    const e = d.escalation;
    if (e && e.urgent) {
      box.append(el("h4", { text: "强制报告" }));
      if (e.policeReport) {
        box.append(el("p", { "data-testid": "police-report", text:
          `已报警，回执 ${e.policeReport.reportNumber}（${e.policeReport.recordedBy} 于 ${clock(e.policeReport.recordedAt)} 登记）` }));
      } else {
        const input = el("input", { id: "police-number", "data-testid": "police-number", placeholder: "报警回执编号", maxlength: "64" });
        box.append(el("form", { class: "police-form", onsubmit: (ev) => {
          ev.preventDefault();
          this.act("police-report", { reportNumber: input.value }, "已登记报警");
        } }, input, el("button", { type: "submit", "data-testid": "police-save", text: "登记已报警" })));
      }
    }
  }

  fieldList(fields) {
    const dl = el("dl", { class: "fields" });
    for (const f of fields) {
      const value = el("span", { text: f.value });
      const dd = el("dd", {}, value);
      if (f.masked) {
        dd.append(" ", el("button", {
          type: "button", class: "link", "data-testid": "reveal", "data-field": f.name,
          title: "查看完整内容（会记入查阅记录）",
          onclick: async (ev) => {
            try {
              const r = await api.act(this.id, "reveal", { field: f.name, caseId: f.caseId || undefined });
              value.textContent = r.value;
              ev.target.remove();
            } catch (e) {
              toast(e.message, "bad");
            }
          },
        }, "查看"));
      }
      dl.append(el("dt", { text: fieldName(f.name) }), dd);
    }
    return dl;
  }

  renderWindow() {
    const e = this.data.escalation;
    const banner = $("window-banner");
    const closed = e && !windowState(e).open;
    banner.hidden = !closed;
    if (closed) {
      this.showWindowClosed();
    }
  }

  showWindowClosed(message) {
    $("window-banner").hidden = false;
    $("window-text").textContent = message || (this.data.noticeTemplate
      ? "对方超过 48 小时没有发消息，微信不允许再发客服消息。可以发送模板通知，请对方回到公众号回复。"
      : "对方超过 48 小时没有发消息，微信不允许再发客服消息。没有配置模板消息，只能等对方再发消息。");
    $("send-notice").hidden = !this.data.noticeTemplate;
  }

  setMode(mode) {
    this.mode = mode;
    $("mode-reply").setAttribute("aria-pressed", String(mode === "reply"));
    $("mode-note").setAttribute("aria-pressed", String(mode === "note"));
    $("composer").classList.toggle("note-mode", mode === "note");
    $("composer-hint").textContent = mode === "reply"
      ? "回复会作为客服消息发到对方微信。"
      : "内部备注只有工作人员能看到，不会发给对方。";
    $("reply-text").placeholder = mode === "reply" ? "输入回复，Ctrl+Enter 发送" : "写内部备注，Ctrl+Enter 保存";
  }

  async send() {
    const box = $("reply-text");
    const text = box.value.trim();
    if (!text || !this.data) {
      return;
    }
    $("send").disabled = true;
    try {
      if (this.mode === "note") {
        await api.act(this.id, "note", { text });
        toast("备注已保存");
      } else {
        await api.act(this.id, "reply", { text });
        toast("已发送到对方微信");
      }
      box.value = "";
      await this.reload();
      this.onChanged();
    } catch (e) {
      if (e.code === "window_closed") {
        this.showWindowClosed(e.message);
      } else {
        toast(e.message, "bad");
      }
    } finally {
      $("send").disabled = false;
    }
  }

  async act(action, body, done) {
    try {
      const r = await api.act(this.id, action, body);
      if (done) {
        toast(done);
      }
      await this.reload();
      this.onChanged();
      return r;
    } catch (e) {
      toast(e.message, "bad");
      return null;
    }
  }
}
