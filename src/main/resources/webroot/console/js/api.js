// The console's JSON API. Every state change carries the session's CSRF token; a 401 means the session
// ended (signed out elsewhere, disabled, expired) and sends the page back to the sign-in form.

let csrfToken = null;
let onSignedOut = () => {};

export function setCsrfToken(token) {
  csrfToken = token;
}

export function whenSignedOut(handler) {
  onSignedOut = handler;
}

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.code;
    this.body = body || {};
  }
}

export async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") {
    headers["X-CSRF-Token"] = csrfToken || "";
  }
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
  }
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await response.json();
  } catch (e) {
    data = null;
  }
  if (response.status === 401 && path !== "/console/api/session") {
    onSignedOut();
  }
  if (!response.ok) {
    throw new ApiError(response.status, data);
  }
  return data;
}

export const api = {
  signIn: (username, password) => call("POST", "/console/api/session", { username, password }),
  me: () => call("GET", "/console/api/me"),
  signOut: () => call("DELETE", "/console/api/session"),
  signOutEverywhere: () => call("POST", "/console/api/sign-out-everywhere"),
  inbox: (queue) => call("GET", `/console/api/inbox?queue=${encodeURIComponent(queue)}`),
  next: () => call("POST", "/console/api/next"),
  conversation: (id, refresh) =>
    call("GET", `/console/api/conversations/${encodeURIComponent(id)}${refresh ? "?refresh=1" : ""}`),
  act: (id, action, body) => call("POST", `/console/api/conversations/${encodeURIComponent(id)}/${action}`, body || {}),
  canned: () => call("GET", "/console/api/canned-replies"),
  saveCanned: (replies) => call("PUT", "/console/api/canned-replies", { replies }),
  staff: () => call("GET", "/console/api/staff"),
  accounts: () => call("GET", "/console/api/accounts"),
  createAccount: (account) => call("POST", "/console/api/accounts", account),
  setDisabled: (username, disabled) =>
    call("POST", `/console/api/accounts/${encodeURIComponent(username)}/disable`, { disabled }),
  resetPassword: (username, password) =>
    call("POST", `/console/api/accounts/${encodeURIComponent(username)}/password`, { password }),
  audit: () => call("GET", "/console/api/audit?limit=200"),
};
