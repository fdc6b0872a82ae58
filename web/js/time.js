// time: the countdowns of the department's queue, as pure functions.
import { t } from './i18n.js';

// "2h 05m" style, from milliseconds (absolute value).
export function span(ms) {
  const m = Math.floor(Math.abs(ms) / 60000);
  const d = Math.floor(m / 1440), hh = Math.floor((m % 1440) / 60), mm = m % 60;
  if (d > 0) return t('time.dh', { d, h: hh });
  if (hh > 0) return t('time.hm', { h: hh, m: String(mm).padStart(2, '0') });
  return t('time.m', { m: Math.max(mm, 0) });
}

// The deadlines of a dispatch still to meet: [{name, due, done}], in order.
export function deadlines(d) {
  const steps = [['sign', 'sign_by_ms', 'signed_ms'], ['contact', 'contact_by_ms', 'contacted_ms'],
    ['arrive', 'arrive_by_ms', 'arrived_ms'], ['resolve', 'resolve_by_ms', 'resolved_ms']];
  return steps.filter(([, by]) => Number(d[by]) > 0)
    .map(([name, by, done]) => ({ name, due: Number(d[by]), done: Number(d[done]) > 0 }));
}

// The text of one countdown at `now`: time left, or how late.
export function countdown(due, now) {
  const left = due - now;
  return left >= 0 ? { late: false, text: t('time.left', { span: span(left) }) }
    : { late: true, text: t('time.late', { span: span(left) }) };
}

export function when(ms) {
  return ms ? new Date(Number(ms)).toLocaleString() : '';
}
