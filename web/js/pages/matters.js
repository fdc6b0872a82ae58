// 社区议事 · matters: a community's matters through their five steps (居民提事
// → 网格议事 → 会议定事 → 联动办事 → 居民评事), for the committee, the supervision
// committee and the residents alike. Each matter shows what deliberation says
// of it (GET /api/v1/matters): its step, co-signatures, opinions, the latest
// meeting with its roster kind, ballot, attendance and quorum, the tally, the
// 公示 with its chain's hash and the objections, the tasks, the evaluations.
// The actions are rows of ACTIONS (actions.js): the page offers each role the
// commands its kind of person may send, on any matter, and deliberation
// decides (WRONG_STEP and the like are shown as it says them). A step this
// page does not know is shown by its own name, so a new step needs no code.
import { api } from '../api.js';
import { t, has } from '../i18n.js';
import { h, refusalBox, okBox, say } from '../dom.js';
import { actionForm, keepOutcomes, restoreOutcomes } from '../actions.js';
import { onEvent } from '../live.js';
import { when } from '../time.js';

const ROSTERS = ['residents', 'households', 'representatives', 'council'];

// Who may try which command, under the "1+3" model (docs/deliberation.md):
// party (the community party committee: accepts, convenes, closes, publishes,
// answers objections), committee (the residents' committee: executes),
// supervision (flags, rates the execution), resident. Both committees review
// what the standing council agreed and answer flags on the steps they own.
const ACTIONS = [
  { key: 'm.cosign', who: ['resident', 'supervision'], path: 'cosign' },
  { key: 'm.amend', who: ['resident'], path: 'amend', fields: [{ name: 'title' }, { name: 'body', kind: 'textarea' }] },
  { key: 'm.accept', who: ['party'], path: 'accept', fields: [{ name: 'window_hours', kind: 'number' }] },
  { key: 'm.decline', who: ['party'], path: 'decline', fields: [{ name: 'reason', required: true }] },
  { key: 'm.opine', who: ['resident', 'supervision'], path: 'opinions', fields: [
    { name: 'stance', kind: 'select', options: ['for', 'against', 'neutral'], prefix: 'stance.' }, { name: 'text', kind: 'textarea' }] },
  // A council meeting's roster is the standing council in office; `elect`
  // (7 to 9 representatives) with `term_months` makes a representatives'
  // meeting the council's election.
  { key: 'm.convene', who: ['party'], path: 'meeting', fields: [
    { name: 'roster_kind', kind: 'select', options: ROSTERS, prefix: 'roster.' },
    { name: 'ballot', kind: 'select', options: ['secret', 'open'], prefix: 'ballot.' },
    { name: 'allow_change', kind: 'check' }, { name: 'motion', required: true },
    { name: 'starts_ms', kind: 'datetime', required: true },
    { name: 'elect', kind: 'list' }, { name: 'term_months', kind: 'number' }] },
  { key: 'm.attend', who: ['resident', 'supervision', 'party'], path: 'attendance', fields: [{ name: 'person' }] },
  { key: 'm.vote', who: ['resident', 'supervision'], path: 'votes', fields: [
    { name: 'choice', kind: 'select', options: ['yes', 'no', 'abstain'], prefix: 'choice.' }], receipt: true },
  { key: 'm.close', who: ['party'], path: 'close' },
  { key: 'm.review', who: ['party', 'committee'], path: 'reviews', fields: [
    { name: 'approve', kind: 'check' }, { name: 'text', kind: 'textarea', required: true }] },
  { key: 'm.publish', who: ['party'], path: 'publication' },
  { key: 'm.object', who: ['resident', 'supervision'], path: 'objections', fields: [{ name: 'text', kind: 'textarea', required: true }] },
  { key: 'm.answerobj', who: ['party'], path: 'objection-answers', fields: [
    { name: 'objection_id', kind: 'number', required: true }, { name: 'text', kind: 'textarea', required: true }] },
  { key: 'm.act', who: ['committee'], path: 'act', fields: [
    { name: 'departments', kind: 'list' }, { name: 'tasks', kind: 'list' }, { name: 'text' }] },
  { key: 'm.progress', who: ['committee'], path: 'progress', fields: [
    { name: 'task_id', kind: 'number' }, { name: 'text' }, { name: 'done', kind: 'check' }] },
  { key: 'm.evaluate', who: ['resident', 'supervision'], path: 'evaluation', fields: [
    { name: 'rating', kind: 'select', options: ['satisfied', 'basic', 'dissatisfied'], prefix: 'rating.' }, { name: 'text' }] },
  { key: 'm.rate', who: ['supervision'], path: 'execution-rating', fields: [
    { name: 'rating', kind: 'select', options: ['satisfied', 'basic', 'dissatisfied'], prefix: 'rating.' }, { name: 'text' }] },
  { key: 'm.observe', who: ['supervision'], path: 'observations', fields: [{ name: 'text', kind: 'textarea', required: true }] },
  { key: 'm.flag', who: ['supervision'], path: 'flags', fields: [
    { name: 'record_n', kind: 'number', required: true }, { name: 'text', kind: 'textarea', required: true }] },
  { key: 'm.answerflag', who: ['party', 'committee'], path: 'flag-answers', fields: [
    { name: 'flag_id', kind: 'number', required: true }, { name: 'text', kind: 'textarea', required: true }] },
];

