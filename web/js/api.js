// The HTTP API client. The session cookie is HttpOnly (JavaScript never sees it); every
// state-changing request carries the CSRF token the server gave at login (or from /api/me).

let csrfToken = null;
let hooks = { unauthenticated: () => {}, refreshCsrf: async () => false };

export function setCsrf(token) {
  csrfToken = token || null;
}

/**
 * What the app does when an answer says the session is gone (`unauthenticated`), or that
 * the CSRF token is stale (`refreshCsrf` fetches a new one; the request is retried once).
 */
export function setSessionHooks(h) {
  hooks = h;
}

/** An answer in the server's error shape: a stable `code` the UI translates, and a message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * A fresh Idempotency-Key: one per user action, kept across that action's retries, so a send
 * whose answer was lost is not done twice (getRandomValues works without HTTPS too).
 */
function newIdempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function request(method, path, body, options = {}) {
  if (method === "POST" && !path.startsWith("/api/auth/") && !options.idempotencyKey) {
    options = { ...options, idempotencyKey: newIdempotencyKey() };
  }
  try {
    return await send(method, path, body, options);
  } catch (err) {
    if (err.code === "csrf_failed" && !options.retried && (await hooks.refreshCsrf())) {
      return request(method, path, body, { ...options, retried: true });
    }
    if (err.code === "unauthenticated") hooks.unauthenticated();
    throw err;
  }
}

async function send(method, path, body, { raw = false, contentType, idempotencyKey } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  let payload;
  if (raw) {
    payload = body;
    if (contentType) headers["Content-Type"] = contentType;
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers["Content-Type"] = "application/json";
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
  } catch {
    throw new ApiError(0, "network", "the server could not be reached");
  }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const err = data && data.error;
    throw new ApiError(res.status, err?.code || "internal", err?.message || res.statusText);
  }
  return data;
}

export const api = {
  get: (path) => request("GET", path),
  post: (path, body) => request("POST", path, body ?? {}),
  put: (path, body) => request("PUT", path, body ?? {}),
  patch: (path, body) => request("PATCH", path, body),
  del: (path) => request("DELETE", path),
  upload: (path, file) => request("PUT", path, file, { raw: true, contentType: file.type }),
};

/** Builds a query string, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}
