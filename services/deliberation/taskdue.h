/* taskdue: the reminders and escalations of the 五定 tasks (tasks.h), on the
 * deadline engine (common/deadline.h) as the orders' take-by deadlines are
 * (takeby.c): each pending step is a row of task_deadlines; firing claims
 * the rows still pending and runs each step (tasks_step) in the same
 * transaction, so a task is reminded and escalated exactly once a step,
 * whatever the number of replicas, and late on start when the step fell due
 * while the service was down. A report settles the pending step. */
#ifndef DELIB_TASKDUE_H
#define DELIB_TASKDUE_H

#include <uv.h>

#include "deadline.h"
#include "delib.h"

/* Starts the task steps of `d` on `loop` with `config`, firing those already
 * due first. As windows_new. */
int taskdue_new(uv_loop_t *loop, delib_t *d, const deadline_config_t *config, deadline_t **out);

#endif
