// 3+1 清单 · lists and 社区服务 · service orders of a community. The lists
// (GET /api/v1/lists): the community's needs, the resources units offer, and
// the projects where a unit claimed a need, signed by both sides and done.
// The orders (GET /api/v1/orders): what residents ordered and volunteers
// claimed and did. Actions are rows for actions.js, offered by kind of
// person; deliberation decides, and its refusals are shown as it says them.
import { api } from '../api.js';
import { t, has } from '../i18n.js';
import { h, refusalBox, say } from '../dom.js';
import { actionForm, keepOutcomes, restoreOutcomes } from '../actions.js';
import { onEvent } from '../live.js';
import { when } from '../time.js';
import { rolesOf } from './matters.js';

const label = (prefix, v) => (has(prefix + v) ? t(prefix + v) : v);

export function render(view, ctx) {
  const roles = rolesOf(ctx.me);
  const isUnit = (ctx.me.units || []).length > 0;
  const community = h('input', { id: 'l-community', required: true, placeholder: 'demo.s1.c1' });
  const lists = h('div', { id: 'lists', 'aria-live': 'polite' });
  const orders = h('div', { id: 'orders', 'aria-live': 'polite' });
  const c = () => community.value.trim();
  let generation = 0;
  const load = async () => {
    const ticket = ++generation;
    const [l, o] = await Promise.all([
      c() ? api('GET', '/api/v1/lists?community=' + encodeURIComponent(c())).catch(e => e) : null,
      api('GET', '/api/v1/orders' + (c() ? '?community=' + encodeURIComponent(c()) : '')).catch(e => e)]);
    if (ticket !== generation) return;
    if (l && l.code) say(lists, refusalBox(l));
    else if (l) lists.replaceChildren(
      h('h4', {}, t('l.needs')), h('ul', {}, (l.needs || []).map(n => h('li', { class: 'need', dataset: { id: n.id, state: n.state } },
        `#${n.id} ${n.title} — ${n.text} · ${label('nstate.', n.state)}`))),
      h('h4', {}, t('l.resources')), h('ul', {}, (l.resources || []).map(r => h('li', { class: 'resource', dataset: { id: r.id } },
        `#${r.id} ${r.title} — ${r.unit_name || r.unit} · ${r.text}`))),
      h('h4', {}, t('l.projects')), h('ul', {}, (l.projects || []).map(p => h('li', { class: 'project', dataset: { id: p.id, state: p.state } },
        `#${p.id} ${p.title} · ${p.unit} · ${label('pstate.', p.state)}${p.result ? ' · ' + p.result : ''}`))));
    else lists.replaceChildren(h('p', {}, t('l.choose')));
    const kept = keepOutcomes(orders);
    // A card whose actions were open stays open when a live event draws the list again.
    const open = new Set([...orders.querySelectorAll('article.order details[open]')].map(d => d.closest('article').dataset.id));
    if (o && o.code) say(orders, refusalBox(o));
    else orders.replaceChildren(...((o.items || []).length ? o.items.map(x => h('article', { class: 'card order', dataset: { id: x.id, state: x.state } },
      h('h3', {}, t('o.order', { id: x.id }), ' ', x.title, ' ', h('span', { class: 'badge' }, label('ostate.', x.state))),
      h('div', { class: 'meta' }, [x.community, when(x.created_ms), x.volunteer ? t('o.by', { v: x.volunteer }) : ''].filter(Boolean).join(' · ')),
      h('p', {}, x.text), x.result ? h('p', {}, t('o.result'), x.result) : null,
      h('details', { class: 'actions' }, h('summary', {}, t('m.actions')),
        actionForm({ key: 'o.claim', path: `/api/v1/orders/${x.id}/claim`, done: () => { setTimeout(load, 0); } }),
        actionForm({ key: 'o.done', path: `/api/v1/orders/${x.id}/done`, fields: [{ name: 'result', required: true }], done: () => { setTimeout(load, 0); } }))))
      : [h('p', {}, t('o.none'))]));
    for (const a of orders.querySelectorAll('article.order')) if (open.has(a.dataset.id)) a.querySelector('details').open = true;
    restoreOutcomes(orders, kept);
  };
  const reload = () => { setTimeout(load, 0); };
  const forms = [];
  if (roles.has('committee')) forms.push(
    actionForm({ key: 'l.addNeed', path: '/api/v1/lists/needs', fields: [{ name: 'title', required: true }, { name: 'text', kind: 'textarea' }],
      done: reload, extra: () => ({ community: c() }) }),
    actionForm({ key: 'l.sign', path: () => `/api/v1/lists/projects/${projectSign.value}/sign`, done: reload }));
  if (isUnit) forms.push(
    actionForm({ key: 'l.addResource', path: '/api/v1/lists/resources', fields: [{ name: 'title', required: true }, { name: 'text', kind: 'textarea' }],
      done: reload, extra: () => ({ community: c() }) }),
    actionForm({ key: 'l.claim', path: '/api/v1/lists/claims', fields: [{ name: 'need_id', kind: 'number', required: true }, { name: 'resource_id', kind: 'number' }], done: reload }));
  if (roles.has('resident')) forms.push(
    actionForm({ key: 'o.submit', path: '/api/v1/orders', fields: [{ name: 'title', required: true }, { name: 'text', kind: 'textarea' }],
      done: r => { reload(); return t('o.ordered', { id: r.item.id }); } }),
    actionForm({ key: 'o.volunteer', path: '/api/v1/volunteers', fields: [{ name: 'party_member', kind: 'check' }, { name: 'skills' }], done: reload }));
  const projectSign = h('input', { id: 'l-project', inputmode: 'numeric' });
  view.append(h('h2', {}, t('page.lists')),
    h('form', { class: 'card row', onsubmit: e => { e.preventDefault(); load(); } },
      h('label', { for: 'l-community' }, t('m.community')), community, h('button', { type: 'submit' }, t('m.show'))),
    roles.has('committee') ? h('div', { class: 'field' }, h('label', { for: 'l-project' }, t('l.project')), projectSign) : null,
    h('section', { class: 'card', 'aria-labelledby': 'l-acts' }, h('h3', { id: 'l-acts' }, t('m.actions')), ...forms),
    h('section', { class: 'card', 'aria-labelledby': 'l-title' }, h('h3', { id: 'l-title' }, t('l.title')), lists),
    h('h3', {}, t('o.title')), orders);
  (async () => {
    const unit = (ctx.me.units || []).find(u => ['party_committee', 'community', 'supervision'].includes(u.kind));
    if (unit) {
      try {
        const r = await api('GET', '/api/v1/units?code=' + encodeURIComponent(unit.code));
        if (r.items && r.items[0] && r.items[0].area) community.value = r.items[0].area;
      } catch { /* then the reader types the community */ }
    }
    load();
  })();
  let pending = null;
  const off = onEvent(ev => { if (ev.stream === 'deliberation') { clearTimeout(pending); pending = setTimeout(load, 150); } });
  return () => { off(); clearTimeout(pending); };
}
