// The resident's page: file a case on the map (a click puts the point) or by
// address text (casefile.js), and follow one's own cases (GET /api/v1/cases: a resident
// reads the cases their phone reported), evaluating each once it is resolved
// (回访评价: dissatisfied reopens it). Its own cases' states come from a
// read every 5 s while one is unfinished (the feed has no resident's cases).
import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, refusalBox, say } from '../dom.js';
import { caseForm } from '../casefile.js';
import { onEvent } from '../live.js';
import { when } from '../time.js';
import { actionForm, keepOutcomes, restoreOutcomes } from '../actions.js';

export function render(view) {
  const mine = h('div', { id: 'my-cases', 'aria-live': 'polite' });
  const file = caseForm({ channel: 'app', filed: () => loadMine() });

  let generation = 0; // only the latest of overlapping loads draws
  let unfinished = false;
  const loadMine = async () => {
    const ticket = ++generation;
    try {
      const r = await api('GET', '/api/v1/cases?limit=50');
      if (ticket !== generation) return;
      const items = r.items || [];
      const kept = keepOutcomes(mine);
      // A card whose evaluation was open stays open when the list is drawn again.
      const open = new Set([...mine.querySelectorAll('article.case details[open]')].map(d => d.closest('article').dataset.id));
      unfinished = items.some(c => c.status !== 'closed');
      mine.replaceChildren(...(items.length ? items.map(c => h('article', { class: 'card case', dataset: { id: c.id, status: c.status } },
        h('h3', {}, t('q.case', { id: c.id }), ' ', h('span', { class: 'badge' }, t('cstate.' + c.status))),
        h('div', { class: 'meta' }, [c.category, (c.area_path || []).map(a => a.name).join(' / '), when(c.created_ms)].join(' · ')),
        h('p', {}, c.description),
        // 回访评价: routing decides whether the case may be evaluated (resolved, by its reporter)
        h('details', { class: 'actions' }, h('summary', {}, t('r.evaluate')),
          actionForm({ key: 'r.evaluate', path: `/api/v1/cases/${c.id}/evaluation`, fields: [
            { name: 'result', label: 'f.result_eval', kind: 'select', options: ['satisfied', 'basic', 'dissatisfied'], prefix: 'rating.' },
            { name: 'text' }], done: r => t('r.evaluated', { state: t('cstate.' + r.case_state) === 'cstate.' + r.case_state ? r.case_state : t('cstate.' + r.case_state) }) })))) : [h('p', {}, t('r.none'))]));
      for (const a of mine.querySelectorAll('article.case')) if (open.has(a.dataset.id)) a.querySelector('details').open = true;
      restoreOutcomes(mine, kept);
    } catch (err) {
      say(mine, refusalBox(err));
    }
  };

  view.append(h('h2', {}, t('page.resident')), file.el, h('h3', {}, t('r.mine')), mine);
  file.start();
  loadMine();
  const off = onEvent(() => loadMine());
  // The live feed carries a unit's dispatches, not a resident's own cases
  // (docs/console.md): while one is unfinished, the list is read again every
  // 5 s, only while the page is in view, so its state (已派单, 已办结, back
  // to 已派单 after a dissatisfied evaluation) follows without a reload.
  const poll = setInterval(() => { if (unfinished && document.visibilityState === 'visible') loadMine(); }, 5000);
  return () => { off(); clearInterval(poll); file.stop(); };
}
