// The dispatch centre's page: the 三率 (response, resolution, satisfaction
// rates) of every department this month from GET /api/v1/kpi/ranking, as a
// chart (Debian's libjs-chart.js, window.Chart) and a ranked table; and the
// escalations as they fire, from the live stream; the returned dispatches
// and those no rule placed (sent to the centre itself), each with the
// reassignment (POST /api/v1/dispatches/{id}/reassign, routing decides); and
// a map of the open dispatches by grid, the district's own polygons with a
// circle per grid sized by its count, and the same as a table.
import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, refusalBox, say } from '../dom.js';
import { onEvent } from '../live.js';
import { when } from '../time.js';
import { actionForm, keepOutcomes, restoreOutcomes } from '../actions.js';
import { areaMap } from '../map.js';

const OPEN = new Set(['sent', 'signed', 'arrived']);

// Open dispatches per grid: {grid code: count}, by the dispatch's area path.
export function byGrid(dispatches, grids) {
  const out = {};
  for (const d of dispatches) {
    if (!OPEN.has(d.state)) continue;
    const g = (d.area_path || []).map(a => a.code).find(c => grids.has(c));
    if (g) out[g] = (out[g] || 0) + 1;
  }
  return out;
}

const pct = x => (Number(x || 0) * 100).toFixed(1) + '%';

