// The dispatch centre's page: the 三率 (response, resolution, satisfaction
// rates) of every department this month from GET /api/v1/kpi/ranking, as a
// chart (Debian's libjs-chart.js, window.Chart) and a ranked table; and the
// escalations as they fire, from the live stream.
import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, refusalBox, say } from '../dom.js';
import { onEvent } from '../live.js';
import { when } from '../time.js';

const pct = x => (Number(x || 0) * 100).toFixed(1) + '%';

export function render(view) {
  const now = new Date();
  const month = h('input', { id: 'kpi-month', type: 'month', value: now.toISOString().slice(0, 7) });
  const kind = h('select', { id: 'kpi-kind' }, ['department', 'street_office', 'grid_team', 'community'].map(k => h('option', { value: k }, t('kind.' + k))));
  const canvas = h('canvas', { id: 'kpi-chart', role: 'img', 'aria-label': t('c.chart') });
  const table = h('div', { class: 'table-wrap' });
  const out = h('div', {});
  const escalations = h('ul', { id: 'escalations', 'aria-live': 'polite' });
  let chart = null;
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
    h('h3', {}, t('c.escalations')), escalations);
  load();
  const off = onEvent(ev => {
    if (ev.type === 'DeadlineEscalated') {
      const d = ev.data || {}, item = d.item || {};
      escalations.prepend(h('li', {}, t('c.escalated', { id: item.id, unit: item.unit_name || item.unit, deadline: t('deadline.' + d.deadline), when: when(d.fired_ms) })));
    }
    if (ev.stream === 'routing' && ev.type.startsWith('Dispatch')) load();
  });
  return () => { off(); if (chart) chart.destroy(); };
}
