// The queue: the unit's dispatches (GET /api/v1/dispatches), each with a
// countdown to the deadlines still to meet, and the actions on it — sign,
// arrive, progress (with photos' links), resolve, return with a reason. The
// console does not second-guess the rules: every action is offered on an
// open dispatch and the service's refusal is shown (code, message, hint).
// Live: any routing event about a dispatch reloads the list. A dispatch has
// an address, #/queue/ID (its number on the card is the link): the page asks
// the service for it like the "open by number" form does, so a dispatch of
// another unit is NOT_FOUND whichever way it is asked for.
import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, refusalBox, okBox, say } from '../dom.js';
import { onEvent } from '../live.js';
import { deadlines, countdown, when } from '../time.js';

const ENDED = new Set(['resolved', 'returned', 'reassigned', 'released', 'passed_up']);

// grid: the unit is a grid team, which may also pass a case up (上报) to its
// community with a reason (routing.md: beyond, cross, major).
function actionForm(d, reload, out, grid) {
  const id = d.id;
  const text = h('input', { id: `text-${id}`, name: 'text' });
  const media = h('input', { id: `media-${id}`, name: 'media', inputmode: 'url', placeholder: 'https://…' });
  const reason = h('select', { id: `reason-${id}`, name: 'reason' },
    ['function', 'territory', 'ownership'].map(r => h('option', { value: r }, t('reason.' + r))));
  const act = async (verb, body) => {
    try {
      await api('POST', `/api/v1/dispatches/${id}/${verb}`, body);
      say(out, okBox(t('done.' + verb, { id })));
      reload();
    } catch (err) {
      say(out, refusalBox(err));
    }
  };
  const passup = grid ? h('select', { id: `passup-${id}`, name: 'passup' },
    ['beyond', 'cross', 'major'].map(r => h('option', { value: r }, t('passup.' + r)))) : null;
  const links = () => media.value.split(/[\s,]+/).filter(Boolean);
  const b = (verb, fn) => h('button', { type: 'button', dataset: { action: verb }, onclick: fn }, t('act.' + verb));
  return h('div', { class: 'actions' },
    h('div', { class: 'row' },
      b('sign', () => act('sign', {})),
      b('arrive', () => act('arrive', {})),
      b('progress', () => act('progress', { text: text.value, media_urls: links() })),
      b('resolve', () => act('resolve', { text: text.value, media_urls: links() }))),
    h('div', { class: 'field' }, h('label', { for: `text-${id}` }, t('q.text')), text),
    h('div', { class: 'field' }, h('label', { for: `media-${id}` }, t('q.media')), media),
    h('div', { class: 'row' },
      h('label', { for: `reason-${id}` }, t('q.reason')), reason,
      b('return', () => act('return', { reason: reason.value, text: text.value }))),
    grid ? h('div', { class: 'row' },
      h('label', { for: `passup-${id}` }, t('q.passup')), passup,
      b('pass-up', () => act('pass-up', { reason: passup.value, text: text.value }))) : null);
}

function card(d, reload, grid) {
  const out = h('div', { class: 'outcome' });
  const clocks = h('ul', { class: 'deadlines' },
    deadlines(d).map(x => h('li', { class: 'deadline', dataset: { due: x.due, done: x.done ? '1' : '' } },
      t('deadline.' + x.name) + ': ', h('span', { class: 'left' }), x.done ? ' ✓' : '')));
  const area = (d.area_path || []).map(a => a.name).join(' / ');
  return h('article', { class: 'card dispatch', dataset: { id: d.id, state: d.state }, 'aria-labelledby': `d-${d.id}` },
    h('h3', { id: `d-${d.id}` }, h('a', { href: `#/queue/${d.id}` }, t('q.dispatch', { id: d.id })), ' ', h('span', { class: 'badge state' }, t('state.' + d.state))),
    h('div', { class: 'meta' }, [d.category, area, d.case_id ? t('q.case', { id: d.case_id }) : null,
      d.whistle_id ? t('q.whistle', { id: d.whistle_id }) : null, t('q.sent', { when: when(d.sent_ms) })].filter(Boolean).join(' · ')),
    d.description ? h('p', {}, d.description) : null,
    clocks,
    ENDED.has(d.state) ? null : actionForm(d, reload, out, grid),
    out);
}

