// The street office's whistles (吹哨报到): blow one (日常/攻坚/应急) from a
// point on the map or from a case, choosing the departments; a board of its
// whistles with, per department, signed / arrived / resolved or the time
// left, updated live; and the rating of each department once a whistle has
// closed (双考核). The departments offered are the lead units of the routing
// rules (GET /api/v1/rules). The board is the unit's own whistles (GET
// /api/v1/whistles, newest first) and any opened by number; the live feed
// carries each summoned department's dispatch events to the street office
// that blew the whistle (services/gateway/feedscope.c), so a signature shows
// without a reload and without polling.
import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, refusalBox, okBox, say } from '../dom.js';
import { areaMap } from '../map.js';
import { onEvent } from '../live.js';
import { deadlines, countdown } from '../time.js';

export function render(view) {
  const opened = new Set(); // whistles opened by number that are not the unit's own
  const remember = id => opened.add(Number(id));
  const out = h('div', {});
  const board = h('div', { id: 'whistle-board', 'aria-live': 'polite' });
  const mapEl = h('div', { id: 'whistle-map', class: 'map' });
  const kind = h('select', { id: 'w-kind' }, ['routine', 'hard', 'emergency'].map(k => h('option', { value: k }, t('wkind.' + k))));
  const reason = h('input', { id: 'w-reason', required: true });
  const caseId = h('input', { id: 'w-case', inputmode: 'numeric' });
  const depts = h('fieldset', { id: 'w-depts' }, h('legend', {}, t('w.depts')));
  const openId = h('input', { id: 'w-open', inputmode: 'numeric' });
  let picked = null, marker = null, map = null;

  const drawOne = w => h('article', { class: 'card whistle', dataset: { id: w.id, state: w.state } },
    h('h3', {}, t('w.whistle', { id: w.id }), ' ', h('span', { class: 'badge' }, t('wkind.' + w.kind)), ' ',
      h('span', { class: 'badge' }, t('wstate.' + w.state))),
    h('p', {}, w.reason),
    h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, h('th', {}, t('w.dept')), h('th', {}, t('w.state')), h('th', {}, t('w.left')), w.state === 'closed' ? h('th', {}, t('w.rate')) : null)),
      h('tbody', {}, (w.dispatches || []).map(d => {
        const next = deadlines(d).find(x => !x.done);
        const c = next ? countdown(next.due, Date.now()) : null;
        return h('tr', { dataset: { unit: d.unit } },
          h('td', {}, d.unit_name || d.unit),
          h('td', {}, t('state.' + d.state)),
          h('td', { class: c && c.late ? 'deadline late' : 'deadline' }, c ? t('deadline.' + next.name) + ' ' + c.text : '—'),
          w.state === 'closed' ? h('td', {}, rateForm(w, d)) : null);
      })))));

  const rateForm = (w, d) => {
    const id = `rate-${w.id}-${d.id}`;
    const score = h('select', { id }, [5, 4, 3, 2, 1].map(s => h('option', { value: s }, String(s))));
    const res = h('span', {});
    return h('span', { class: 'row' }, h('label', { for: id }, t('w.score')), score,
      h('button', { type: 'button', onclick: async () => {
        try {
          await api('POST', `/api/v1/whistles/${w.id}/rating`, { dispatch_id: d.id, score: Number(score.value) });
          say(res, okBox(t('w.rated')));
        } catch (err) { say(res, refusalBox(err)); }
      } }, t('w.rate')), res);
  };

  // Loads overlap (an event, the poll, a new whistle): only the latest one
  // draws, so a slow earlier answer never overwrites a newer board.
  let generation = 0;
  const loadBoard = async () => {
    const mine = ++generation;
    const own = await api('GET', '/api/v1/whistles?limit=20').then(r => r.items || [], err => [err]);
    const ownIds = new Set(own.map(w => w.id));
    const extra = await Promise.all([...opened].filter(id => !ownIds.has(id)).reverse().map(id =>
      api('GET', `/api/v1/whistles/${id}`).then(r => r.item, err => err)));
    if (mine !== generation) return;
    const cards = [...extra, ...own].map(w => (w && w.id ? drawOne(w) : refusalBox(w)));
    board.replaceChildren(...(cards.length ? cards : [h('p', {}, t('w.none'))]));
  };

  const form = h('form', { class: 'card', 'aria-labelledby': 'w-title' },
    h('h3', { id: 'w-title' }, t('w.blow')),
    h('p', { class: 'meta' }, t('w.howto')), mapEl,
    h('div', { class: 'field' }, h('label', { for: 'w-kind' }, t('w.kind')), kind),
    h('div', { class: 'field' }, h('label', { for: 'w-reason' }, t('w.reason')), reason),
    h('div', { class: 'field' }, h('label', { for: 'w-case' }, t('w.case')), caseId),
    depts, h('button', { type: 'submit' }, t('w.submit')), out);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const body = { kind: kind.value, reason: reason.value,
      departments: [...depts.querySelectorAll('input:checked')].map(i => i.value) };
    if (caseId.value.trim()) body.case_id = Number(caseId.value);
    if (picked) body.point = { lat: picked.lat, lon: picked.lng };
    try {
      const r = await api('POST', '/api/v1/whistles', body);
      say(out, okBox(t('w.blown', { id: r.item.id })));
      loadBoard();
    } catch (err) { say(out, refusalBox(err)); }
  });
  const openForm = h('form', { class: 'card row', onsubmit: e => { e.preventDefault(); if (openId.value.trim()) { remember(openId.value.trim()); loadBoard(); } } },
    h('label', { for: 'w-open' }, t('w.open')), openId, h('button', { type: 'submit' }, t('q.openGo')));

  view.append(h('h2', {}, t('page.whistles')), form, openForm, h('h3', {}, t('w.board')), board);
  (async () => {
    try {
      const rules = await api('GET', '/api/v1/rules');
      const leads = [...new Set((rules.items || []).flatMap(r => [r.lead, ...(r.assists || [])]))].filter(c => c.startsWith('dept.')).sort();
      depts.append(...leads.map(c => h('label', { class: 'row' }, h('input', { type: 'checkbox', value: c, name: 'department' }), t('unit.' + c) === 'unit.' + c ? c : t('unit.' + c))));
    } catch (err) { say(out, refusalBox(err)); }
    try {
      ({ map } = await areaMap(mapEl, t('w.map')));
      map.on('click', ev => {
        picked = ev.latlng;
        if (marker) marker.setLatLng(picked); else marker = L.circleMarker(picked, { radius: 8, color: '#8b0000' }).addTo(map);
      });
    } catch (err) { say(out, refusalBox(err)); }
  })();
  loadBoard();
  let pending = null;
  // A whistle's own events (blown, closed) and its departments' dispatch
  // events (sent, signed, arrived, resolved, returned, released, a deadline
  // step) reload the board: the event says what changed, the list is the truth.
  const off = onEvent(ev => {
    const d = ev.data && ev.data.item;
    const about = ev.type.startsWith('Whistle') || (d && d.whistle_id);
    if (ev.stream !== 'routing' || !about) return;
    // The event carries the dispatch: its row shows the new state at once,
    // and the reload 100 ms after (the list is the truth) draws the rest.
    const row = d && d.state ? board.querySelector(`article.whistle[data-id="${Number(d.whistle_id)}"] tr[data-unit="${CSS.escape(d.unit || '')}"]`) : null;
    if (row && row.children[1]) row.children[1].textContent = t('state.' + d.state);
    clearTimeout(pending);
    pending = setTimeout(loadBoard, 100);
  });
  return () => { off(); clearTimeout(pending); if (map) map.remove(); };
}
