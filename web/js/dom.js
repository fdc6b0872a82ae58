// dom: building elements without innerHTML (no markup from data ever reaches
// the page as HTML), and the refusal box every page shows.
import { t, has, getLang } from './i18n.js';

// h('button', {type: 'button', onclick: f}, 'text', child...)
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

// A service's refusal in the reader's language: the code as the service
// said it, the message and hint from the catalogue when it has the code
// (err.CODE, hint.CODE), else the service's own words.
export function refusalBox(err) {
  const code = err.code || 'ERROR';
  const zh = getLang() === 'zh';
  const message = has('err.' + code) ? t('err.' + code) : (zh ? t('err.unknown') + ' ' : '') + (err.message || '');
  const hint = has('hint.' + code) ? t('hint.' + code) : err.hint;
  return h('div', { class: 'refusal', role: 'alert', dataset: { code } },
    h('code', {}, code), ' ', message,
    err.detail ? h('div', { class: 'meta' }, t('refusal.detail'), err.detail) : null,
    hint ? h('div', {}, t('refusal.hint'), hint) : null);
}

export function okBox(text) { return h('div', { class: 'ok', role: 'status' }, text); }

// Where a page shows the outcome of its last action.
export function say(slot, node) { slot.replaceChildren(node); }