// The kinds of person this login is, for ACTIONS' `who`.
export function rolesOf(me) {
  const kinds = new Set((me.units || []).map(u => u.kind));
  const out = new Set();
  if (kinds.has('party_committee')) out.add('party');
  if (kinds.has('community')) out.add('committee');
  if (kinds.has('supervision')) out.add('supervision');
  if (me.resident || kinds.has('grid_team')) out.add('resident');
  return out;
}

const label = (prefix, v) => (has(prefix + v) ? t(prefix + v) : v);
const receipts = () => JSON.parse(localStorage.getItem('gov.receipts') || '{}');

function meetingBlock(m) {
  const mt = m.meeting;
  if (!mt || !mt.id) return null;
  const tl = mt.tally;
  return h('section', { class: 'meeting', 'aria-label': t('m.meeting') },
    h('h4', {}, t('m.meeting'), ' ', mt.id, ' · ', mt.motion),
    h('div', { class: 'meta' }, [label('roster.', mt.roster_kind), label('ballot.', mt.ballot),
      t('m.starts') + ' ' + when(mt.starts_ms), mt.closed_ms ? t('m.closed') + ' ' + when(mt.closed_ms) : t('m.open')].join(' · ')),
    // The tally is deliberation's once the meeting is closed (before, its counts are zeros).
    !mt.closed_ms && tl ? h('div', { class: 'meta' }, t('m.roster', { n: tl.roster_size }), ' · ', t('m.quorum'), ' ', tl.quorum) : null,
    tl && mt.closed_ms ? h('div', { class: 'tally', dataset: { passed: String(!!tl.passed) } },
      h('div', {}, t('m.attendance', { a: tl.attended, n: tl.roster_size }), ' · ', t('m.quorum'), ' ', tl.quorum, ' ',
        tl.valid ? t('m.quorate') : t('m.notquorate')),
      h('div', {}, t('m.tally', { y: tl.yes, n: tl.no, a: tl.abstain }), ' · ', t('m.majority'), ' ', tl.majority, ' · ',
        h('strong', {}, tl.passed ? t('m.passed') : t('m.notpassed'))),
      tl.receipts_hash ? h('div', { class: 'hash' }, t('m.receipts'), ' ', h('code', {}, tl.receipts_hash)) : null) : null);
}

// The supervision committee's flags: the step, whose it is to answer, the answer.
function flagsBlock(m) {
  const flags = m.flags || [];
  if (!flags.length) return null;
  return h('section', { class: 'flags', 'aria-label': t('m.flags') },
    h('h4', {}, t('m.flags')),
    h('ul', {}, flags.map(f => h('li', { dataset: { flag: f.id, answered: String(!!f.answer) } },
      t('m.flag1', { id: f.id, n: f.record_n, kind: f.record_kind, owner: label('kind.', f.owner) }), ' ', f.text, ' · ',
      f.answer ? t('m.flaganswer', { a: f.answer }) : h('strong', {}, t('m.flagopen'))))));
}