function tick(root) {
  const now = Date.now();
  for (const li of root.querySelectorAll('.deadline')) {
    const span = li.querySelector('.left');
    if (li.dataset.done) { span.textContent = ''; li.classList.remove('late'); continue; }
    const c = countdown(Number(li.dataset.due), now);
    span.textContent = c.text;
    li.classList.toggle('late', c.late);
  }
}

// ctx.arg: a dispatch's number from the address (#/queue/ID), opened at once;
// ctx.embedded: drawn inside another page (the patrol page), a sub-heading.
export function render(view, ctx = {}) {
  const list = h('div', { id: 'queue-list', 'aria-live': 'polite' });
  const status = h('div', { id: 'queue-status' });
  const open = h('input', { id: 'open-id', name: 'dispatch', inputmode: 'numeric' });
  const filter = h('select', { id: 'filter-state' },
    h('option', { value: '' }, t('q.all')),
    ['sent', 'signed', 'arrived', 'resolved', 'returned', 'passed_up'].map(s => h('option', { value: s }, t('state.' + s))));
  const search = h('input', { id: 'search', type: 'search' });
  let items = [];
  const built = new Map();
  const grid = ((ctx.me && ctx.me.units) || []).some(u => u.kind === 'grid_team');
  const draw = () => {
    const q = search.value.trim();
    const shown = items.filter(d => (!filter.value || d.state === filter.value) &&
      (!q || JSON.stringify([d.id, d.case_id, d.category, d.description, d.area_path]).includes(q)));
    // A card whose dispatch did not change is kept, with what was typed in it.
    const cards = shown.map(d => {
      const key = JSON.stringify(d), had = built.get(d.id);
      if (had && had.key === key) return had.el;
      const el = card(d, reload, grid);
      built.set(d.id, { key, el });
      return el;
    });
    list.replaceChildren(...(cards.length ? cards : [h('p', {}, t('q.empty'))]));
    tick(list);
  };
  let generation = 0; // only the latest of overlapping loads draws
  const reload = async () => {
    const mine = ++generation;
    try {
      const r = await api('GET', '/api/v1/dispatches?limit=200');
      if (mine !== generation) return;
      items = r.items || [];
      draw();
    } catch (err) {
      say(status, refusalBox(err));
    }
  };
  const openOne = async e => {
    e.preventDefault();
    await openId(open.value.trim());
  };
  const openId = async id => {
    try {
      const r = await api('GET', `/api/v1/dispatches/${encodeURIComponent(id)}`);
      const d = r.item;
      if (!items.some(x => x.id === d.id)) items.unshift(d);
      status.replaceChildren();
      draw();
      list.querySelector(`[data-id="${d.id}"]`)?.scrollIntoView();
      list.querySelector(`[data-id="${d.id}"]`)?.classList.add('opened');
    } catch (err) {
      say(status, refusalBox(err));
    }
  };
  filter.addEventListener('change', draw);
  search.addEventListener('input', draw);
  view.append(h(ctx.embedded ? 'h3' : 'h2', {}, t('page.queue')),
    h('div', { class: 'card row' },
      h('label', { for: 'filter-state' }, t('q.filter')), filter,
      h('label', { for: 'search' }, t('q.search')), search),
    h('form', { class: 'card row', onsubmit: openOne },
      h('label', { for: 'open-id' }, t('q.open')), open, h('button', { type: 'submit' }, t('q.openGo'))),
    status, list);
  reload().then(() => { if (ctx.arg) openId(ctx.arg); });
  let pending = null;
  const off = onEvent(ev => {
    if (ev.stream !== 'routing') return;
    clearTimeout(pending);
    pending = setTimeout(reload, 150);
  });
  const timer = setInterval(() => tick(list), 1000);
  return () => { off(); clearInterval(timer); clearTimeout(pending); };
}