export function render(view, ctx) {
  const now = new Date();
  const month = h('input', { id: 'kpi-month', type: 'month', value: now.toISOString().slice(0, 7) });
  const kind = h('select', { id: 'kpi-kind' }, ['department', 'street_office', 'grid_team', 'community'].map(k => h('option', { value: k }, t('kind.' + k))));
  const canvas = h('canvas', { id: 'kpi-chart', role: 'img', 'aria-label': t('c.chart') });
  const table = h('div', { class: 'table-wrap' });
  const out = h('div', {});
  const escalations = h('ul', { id: 'escalations', 'aria-live': 'polite' });
  let chart = null;
  const returned = h('div', { id: 'returned', 'aria-live': 'polite' });
  const gridMapEl = h('div', { id: 'grid-map', class: 'map' });
  const gridTable = h('div', { class: 'table-wrap', id: 'grid-table' });
  let gridMap = null, gridAreas = null, circles = null;
  const centreUnit = ((ctx && ctx.me.units) || []).find(u => u.kind === 'dispatch_centre');
  const loadReturned = async () => {
    try {
      const lists = await Promise.all([api('GET', '/api/v1/dispatches?state=returned&limit=20'),
        centreUnit ? api('GET', `/api/v1/dispatches?state=sent&unit=${encodeURIComponent(centreUnit.code)}&limit=20`) : { items: [] }]);
      const items = lists.flatMap(r => r.items || []);
      // A returned dispatch's case has moved on (the next rule's unit, or the
      // centre): the reassignment acts on the case's open dispatch, if any.
      const current = await Promise.all(items.map(d => (d.state === 'returned' && d.case_id
        ? api('GET', `/api/v1/dispatches?case_id=${d.case_id}`).then(r => (r.items || []).find(x => OPEN.has(x.state)) || d, () => d) : d)));
      const kept = keepOutcomes(returned);
      returned.replaceChildren(...(items.length ? items.map((d, i) => h('article', { class: 'card dispatch', dataset: { id: d.id, state: d.state, current: current[i].id } },
        h('h3', {}, t('q.dispatch', { id: d.id }), ' ', d.case_id ? t('q.case', { id: d.case_id }) : '', ' ', h('span', { class: 'badge' }, t('state.' + d.state))),
        h('div', { class: 'meta' }, [d.unit_name || d.unit, d.category, d.return_reason ? t('reason.' + d.return_reason) : '', (d.area_path || []).map(a => a.name).join(' / ')].filter(Boolean).join(' · ')),
        current[i] !== d ? h('div', { class: 'meta' }, t('c.now', { id: current[i].id, unit: current[i].unit_name || current[i].unit, state: t('state.' + current[i].state) })) : null,
        actionForm({ key: 'c.reassign', path: `/api/v1/dispatches/${current[i].id}/reassign`, fields: [{ name: 'unit', required: true }, { name: 'text' }],
          done: r => { setTimeout(loadReturned, 0); return t('q.dispatch', { id: r.next ? r.next.id : d.id }) + ' → ' + (r.next ? r.next.unit : ''); } })))
        : [h('p', {}, t('c.noreturned'))]));
      restoreOutcomes(returned, kept);
    } catch (err) { say(returned, refusalBox(err)); }
  };
  const loadGrids = async () => {
    if (!gridMap || !gridAreas) return;
    try {
      const r = await api('GET', '/api/v1/dispatches?limit=500');
      const grids = new Map(gridAreas.features.filter(f => f.properties.level === 'grid').map(f => [f.properties.code, f]));
      const counts = byGrid(r.items || [], grids);
      if (circles) circles.remove();
      circles = L.layerGroup(Object.entries(counts).map(([code, n]) => {
        const c = L.geoJSON(grids.get(code)).getBounds().getCenter();
        return L.circleMarker(c, { radius: 6 + 3 * Math.sqrt(n), color: '#8b0000', className: 'open-count' })
          .bindTooltip(grids.get(code).properties.name + ': ' + n, { permanent: true });
      })).addTo(gridMap);
      gridTable.replaceChildren(h('table', {}, h('caption', { class: 'sr-only' }, t('c.map')),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('c.unit')), h('th', { scope: 'col' }, t('c.dispatched')))),
        h('tbody', {}, Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([code, n]) =>
          h('tr', { dataset: { grid: code } }, h('td', {}, grids.get(code).properties.name), h('td', {}, n))))));
    } catch (err) { say(gridTable, refusalBox(err)); }
  };
  const load = async () => {
    try {
      const r = await api('GET', `/api/v1/kpi/ranking?kind=${encodeURIComponent(kind.value)}&month=${encodeURIComponent(month.value)}`);
      const items = r.items || [];
      table.replaceChildren(h('table', {}, h('caption', { class: 'sr-only' }, t('c.table')),
        h('thead', {}, h('tr', {}, ['#', t('c.unit'), t('c.dispatched'), t('c.response'), t('c.resolution'), t('c.satisfaction')].map(x => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, items.map((k, i) => h('tr', {}, h('td', {}, i + 1), h('td', {}, k.unit_name || k.unit), h('td', {}, k.dispatched),
          h('td', {}, pct(k.response_rate)), h('td', {}, pct(k.resolution_rate)), h('td', {}, pct(k.satisfaction_rate)))))));
      if (window.Chart) {
        if (chart) chart.destroy();
        chart = new Chart(canvas, {
          type: 'bar',
          data: { labels: items.map(k => k.unit_name || k.unit), datasets: [
            { label: t('c.response'), data: items.map(k => 100 * k.response_rate), backgroundColor: '#0b5394' },
            { label: t('c.resolution'), data: items.map(k => 100 * k.resolution_rate), backgroundColor: '#38761d' },
            { label: t('c.satisfaction'), data: items.map(k => 100 * k.satisfaction_rate), backgroundColor: '#b45f06' }] },
          options: { animation: false, responsive: true, scales: { y: { min: 0, max: 100 } } },
        });
      }
    } catch (err) { say(out, refusalBox(err)); }
  };
  month.addEventListener('change', load);
  kind.addEventListener('change', load);
  view.append(h('h2', {}, t('page.centre')),
    h('div', { class: 'card row' }, h('label', { for: 'kpi-month' }, t('c.month')), month, h('label', { for: 'kpi-kind' }, t('c.kind')), kind),
    out, h('div', { class: 'card' }, canvas), table,
    h('h3', {}, t('c.escalations')), escalations,
    h('h3', {}, t('c.returned')), returned,
    h('h3', {}, t('c.map')), gridMapEl, gridTable);
  load();
  loadReturned();
  areaMap(gridMapEl, t('c.map')).then(r => { gridMap = r.map; gridAreas = r.areas; loadGrids(); }, err => say(gridTable, refusalBox(err)));
  const off = onEvent(ev => {
    if (ev.type === 'DeadlineEscalated') {
      const d = ev.data || {}, item = d.item || {};
      // The ladder's two escalations (docs/routing.md): to the unit's supervisor at the deadline, to the centre after.
      const to = d.action === 'escalate_centre' ? t('c.toCentre') : t('c.toSupervisor');
      escalations.prepend(h('li', { dataset: { dispatch: item.id, deadline: d.deadline, action: d.action } },
        t('c.escalated', { id: item.id, unit: item.unit_name || item.unit, deadline: t('deadline.' + d.deadline), when: when(d.fired_ms) }),
        ' · ', to, d.target_unit ? ` (${d.target_unit})` : ''));
    }
    if (ev.stream === 'routing' && ev.type.startsWith('Dispatch')) { load(); loadReturned(); loadGrids(); }
  });
  return () => { off(); if (chart) chart.destroy(); if (gridMap) gridMap.remove(); };
}
