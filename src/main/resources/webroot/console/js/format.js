// Times and labels as staff read them, in Chinese. The server's clock is the reference: the page keeps
// the difference to its own so that waiting times are right on a computer whose clock is off.

let skewMs = 0;

export function syncClock(serverNow) {
  if (serverNow) {
    skewMs = Date.parse(serverNow) - Date.now();
  }
}

export function now() {
  return Date.now() + skewMs;
}

export const LEVELS = {
  critical: "危急",
  urgent: "紧急",
  check: "需确认安全",
  staff: "转人工",
};

export const ROLES = { caseworker: "社工", supervisor: "督导", admin: "管理员", family: "家长/亲属", director: "儿童主任" };

export function duration(ms) {
  const minutes = Math.max(0, Math.round(ms / 60000));
  if (minutes < 1) {
    return "不到 1 分钟";
  }
  if (minutes < 60) {
    return `${minutes} 分钟`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    const rest = minutes % 60;
    return rest ? `${hours} 小时 ${rest} 分` : `${hours} 小时`;
  }
  return `${Math.floor(hours / 24)} 天`;
}

export function clock(iso) {
  if (!iso) {
    return "";
  }
  const d = new Date(iso);
  const today = new Date(now());
  const hm = d.toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false });
  if (d.toDateString() === today.toDateString()) {
    return hm;
  }
  return `${d.getMonth() + 1}月${d.getDate()}日 ${hm}`;
}

/** "等了 12 分钟 · 15 分钟内回复" or "已超时 5 分钟" or "已回复". */
export function responseState(item) {
  const waited = now() - Date.parse(item.waitingSince);
  if (item.firstReplyAt) {
    return { text: `已首次回复 · 开始于 ${clock(item.waitingSince)}`, late: false };
  }
  const due = Date.parse(item.dueAt);
  if (now() > due) {
    return { text: `等了 ${duration(waited)} · 已超过回复时限 ${duration(now() - due)}`, late: true };
  }
  return { text: `等了 ${duration(waited)} · ${clock(item.dueAt)} 前回复`, late: false };
}

export function windowState(item) {
  if (!item.windowOpenUntil) {
    return { open: false, text: "微信窗口：未知" };
  }
  const until = Date.parse(item.windowOpenUntil);
  if (now() < until) {
    return { open: true, text: `可回复到 ${clock(item.windowOpenUntil)}` };
  }
  return { open: false, text: "48 小时窗口已关闭" };
}

export const FIELD_NAMES = {
  phone: "电话",
  id_number: "证件号",
  address: "地址",
  community: "社区",
  town: "街道",
  name: "称呼",
  reporter_name: "称呼",
  child_name: "孩子姓名",
  child_age: "孩子年龄",
  relation: "关系",
  need: "需要",
  handoff_reason: "转人工原因",
  reporter_relation: "和孩子的关系",
  residence: "居住情况",
  home_town: "街道",
  home_community: "社区",
  child_age_months: "孩子年龄",
  urgency: "紧急程度",
  description: "情况说明",
  details: "详细情况",
  alarm_kind: "警报类型",
  safe_now: "现在是否安全",
  police_reported: "是否已报警",
  police_asked_at: "询问报警的时间",
  consent: "同意",
  consent_at: "同意时间",
  unsubscribed_at: "取消关注的时间",
  check_safe: "是否安全",
  child_seen: "见到孩子",
  note: "备注",
  photos: "照片",
  wants_staff: "想找工作人员",
  wants_help: "想要帮助",
  what_changed: "变化",
  changed_on: "变化日期",
  visit_how: "走访方式",
  visit_date: "走访日期",
};

export function fieldName(name) {
  return FIELD_NAMES[name] || name;
}
