// live: the one EventSource on /api/v1/events for the whole console. The
// browser reconnects on its own after a drop (the stream says retry: 2000)
// and sends Last-Event-ID, so the gateway replays exactly what was missed.
// Pages subscribe with onEvent(fn) and get {type, stream, data, id}.
const TYPES = ['CaseCreated', 'CaseMerged', 'CaseEvaluated', 'DispatchSent', 'DispatchSigned',
  'DispatchContacted', 'DispatchArrived', 'DispatchProgress', 'DispatchResolved', 'DispatchReturned',
  'DispatchReassigned', 'DispatchReleased', 'DispatchPassedUp', 'DeadlineReminder', 'DeadlineEscalated', 'WhistleBlown',
  'WhistleClosed',
  // deliberation (proto/deliberation.proto's "types:" lines): a matter's steps, the 3+1 lists, service orders
  'MatterProposed', 'MatterAmended', 'MatterCosigned', 'ConveneRequired', 'MatterAccepted', 'MatterDeclined',
  'OpinionAdded', 'DiscussionClosing', 'DiscussionClosed', 'MeetingConvened', 'MeetingClosed', 'DecisionPublished',
  'ObjectionFiled', 'NoticeEnded', 'MatterActing', 'MatterProgress', 'EvaluationOpened', 'MatterEvaluated',
  'MatterClosed', 'ObservationAdded', 'StepFlagged', 'FlagAnswered', 'ObjectionAnswered', 'MatterReviewed',
  'ExecutionRated', 'MatterReopened', 'CouncilElected', 'NeedAdded', 'ResourceAdded', 'NeedClaimed',
  'ProjectSigned', 'ProjectDone', 'ServiceOrderPosted', 'ServiceOrderClaimed', 'ServiceOrderDone',
  // 五定 tasks of decided matters
  'TaskAssigned', 'TaskReminder', 'TaskEscalated', 'TaskReported', 'TaskPassed', 'TaskReopened', 'TaskFailed'];

let source = null;
const listeners = new Set();
let stateFn = () => {};

export function onEvent(fn) { listeners.add(fn); return () => listeners.delete(fn); }

// fn('open' | 'connecting' | 'closed') as the connection changes.
export function onState(fn) { stateFn = fn; }

function deliver(e) {
  let msg;
  try { msg = JSON.parse(e.data); } catch { return; }
  msg.id = e.lastEventId;
  for (const fn of listeners) fn(msg);
}

export function startLive() {
  if (source) return;
  source = new EventSource('/api/v1/events');
  source.onopen = () => stateFn('open');
  source.onerror = () => stateFn(source && source.readyState === EventSource.CLOSED ? 'closed' : 'connecting');
  source.onmessage = deliver;
  for (const type of TYPES) source.addEventListener(type, deliver);
}

export function stopLive() {
  if (source) source.close();
  source = null;
  listeners.clear();
}
