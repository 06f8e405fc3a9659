// The list of chats handed to staff: urgent first, then the longest waiting (the server's order).
import { api } from "./api.js";
import { $, el, clear } from "./dom.js";
import { LEVELS, responseState, windowState, syncClock } from "./format.js";

const EMPTY = {
  unassigned: "现在没有等待接手的对话。有人转人工或说到危险时，会马上出现在这里，并响铃提醒。",
  mine: "您手上没有对话。按「下一位」接手最紧急的一位。",
  all: "现在没有转给人工的对话。",
};

export class Inbox {
  constructor(onOpen) {
    this.queue = "unassigned";
    this.items = [];
    this.selected = null;
    this.onOpen = onOpen;
  }

  setQueue(queue) {
    this.queue = queue;
    for (const b of document.querySelectorAll(".queue")) {
      b.setAttribute("aria-pressed", String(b.dataset.queue === queue));
    }
    return this.refresh();
  }

  async refresh() {
    const data = await api.inbox(this.queue);
    syncClock(data.now);
    this.items = data.items;
    for (const [queue, count] of Object.entries(data.counts)) {
      const c = $(`count-${queue}`);
      if (c) {
        c.textContent = String(count);
      }
    }
    this.render();
    return data;
  }

  render() {
    const list = $("inbox");
    clear(list);
    for (const item of this.items) {
      list.append(this.row(item));
    }
    const empty = $("inbox-empty");
    empty.hidden = this.items.length > 0;
    empty.textContent = EMPTY[this.queue];
  }

  row(item) {
    const response = responseState(item);
    const window = windowState(item);
    const level = item.level || (item.urgent ? "urgent" : "staff");
    return el("li", {},
      el("button", {
        type: "button",
        class: `item level-${level}${item.id === this.selected ? " selected" : ""}${response.late ? " late" : ""}`,
        "data-testid": "inbox-item",
        "data-id": item.id,
        "data-level": level,
        "aria-current": item.id === this.selected ? "true" : null,
        onclick: () => this.onOpen(item.id),
      },
      el("span", { class: "item-top" },
        el("span", { class: `level level-${level}`, text: LEVELS[level] || level }),
        el("span", { class: "reason", text: item.reason || "转人工" }),
        item.assignee ? el("span", { class: item.assigneeDisabled ? "assignee disabled" : "assignee", "data-testid": "row-assignee",
          text: `由 ${item.assigneeName || item.assignee} 负责${item.assigneeDisabled ? "（账号已停用）" : ""}` }) : null),
      item.triggerText && item.triggerText !== item.lastMessage
        ? el("span", { class: "trigger", "data-testid": "trigger-text", text: `起因：${item.triggerText}` }) : null,
      el("span", { class: "last", "data-testid": "last-message", text: item.lastMessage || "（没有文字消息）" }),
      el("span", { class: "item-foot" },
        el("span", { class: response.late ? "late-text" : "", text: response.text }),
        el("span", { class: window.open ? "window-open" : "window-closed", text: window.text }),
        item.policeReport ? el("span", { class: "police", text: "已报警" }) : null)));
  }

  select(id) {
    this.selected = id;
    this.render();
  }

  /** Re-draws the waiting times without asking the server. */
  tick() {
    if (this.items.length) {
      this.render();
    }
  }
}
