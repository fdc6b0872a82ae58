/* tasks: 五定 for the tasks of a decided matter (seed 000: 定类、定责、定标、定时、
 * 定效), one command each, with the decisions of wuding.h:
 *
 *   AssignTask  the residents' committee (the body that executes, 1+3) gives
 *               an approved or acting matter a task with its type, its owner
 *               (a unit and a member of it), its standard and its due date in
 *               working days; an approved matter starts acting. The task's
 *               first ladder step is written and armed.
 *   ReportTask  the named owner, or a member acting for the owner unit,
 *               reports it done; its pending step is settled.
 *   CheckTask   验收 by the party committee or the supervision committee:
 *               passed → done; failed → open again once, due after its
 *               working days anew with a new ladder; failed again → failed.
 *
 * Each writes an entry in the matter's chain and a TaskEvent naming whom to
 * tell. The ladder's steps fire through taskdue.c into tasks_step. */
#ifndef DELIB_TASKS_H
#define DELIB_TASKS_H

#include "steps.h"

int tasks_assign(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 delib_result_t *out, apperr_t *err);
int tasks_report(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 delib_result_t *out, apperr_t *err);
int tasks_check(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                delib_result_t *out, apperr_t *err);

/* Step `step` of ladder `ladder` of task `task_id` (claimed by the engine as
 * row `deadline_id`) fell due at `now_ms`, in the engine's transaction: when
 * the task is still open on that ladder, reminds its owner or escalates it
 * (wuding_step), records it, announces it and writes the next step. A task
 * reported, checked or reopened since is left alone. 0 or -1. */
int tasks_step(delib_t *d, int64_t deadline_id, int64_t task_id, int ladder, int step,
               int64_t now_ms, apperr_t *err);

/* -1 with TASKS_OPEN when matter `matter_id` has a 五定 task neither done nor
 * failed: its work is not finished until each is checked. 0 otherwise. */
int tasks_require_settled(delib_t *d, int64_t matter_id, apperr_t *err);

#endif