// What the record alone says: the 两委 reviews and the objections with their
// numbers and answers. Read (GET …/record) only for a matter that has them.
function recordBlock(m) {
  const reviewed = m.step === 'reviewing' || (m.meeting && m.meeting.roster_kind === 'council' && m.meeting.closed_ms);
  if (!reviewed && !m.objections) return null;
  const box = h('section', { class: 'record' });
  api('GET', `/api/v1/matters/${m.id}/record`).then(r => {
    const rec = (r.records || []).map(x => ({ ...x, b: (() => { try { return JSON.parse(x.body || '{}'); } catch { return {}; } })() }));
    const reviews = rec.filter(x => x.kind === 'reviewed');
    const answered = new Map(rec.filter(x => x.kind === 'objection_answered').map(x => [x.b.objection_id, x.b.text]));
    const objections = rec.filter(x => x.kind === 'objection');
    box.replaceChildren(...[
      reviewed ? h('div', { class: 'reviews', 'aria-label': t('m.reviews') }, h('h4', {}, t('m.reviews')),
        reviews.length ? h('ul', {}, reviews.map(x => h('li', { dataset: { unit: x.b.unit, approve: String(!!x.b.approve) } },
          label('kind.', x.b.unit), ' ', x.b.approve ? t('m.approved') : t('m.rejectedrev'), ' · ', x.b.text))) : h('p', {}, t('m.noreviews'))) : null,
      objections.length ? h('div', { class: 'objections' }, h('h4', {}, t('m.objectionlist')),
        h('ul', {}, objections.map(x => h('li', { dataset: { objection: x.b.objection_id } },
          t('m.objection1', { id: x.b.objection_id, p: x.b.person }), ' ', x.b.text, ' · ',
          answered.has(x.b.objection_id) ? t('m.objanswer', { a: answered.get(x.b.objection_id) }) : h('strong', {}, t('m.objopen')))))) : null,
    ].filter(Boolean));
  }).catch(err => box.replaceChildren(refusalBox(err)));
  return box;
}

function matterCard(m, roles, reload) {
  const mine = receipts()[m.id];
  const check = mine ? actionForm({ key: 'm.check', method: 'GET',
    path: () => `/api/v1/matters/${m.id}/receipt?receipt=${encodeURIComponent(mine)}`,
    done: r => (r.counted ? t('m.counted', { c: label('choice.', r.choice) }) : t('m.notcounted')) }) : null;
  const forms = ACTIONS.filter(a => a.who.some(w => roles.has(w))).map(a => actionForm({
    key: a.key, path: `/api/v1/matters/${m.id}/${a.path}`, fields: a.fields,
    done: r => {
      if (a.receipt && r.receipt) /* kept, so the card shows it and its check after any reload */
        localStorage.setItem('gov.receipts', JSON.stringify({ ...receipts(), [m.id]: r.receipt }));
      setTimeout(reload, 0);
      return t('a.done');
    } }));
  const verify = actionForm({ key: 'm.verify', method: 'GET', path: `/api/v1/matters/${m.id}/verification`,
    done: r => (r.ok ? t('m.chainok', { n: r.records, hash: r.head_hash }) : refusalBox({ code: 'CHAIN_BROKEN', message: r.problem })) });
  return h('article', { class: 'card matter', dataset: { id: m.id, step: m.step } },
    h('h3', {}, t('m.matter', { id: m.id }), ' ', m.title, ' ', h('span', { class: 'badge step' }, label('step.', m.step))),
    h('div', { class: 'meta' }, [label('scope.', m.scope), m.area, t('m.by', { p: m.proposer }), when(m.created_ms)].join(' · ')),
    h('p', {}, m.body),
    h('div', { class: 'meta' }, t('m.counts', { c: m.cosigners, f: m.opinions_for, a: m.opinions_against, n: m.opinions_neutral }),
      m.convene_required ? h('strong', {}, ' · ' + t('m.mustconvene')) : null,
      m.window_until_ms ? ' · ' + t('m.window', { when: when(m.window_until_ms) }) : null,
      m.records ? ' · ' + t('m.records', { n: m.records }) : null),
    m.decline_reason ? h('p', {}, t('m.declined'), m.decline_reason) : null,
    meetingBlock(m),
    mine ? h('div', { class: 'receipt' }, t('m.receipt'), ' ', h('code', {}, mine)) : null,
    m.decision_head ? h('section', { class: 'publication', 'aria-label': t('m.publication') },
      h('h4', {}, t('m.publication')), h('div', { class: 'hash' }, t('m.hash'), ' ', h('code', {}, m.decision_head)),
      m.decision ? h('div', {}, t('m.decision'), ' ', label('decision.', m.decision)) : null,
      h('div', {}, t('m.objections', { n: m.objections }), m.objections_open ? h('strong', {}, ' · ' + t('m.objectionsopen', { n: m.objections_open })) : null)) : null,
    recordBlock(m),
    flagsBlock(m),
    (m.tasks || []).length ? h('ul', { class: 'tasks' }, m.tasks.map(k => h('li', { dataset: { task: k.id, state: k.state } },
      `#${k.id} ${k.text} · ${(k.units || []).join(', ')} · ${label('tstate.', k.state)}${k.whistle_id ? ' · ' + t('q.whistle', { id: k.whistle_id }) : ''}`))) : null,
    m.rated_satisfied + m.rated_basic + m.rated_dissatisfied ? h('div', { class: 'meta' },
      t('m.rated', { s: m.rated_satisfied, b: m.rated_basic, d: m.rated_dissatisfied })) : null,
    m.round > 1 || m.reopened || m.execution_rating ? h('div', { class: 'meta round' },
      t('m.round', { r: m.round || 1 }), m.reopened ? ' · ' + t('m.reopened') : '',
      m.execution_rating ? ' · ' + t('m.execrating') + ' ' + label('rating.', m.execution_rating) : '') : null,
    h('details', { class: 'actions' }, h('summary', {}, t('m.actions')), ...forms, check, verify));
}

