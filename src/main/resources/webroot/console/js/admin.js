// Admin's page: accounts, canned replies, and the audit log of who read what.
import { api } from "./api.js";
import { $, el, clear, toast } from "./dom.js";
import { ROLES, clock } from "./format.js";

const ACTIONS = { read_transcript: "打开对话", reveal: "查看遮盖内容", view_media: "查看照片或语音" };

export class Admin {
  constructor(me) {
    this.me = me;
    this.replies = [];
    $("account-form").addEventListener("submit", (ev) => this.createAccount(ev));
    $("canned-add").addEventListener("click", () => {
      this.readEditor();
      this.replies.push({ title: "", text: "" });
      this.renderCanned();
    });
    $("canned-save").addEventListener("click", () => this.saveCanned());
  }

  async show() {
    await Promise.all([this.loadAccounts(), this.loadCanned(), this.loadAudit()]);
  }

  async loadAccounts() {
    const { accounts } = await api.accounts();
    const body = $("accounts");
    clear(body);
    for (const a of accounts) {
      body.append(el("tr", {},
        el("td", { text: a.username }), el("td", { text: a.displayName }), el("td", { text: ROLES[a.role] || a.role }),
        el("td", { text: a.disabled ? "已停用" : "正常" }),
        el("td", {}, el("button", {
          type: "button", "data-testid": `password-${a.username}`,
          onclick: async () => {
            const password = prompt(`给 ${a.displayName}（${a.username}）设一个新密码（至少 10 个字符）。\n`
              + "这个账号的登录会全部退出，登录失败造成的锁定也会解除。");
            if (password === null) {
              return;
            }
            try {
              await api.resetPassword(a.username, password);
              toast("新密码已生效，请当面或电话告诉本人");
            } catch (e) {
              toast(e.message, "bad");
            }
          },
        }, "重设密码"), " ", a.username === this.me.username ? null : el("button", {
          type: "button", "data-testid": `toggle-${a.username}`,
          onclick: async () => {
            try {
              await api.setDisabled(a.username, !a.disabled);
              toast(a.disabled ? "账号已启用" : "账号已停用，登录已全部退出");
              await this.loadAccounts();
            } catch (e) {
              toast(e.message, "bad");
            }
          },
        }, a.disabled ? "启用" : "停用"))));
    }
  }

  async createAccount(ev) {
    ev.preventDefault();
    try {
      await api.createAccount({
        username: $("new-username").value.trim(),
        displayName: $("new-name").value.trim(),
        role: $("new-role").value,
        password: $("new-password").value,
      });
      ev.target.reset();
      toast("账号已建立");
      await this.loadAccounts();
    } catch (e) {
      toast(e.message, "bad");
    }
  }

  async loadCanned() {
    this.replies = (await api.canned()).replies;
    this.renderCanned();
  }

  renderCanned() {
    const box = $("canned-editor");
    clear(box);
    this.replies.forEach((r, i) => {
      box.append(el("div", { class: "canned-row" },
        el("input", { class: "canned-title", value: r.title, maxlength: "20", placeholder: "标题", "aria-label": "标题" }),
        el("textarea", { class: "canned-text", rows: "2", maxlength: "600", placeholder: "内容", "aria-label": "内容" }, r.text),
        el("button", { type: "button", onclick: () => {
          this.readEditor();
          this.replies.splice(i, 1);
          this.renderCanned();
        } }, "删除")));
    });
  }

  readEditor() {
    this.replies = [...document.querySelectorAll(".canned-row")].map((row) => ({
      title: row.querySelector(".canned-title").value,
      text: row.querySelector(".canned-text").value,
    }));
  }

  async saveCanned() {
    this.readEditor();
    try {
      await api.saveCanned(this.replies.filter((r) => r.title.trim() || r.text.trim()));
      toast("快捷回复已保存");
      await this.loadCanned();
    } catch (e) {
      toast(e.message, "bad");
    }
  }

  async loadAudit() {
    const { entries } = await api.audit();
    const body = $("audit");
    clear(body);
    for (const e of entries) {
      body.append(el("tr", {},
        el("td", { text: clock(e.at) }), el("td", { text: `${e.who}（${ROLES[e.role] || e.role}）` }),
        el("td", { text: ACTIONS[e.action] || e.action }), el("td", { text: e.conversation }),
        el("td", { text: e.detail })));
    }
  }
}
