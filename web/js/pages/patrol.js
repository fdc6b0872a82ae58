// 巡查 · patrol: the grid worker's page, made for a phone in one hand. At the
// top, one large button files a case from where the worker stands; below,
// the grid team's queue with its countdowns (the queue page's own module,
// drawn here, so it signs, reports arrival and resolves the same way); then
// the filing form: "use my position" puts the point on the map from the
// phone's position (a tap on the map moves it), a category, a description,
// filed as a grid patrol's report (channel grid_patrol). A case of the
// grid's own business (sanitation, disputes…) comes back to the team's
// queue, live. The large targets are the stylesheet's (console.css, phone
// widths): every control at least 44 px high.
import { t } from '../i18n.js';
import { h } from '../dom.js';
import { caseForm } from '../casefile.js';
import * as queue from './queue.js';

export function render(view, ctx) {
  const file = caseForm({ channel: 'grid_patrol', here: true, title: 'p.file' });
  const jump = h('button', { type: 'button', id: 'patrol-jump', class: 'big', onclick: () => {
    file.el.scrollIntoView({ block: 'start' });
    document.getElementById('case-here').click();
  } }, t('p.fileHere'));
  const work = h('section', { id: 'patrol-queue', 'aria-label': t('page.queue') });
  view.append(h('h2', {}, t('page.patrol')), jump, work, file.el);
  const leaveQueue = queue.render(work, { ...ctx, embedded: true });
  file.start();
  return () => { leaveQueue(); file.stop(); };
}
