// api: every call to the gateway's /api/v1/. It adds the CSRF token the
// login gave to every request that changes something, and turns a refusal
// into a Refusal carrying the service's code, message, detail and hint.
let csrf = null;
let unit = null; // X-Gov-Unit, for a person in several units

export class Refusal extends Error {
  constructor(status, e) {
    super(e.message || e.code);
    this.status = status;
    this.code = e.code || 'HTTP_' + status;
    this.detail = e.detail || '';
    this.hint = e.hint || '';
  }
}

export function setCsrf(token) { if (token) csrf = token; }

// The unit a person in several units acts for (null: the gateway's default).
export function setUnit(code) { unit = code || null; }

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  if (unit) headers['X-Gov-Unit'] = unit;
  let r;
  try {
    r = await fetch(path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new Refusal(0, { code: 'NETWORK', message: String(e) });
  }
  const text = await r.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!r.ok) throw new Refusal(r.status, (data && data.error) || { code: 'HTTP_' + r.status, message: text.slice(0, 200) });
  return data;
}
