// CareLine sandbox simulator. Plain ES2020, no build step, no third-party code.
//
// Everything the page sends goes to /sandbox/api/send, which signs (and in safe mode encrypts) a WeChat
// message and POSTs it to the service's real /wechat. Messages the service pushes later (customer-service
// and template messages, through the fake WeChat API) are fetched from /sandbox/api/pushed every second.
"use strict";

(() => {
  const API = {
    personas: "/sandbox/api/personas",
    menu: "/sandbox/api/menu",
    send: "/sandbox/api/send",
    pushed: "/sandbox/api/pushed",
  };
  const POLL_MS = 1000;
  const MAX_ITEMS = 300;
  const TIME_GAP_MS = 3 * 60 * 1000;
  const LOCATION = { lat: 32.4902, lng: 119.9308, label: "泰州市医药高新区凤凰街道" };
  // Used when the service has no menu file (the keys the flows understand).
  const DEFAULT_MENU = {
    button: [
      { type: "click", name: "我要求助", key: "MENU_HELP" },
      { type: "click", name: "情况变化", key: "MENU_CHANGE" },
      { type: "click", name: "查询进度", key: "MENU_STATUS" },
    ],
  };
  // Readable labels for template fields ("thing1" -> 事项).
  const FIELD_LABELS = {
    thing: "事项", time: "时间", date: "日期", character_string: "编号", phrase: "状态", number: "数量",
    amount: "金额", name: "姓名", phone_number: "电话", letter: "字母", symbol: "符号", car_number: "车牌",
    const: "说明",
  };

  const $ = (id) => document.getElementById(id);
  const ui = {
    persona: $("persona"),
    chat: $("chat"),
    typing: $("typing"),
    follow: $("follow"),
    followHint: $("follow-hint"),
    location: $("send-location"),
    image: $("send-image"),
    composer: $("composer"),
    input: $("message-input"),
    send: $("send"),
    menu: $("menu"),
    safeBadge: $("safe-mode"),
    captionSafe: $("caption-safe"),
  };

  let personas = [];
  let currentId = null;
  const states = new Map(); // persona id -> {followed, items, next}
  const inFlight = new Map(); // persona id -> sends not yet answered
  const baselines = new Map(); // persona id -> pending first look at the pushed messages
  let sendChain = Promise.resolve(); // sends leave one at a time, in the order they were typed
  let polling = false;

  // ---- persona state, kept in sessionStorage so switching back shows the conversation -------------------

  const storageKey = (p) => `careline-sim:${p.openid}`;
  const persona = (id) => personas.find((p) => p.id === id);

  function stateOf(id) {
    if (!states.has(id)) {
      const p = persona(id);
      let saved = null;
      try {
        saved = JSON.parse(sessionStorage.getItem(storageKey(p)) || "null");
      } catch (e) {
        saved = null;
      }
      // The parent and the director already follow the account; the newcomer is about to.
      states.set(id, saved || { followed: p.id !== "newcomer", items: [], next: null });
    }
    return states.get(id);
  }

  function save(id) {
    const st = stateOf(id);
    if (st.items.length > MAX_ITEMS) {
      st.items.splice(0, st.items.length - MAX_ITEMS);
    }
    try {
      sessionStorage.setItem(storageKey(persona(id)), JSON.stringify(st));
    } catch (e) {
      // Storage full or disabled: the conversation still works, it just won't survive a switch.
    }
  }

  function addItem(id, item) {
    const st = stateOf(id);
    item.at = item.at || Date.now();
    const last = st.items[st.items.length - 1];
    const added = [];
    if (!last || item.at - last.at > TIME_GAP_MS) {
      added.push({ kind: "time", at: item.at });
    }
    added.push(item);
    st.items.push(...added);
    save(id);
    if (id === currentId) {
      ui.chat.querySelector(".empty")?.remove();
      added.forEach((it) => ui.chat.append(render(it)));
      scrollToEnd();
    }
  }

  // ---- rendering ------------------------------------------------------------------------------------------

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    }
    node.append(...children);
    return node;
  }

  const clock = (ms) => new Date(ms).toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" });

  function row(from, bubble) {
    const p = persona(currentId);
    const avatar = from === "bot"
      ? el("span", { class: "avatar bot", "aria-hidden": "true", text: "爱" })
      : el("span", { class: "avatar user", "aria-hidden": "true", text: (p?.name || "我").charAt(0) });
    const who = el("span", { class: "visually-hidden", text: from === "bot" ? "公众号：" : "我：" });
    return el("div", { class: `row ${from}` }, avatar, who, bubble);
  }

  function render(item) {
    switch (item.kind) {
      case "time":
        return el("p", { class: "notice time", text: clock(item.at) });
      case "notice":
        return el("p", { class: `notice${item.tone === "error" ? " error" : ""}`, "data-testid": "notice",
          text: item.text });
      case "text":
        return row(item.from, el("div", { class: `bubble ${item.from}`, "data-testid": `bubble-${item.from}`,
          text: item.text }));
      case "location":
        return row("user", el("div", { class: "bubble user location", "data-testid": "bubble-user" },
          el("div", { class: "place", text: item.label }),
          el("div", { class: "hint", text: `北纬 ${item.lat.toFixed(4)}°，东经 ${item.lng.toFixed(4)}°` }),
          el("div", { class: "map", role: "img", "aria-label": `位置：${item.label}` })));
      case "image":
        return row("user", el("div", { class: "bubble user image", "data-testid": "bubble-user" },
          el("div", { class: "photo", role: "img", "aria-label": "一张模拟的照片", text: "模拟照片" })));
      case "card":
        return row("bot", templateCard(item));
      default:
        return el("p", { class: "notice", text: String(item.text || "") });
    }
  }

  function templateCard(item) {
    const fields = el("dl");
    for (const [key, value] of Object.entries(item.data || {})) {
      const prefix = key.replace(/\d+$/, "");
      fields.append(el("dt", { text: FIELD_LABELS[prefix] || key }), el("dd", { text: String(value) }));
    }
    return el("div", { class: "bubble bot card", "data-testid": "bubble-bot" },
      el("h2", { text: "服务通知" }),
      fields,
      el("div", { class: "card-foot", text: `模板消息 · ${item.templateId || "未命名模板"}` }));
  }

  function renderAll() {
    ui.chat.replaceChildren();
    const st = stateOf(currentId);
    if (st.items.length === 0) {
      ui.chat.append(el("p", { class: "empty", text: st.followed
        ? "还没有消息。\n可以直接输入，或点下面的菜单。"
        : "还没有关注公众号。\n点“关注”开始。" }));
    } else {
      st.items.forEach((it) => ui.chat.append(render(it)));
    }
    scrollToEnd();
  }

  function scrollToEnd() {
    ui.chat.scrollTop = ui.chat.scrollHeight;
  }

  function updateControls() {
    const st = currentId ? stateOf(currentId) : null;
    const ready = Boolean(st);
    const canTalk = ready && st.followed;
    ui.follow.disabled = !ready;
    ui.follow.textContent = canTalk ? "取消关注" : "关注";
    ui.follow.setAttribute("aria-pressed", String(canTalk));
    ui.followHint.hidden = !ready || canTalk;
    for (const control of [ui.location, ui.image, ui.input, ui.send]) {
      control.disabled = !canTalk;
    }
    ui.menu.querySelectorAll("button").forEach((b) => { b.disabled = !canTalk; });
    if (!canTalk) closeMenus();
    updateTyping();
  }

  function updateTyping() {
    ui.typing.textContent = (inFlight.get(currentId) || 0) > 0 ? "正在输入…" : "";
  }

  // ---- talking to the service -----------------------------------------------------------------------------

  async function fetchJson(url, options) {
    const response = await fetch(url, options);
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    if (!response.ok) {
      const reason = body && body.error ? body.error : `HTTP ${response.status}`;
      throw new Error(reason);
    }
    return body;
  }

  /** Shows {@code echo} at once, then sends {@code message} after any earlier send has been answered. */
  function send(message, echo) {
    const id = currentId;
    const p = persona(id);
    if (echo) addItem(id, echo);
    inFlight.set(id, (inFlight.get(id) || 0) + 1);
    updateTyping();
    sendChain = sendChain.then(async () => {
      try {
        await baseline(id);
        const answer = await fetchJson(API.send, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ openid: p.openid, ...message }),
        });
        if (answer.reply) {
          addItem(id, { kind: "text", from: "bot", text: answer.reply });
        } else if (answer.status !== 200) {
          addItem(id, { kind: "notice", tone: "error", text: `服务回应 HTTP ${answer.status}，消息未送达` });
        }
        // Otherwise the service answered "success": any reply arrives later as a pushed message.
      } catch (e) {
        addItem(id, { kind: "notice", tone: "error", text: `发送失败：${e.message}` });
      } finally {
        inFlight.set(id, inFlight.get(id) - 1);
        if (id === currentId) updateTyping();
      }
    });
    return sendChain;
  }

  function sendText(event) {
    event.preventDefault();
    const text = ui.input.value.trim();
    if (!text || ui.send.disabled) return;
    ui.input.value = "";
    send({ type: "text", content: text }, { kind: "text", from: "user", text });
    ui.input.focus();
  }

  function toggleFollow() {
    const id = currentId;
    const st = stateOf(id);
    st.followed = !st.followed;
    save(id);
    if (st.followed) {
      send({ type: "follow" }, { kind: "notice", text: "你关注了公众号" });
    } else {
      send({ type: "unfollow" }, { kind: "notice", text: "已取消关注" });
    }
    updateControls();
  }

  function sendLocation() {
    send({ type: "location", ...LOCATION }, { kind: "location", ...LOCATION });
  }

  function sendImage() {
    send({ type: "image" }, { kind: "image" });
  }

  function sendClick(key, name) {
    send({ type: "click", key }, { kind: "notice", text: `点击了菜单「${name}」` });
  }

  /**
   * Where this browser session starts reading a persona's pushed messages: older pushes are not replayed.
   * Sends wait for it, so a reply pushed right after the first send is never taken for an old one.
   */
  function baseline(id) {
    const st = stateOf(id);
    if (st.next !== null) return Promise.resolve();
    if (!baselines.has(id)) {
      const url = `${API.pushed}?openid=${encodeURIComponent(persona(id).openid)}&after=2147483647`;
      baselines.set(id, fetchJson(url).then((answer) => {
        st.next = answer.next;
        save(id);
      }).finally(() => baselines.delete(id)));
    }
    return baselines.get(id);
  }

  async function poll() {
    if (polling || !currentId) return;
    polling = true;
    const id = currentId;
    const st = stateOf(id);
    try {
      if (st.next === null) {
        await baseline(id);
        return;
      }
      const url = `${API.pushed}?openid=${encodeURIComponent(persona(id).openid)}&after=${st.next}`;
      const answer = await fetchJson(url);
      answer.messages.forEach((m) => addItem(id, pushedItem(m)));
      st.next = answer.next;
      save(id);
    } catch (e) {
      // The service may be restarting; the next tick tries again.
    } finally {
      polling = false;
    }
  }

  function pushedItem(m) {
    const at = Date.parse(m.time) || Date.now();
    if (m.type === "template") {
      return { kind: "card", templateId: m.templateId, data: m.data || {}, at };
    }
    if (m.text != null) {
      return { kind: "text", from: "bot", text: m.text, at };
    }
    return { kind: "notice", text: `公众号发来一条${m.type}消息（沙盒不显示内容）`, at };
  }

  // ---- the custom menu ------------------------------------------------------------------------------------

  function closeMenus(except) {
    ui.menu.querySelectorAll(".submenu").forEach((list) => {
      if (list === except) return;
      list.hidden = true;
      list.previousElementSibling?.setAttribute("aria-expanded", "false");
    });
  }

  function menuAction(item) {
    return () => {
      closeMenus();
      switch (item.type) {
        case "click":
          sendClick(item.key || "", item.name);
          break;
        case "location_select":
          sendLocation();
          break;
        case "pic_sysphoto":
        case "pic_photo_or_album":
        case "pic_weixin":
          sendImage();
          break;
        case "view":
          addItem(currentId, { kind: "notice", text: `菜单「${item.name}」打开网页：${item.url}（沙盒中不跳转）` });
          break;
        default:
          addItem(currentId, { kind: "notice", text: `沙盒暂不支持“${item.type}”类型的菜单` });
      }
    };
  }

  function renderMenu(menu) {
    const buttons = (menu && Array.isArray(menu.button) ? menu.button : DEFAULT_MENU.button).slice(0, 3);
    ui.menu.replaceChildren();
    buttons.forEach((b, i) => {
      const cell = el("div", { class: "menu-item" });
      const top = el("button", { type: "button", class: "menu-button", "data-testid": `menu-${i}`, text: b.name });
      cell.append(top);
      const subs = Array.isArray(b.sub_button) ? b.sub_button.slice(0, 5) : [];
      if (subs.length > 0) {
        const list = el("ul", { class: "submenu", id: `submenu-${i}`, role: "menu", "aria-label": b.name });
        list.hidden = true;
        subs.forEach((s) => {
          const choice = el("button", { type: "button", role: "menuitem", "data-testid": "menu-item",
            "data-key": s.key || "", text: s.name });
          choice.addEventListener("click", menuAction(s));
          list.append(el("li", { role: "none" }, choice));
        });
        top.setAttribute("aria-haspopup", "menu");
        top.setAttribute("aria-expanded", "false");
        top.setAttribute("aria-controls", list.id);
        top.addEventListener("click", () => {
          const open = list.hidden;
          closeMenus(list);
          list.hidden = !open;
          top.setAttribute("aria-expanded", String(open));
          if (open) list.querySelector("button")?.focus();
        });
        list.addEventListener("keydown", (e) => menuKeys(e, list, top));
        // Tabbing out of an open sub-menu closes it, as a click elsewhere does.
        cell.addEventListener("focusout", (e) => {
          if (!cell.contains(e.relatedTarget)) closeMenus();
        });
        cell.append(list);
      } else {
        top.dataset.key = b.key || "";
        top.addEventListener("click", menuAction(b));
      }
      ui.menu.append(cell);
    });
    updateControls();
  }

  function menuKeys(event, list, toggle) {
    const items = [...list.querySelectorAll("button")];
    const at = items.indexOf(document.activeElement);
    if (event.key === "Escape") {
      closeMenus();
      toggle.focus();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      items[(at + step + items.length) % items.length].focus();
    }
  }

  // ---- start --------------------------------------------------------------------------------------------

  function selectPersona(id) {
    currentId = id;
    sessionStorage.setItem("careline-sim:current", id);
    ui.persona.value = id;
    closeMenus();
    renderAll();
    updateControls();
    poll();
  }

  async function start() {
    ui.composer.addEventListener("submit", sendText);
    ui.follow.addEventListener("click", toggleFollow);
    ui.location.addEventListener("click", sendLocation);
    ui.image.addEventListener("click", sendImage);
    ui.persona.addEventListener("change", () => selectPersona(ui.persona.value));
    document.addEventListener("click", (e) => {
      if (!ui.menu.contains(e.target)) closeMenus();
    });
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape") closeMenus();
    });
    updateControls();

    let info;
    try {
      info = await fetchJson(API.personas);
    } catch (e) {
      ui.chat.append(el("p", { class: "notice error", text: `无法连接模拟器：${e.message}` }));
      return;
    }
    personas = info.personas;
    ui.safeBadge.hidden = !info.safeMode;
    ui.captionSafe.hidden = !info.safeMode;
    ui.persona.replaceChildren(...personas.map((p) => el("option", { value: p.id, text: p.name })));
    ui.persona.disabled = false;

    const remembered = sessionStorage.getItem("careline-sim:current");
    selectPersona(persona(remembered) ? remembered : personas[0].id);

    fetchJson(API.menu).then(renderMenu, () => renderMenu(DEFAULT_MENU));
    setInterval(poll, POLL_MS);
  }

  start();
})();
