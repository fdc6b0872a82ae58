// The resident's page: file a case on the map (a click puts the point) or by
// address text, and follow one's own cases (GET /api/v1/cases: a resident
// reads the cases their phone reported), evaluating each once it is resolved
// (回访评价: dissatisfied reopens it). The categories are the deployment's
// own, from the Open311 service list (GET /open311/v2/services.json).
import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, refusalBox, okBox, say } from '../dom.js';
import { areaMap } from '../map.js';
import { onEvent } from '../live.js';
import { when } from '../time.js';
import { actionForm, keepOutcomes, restoreOutcomes } from '../actions.js';

export function render(view) {
  const out = h('div', { id: 'file-outcome' });
  const mapEl = h('div', { id: 'case-map', class: 'map' });
  const category = h('select', { id: 'case-category', name: 'category', required: true });
  const description = h('textarea', { id: 'case-description', name: 'description', rows: 3, required: true });
  const address = h('input', { id: 'case-address', name: 'address' });
  const point = h('output', { id: 'case-point', for: 'case-map' }, t('r.nopoint'));
  const mine = h('div', { id: 'my-cases', 'aria-live': 'polite' });
  let picked = null, marker = null, map = null;

  const form = h('form', { class: 'card', 'aria-labelledby': 'file-title' },
    h('h3', { id: 'file-title' }, t('r.file')),
    h('p', { class: 'meta' }, t('r.howto')),
    mapEl,
    h('div', { class: 'meta' }, t('r.point'), point),
    h('div', { class: 'field' }, h('label', { for: 'case-category' }, t('r.category')), category),
    h('div', { class: 'field' }, h('label', { for: 'case-description' }, t('r.description')), description),
    h('div', { class: 'field' }, h('label', { for: 'case-address' }, t('r.address')), address),
    h('button', { type: 'submit' }, t('r.submit')), out);

  form.addEventListener('submit', async e => {
    e.preventDefault();
    const location = {};
    if (picked) location.point = { lat: picked.lat, lon: picked.lng };
    if (address.value.trim()) location.address = address.value.trim();
    try {
      const r = await api('POST', '/api/v1/cases', {
        channel: 'app', category: category.value, description: description.value, location,
      });
      say(out, okBox(t('r.filed', { id: r.case_id, area: (r.area_path || []).map(a => a.name).join(' / ') })));
      description.value = '';
      loadMine();
    } catch (err) {
      say(out, refusalBox(err));
    }
  });

  let generation = 0; // only the latest of overlapping loads draws
  const loadMine = async () => {
    const ticket = ++generation;
    try {
      const r = await api('GET', '/api/v1/cases?limit=50');
      if (ticket !== generation) return;
      const items = r.items || [];
      const kept = keepOutcomes(mine);
      mine.replaceChildren(...(items.length ? items.map(c => h('article', { class: 'card case', dataset: { id: c.id, status: c.status } },
        h('h3', {}, t('q.case', { id: c.id }), ' ', h('span', { class: 'badge' }, t('cstate.' + c.status))),
        h('div', { class: 'meta' }, [c.category, (c.area_path || []).map(a => a.name).join(' / '), when(c.created_ms)].join(' · ')),
        h('p', {}, c.description),
        // 回访评价: routing decides whether the case may be evaluated (resolved, by its reporter)
        h('details', { class: 'actions' }, h('summary', {}, t('r.evaluate')),
          actionForm({ key: 'r.evaluate', path: `/api/v1/cases/${c.id}/evaluation`, fields: [
            { name: 'result', label: 'f.result_eval', kind: 'select', options: ['satisfied', 'basic', 'dissatisfied'], prefix: 'rating.' },
            { name: 'text' }], done: r => t('r.evaluated', { state: t('cstate.' + r.case_state) === 'cstate.' + r.case_state ? r.case_state : t('cstate.' + r.case_state) }) })))) : [h('p', {}, t('r.none'))]));
      restoreOutcomes(mine, kept);
    } catch (err) {
      say(mine, refusalBox(err));
    }
  };

  view.append(h('h2', {}, t('page.resident')), form, h('h3', {}, t('r.mine')), mine);

  (async () => {
    try {
      const services = await api('GET', '/open311/v2/services.json');
      category.replaceChildren(...services.map(s => h('option', { value: s.service_code }, s.service_name)));
    } catch (err) {
      say(out, refusalBox(err));
    }
    try {
      ({ map } = await areaMap(mapEl, t('r.map')));
      map.on('click', ev => {
        picked = ev.latlng;
        if (marker) marker.setLatLng(picked); else marker = L.circleMarker(picked, { radius: 8, color: '#8b0000' }).addTo(map);
        point.textContent = picked.lat.toFixed(5) + ', ' + picked.lng.toFixed(5);
      });
      mapEl.dataset.ready = '1';
    } catch (err) {
      say(out, refusalBox(err));
    }
  })();
  loadMine();
  const off = onEvent(() => loadMine());
  return () => { off(); if (map) map.remove(); };
}