export function render(view, ctx) {
  const roles = rolesOf(ctx.me);
  const community = h('input', { id: 'm-community', placeholder: 'demo.s1.c1' });
  const step = h('input', { id: 'm-step', list: 'm-steps' });
  const list = h('div', { id: 'matters', 'aria-live': 'polite' });
  const status = h('div', {});
  let generation = 0;
  const load = async () => {
    const ticket = ++generation;
    const q = new URLSearchParams({ limit: '30' });
    if (community.value.trim()) q.set('community', community.value.trim());
    if (step.value.trim()) q.set('step', step.value.trim());
    try {
      const r = await api('GET', '/api/v1/matters?' + q);
      if (ticket !== generation) return;
      const items = r.items || [];
      const open = new Set([...list.querySelectorAll('article.matter details[open]')].map(d => d.closest('article').dataset.id));
      const kept = keepOutcomes(list);
      list.replaceChildren(...(items.length ? items.map(m => {
        const card = matterCard(m, roles, load);
        if (open.has(String(m.id))) card.querySelector('details').open = true;
        return card;
      }) : [h('p', {}, t('m.none'))]));
      restoreOutcomes(list, kept);
      status.replaceChildren();
    } catch (err) { say(status, refusalBox(err)); }
  };
  const filter = h('form', { class: 'card row', onsubmit: e => { e.preventDefault(); load(); } },
    h('label', { for: 'm-community' }, t('m.community')), community,
    h('label', { for: 'm-step' }, t('m.step')), step,
    h('datalist', { id: 'm-steps' }, Object.keys(STEPS).map(s => h('option', { value: s }, label('step.', s)))),
    h('button', { type: 'submit' }, t('m.show')));
  const propose = roles.has('resident') || roles.has('committee') || roles.has('party') ? h('section', { class: 'card', 'aria-labelledby': 'm-propose' },
    h('h3', { id: 'm-propose' }, t('m.propose')),
    actionForm({ key: 'm.submit', path: '/api/v1/matters', fields: [
      { name: 'scope', kind: 'select', options: ['community', 'grid'], prefix: 'scope.' },
      { name: 'area', required: true }, { name: 'title', required: true }, { name: 'body', kind: 'textarea', required: true }],
    done: r => { setTimeout(load, 0); return t('m.proposed', { id: r.item.id }); } })) : null;
  view.append(h('h2', {}, t('page.matters')), filter, propose, status, list);
  (async () => {
    // A member of one of the 1+3 bodies sees its own community's by default.
    const unit = (ctx.me.units || []).find(u => ['party_committee', 'community', 'supervision'].includes(u.kind));
    if (unit) {
      try {
        const r = await api('GET', '/api/v1/units?code=' + encodeURIComponent(unit.code));
        if (r.items && r.items[0] && r.items[0].area) community.value = r.items[0].area;
      } catch { /* the list of every community's matters is shown instead */ }
    }
    load();
  })();
  let pending = null;
  const off = onEvent(ev => { if (ev.stream === 'deliberation') { clearTimeout(pending); pending = setTimeout(load, 150); } });
  return () => { off(); clearTimeout(pending); };
}

// The steps known today, for the filter's suggestions (any other is shown by its name).
const STEPS = { proposed: 1, discussing: 1, discussed: 1, convened: 1, decided: 1, rejected: 1, undecided: 1,
  reviewing: 1, published: 1, approved: 1, acting: 1, evaluating: 1, closed: 1, declined: 1 };
