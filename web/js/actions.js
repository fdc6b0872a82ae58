// actions: a command as data. A page lists its actions as rows — the label's
// key, the method and path, the fields — and actionForm(spec) makes the form:
// a <label> on every control, the service's answer (or its refusal, with code,
// message and hint) in the form's own status slot. A new step of a service is
// a new row, not new code. Field kinds: text, textarea, number, select
// (options), check (a boolean), list (comma- or line-separated → array),
// datetime (→ ms since the epoch).
import { api } from './api.js';
import { t } from './i18n.js';
import { h, refusalBox, okBox, say } from './dom.js';

let serial = 0;

function control(f, id) {
  switch (f.kind) {
    case 'textarea': case 'list':
      return h('textarea', { id, rows: 2, required: f.required || null });
    case 'number':
      return h('input', { id, type: 'number', inputmode: 'numeric', required: f.required || null, value: f.value ?? null });
    case 'select':
      return h('select', { id }, f.options.map(o => h('option', { value: o }, t(f.prefix ? f.prefix + o : o))));
    case 'check':
      return h('input', { id, type: 'checkbox' });
    case 'datetime':
      return h('input', { id, type: 'datetime-local', required: f.required || null, value: f.value ?? null });
    default:
      return h('input', { id, required: f.required || null, value: f.value ?? null });
  }
}

function value(f, el) {
  switch (f.kind) {
    case 'number': return el.value.trim() === '' ? undefined : Number(el.value);
    case 'check': return el.checked;
    case 'list': return el.value.split(/[,，\n]/).map(s => s.trim()).filter(Boolean);
    case 'datetime': return el.value ? new Date(el.value).getTime() : undefined;
    default: return el.value.trim() === '' ? undefined : el.value.trim();
  }
}

// spec: {key (the label's i18n key), method ('POST'), path (a string or a
// function of nothing), fields: [{name, label, kind, options, prefix,
// required, value}], extra() → fields the page adds (its filter's community),
// done(reply) → text or node shown on success}.
export function actionForm(spec) {
  const n = ++serial;
  const els = {};
  const status = h('div', { class: 'outcome', 'aria-live': 'polite' });
  const rows = (spec.fields || []).map(f => {
    const id = `a${n}-${f.name}`;
    els[f.name] = control(f, id);
    return h('div', { class: f.kind === 'check' ? 'field row' : 'field' },
      h('label', { for: id }, t(f.label || 'f.' + f.name)), els[f.name]);
  });
  const form = h('form', { class: 'action', dataset: { action: spec.key } },
    ...rows, h('button', { type: 'submit' }, t(spec.key)), status);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const body = spec.extra ? spec.extra() : {};
    for (const f of spec.fields || []) {
      const v = value(f, els[f.name]);
      if (v !== undefined) body[f.name] = v;
    }
    const path = typeof spec.path === 'function' ? spec.path() : spec.path;
    try {
      const reply = await api(spec.method || 'POST', path, spec.method === 'GET' ? undefined : body);
      const shown = spec.done ? spec.done(reply, body) : null;
      say(slot(form, status), shown instanceof Node ? shown : okBox(shown || t('a.done')));
    } catch (err) { say(slot(form, status), refusalBox(err)); }
  });
  return form;
}

// A <details> holding a set of action forms, one open at a time by choice.
export function actionSet(label, specs) {
  return h('details', { class: 'actions' }, h('summary', {}, t(label)), ...specs.map(actionForm));
}

// A list that is drawn again (on a live event, after an action) keeps what
// each form last said: keepOutcomes(root) before, restoreOutcomes(root, kept)
// after. Forms are known by their card's data-id and their action.
const formKey = f => (f.closest('[data-id]') || {}).dataset?.id + '|' + f.dataset.action;

// Where a form's answer goes: its own slot, or, when a live event drew the
// list again while the request was out, the slot of the form that replaced it.
function slot(form, status) {
  if (form.isConnected) return status;
  const key = formKey(form);
  const now = [...document.querySelectorAll('form.action')].find(f => formKey(f) === key);
  return now ? now.querySelector('.outcome') : status;
}

// A control's field name: its id is a<serial>-<name>.
const fieldOf = el => el.id.slice(el.id.indexOf('-') + 1);

// What was typed in them is kept too, so a live event does not wipe a form
// being filled in.
export function keepOutcomes(root) {
  const kept = new Map();
  for (const f of root.querySelectorAll('form.action')) {
    const o = f.querySelector('.outcome');
    const typed = [...f.querySelectorAll('input, select, textarea')].map(el =>
      [fieldOf(el), el.type === 'checkbox' ? el.checked : el.value]);
    kept.set(formKey(f), { nodes: o && o.firstChild ? [...o.childNodes] : null, typed });
  }
  return kept;
}

export function restoreOutcomes(root, kept) {
  for (const f of root.querySelectorAll('form.action')) {
    const k = kept.get(formKey(f));
    if (!k) continue;
    if (k.nodes) f.querySelector('.outcome').replaceChildren(...k.nodes);
    for (const [name, v] of k.typed) {
      const el = f.querySelector(`[id$="-${name}"]`);
      if (!el) continue;
      if (el.type === 'checkbox') el.checked = v; else el.value = v;
    }
  }
}
