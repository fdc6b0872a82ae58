/* wuding: 五定 for the tasks of a decided matter (seed 000: "推行定类、定责、
 * 定标、定时、定效'五定'管理"), as pure decisions with no I/O, tested apart
 * (tests/unit/test_wuding.c). The commands that use them are tasks.c.
 *
 *   定类 the task's type      one of wuding_types
 *   定责 its owner            a unit and a person of it
 *   定标 its standard         what done means, in words
 *   定时 its due date         due_days working days on the calendar
 *   定效 its effect check     验收 by the party or supervision committee
 *
 *   open ─report→ reported ─check passed→ done
 *                          └─check failed→ open (once: a new due date)
 *                                          failed (the second time)
 *
 * While a task is open its ladder runs, one step at a time, on the working
 * span from its assignment (or reopening) to its due date: reminders to the
 * owner at 50 % and 80 % of the span (the percentages routing's demo ladder
 * reminds a unit at), the escalation to the party committee at the due date,
 * then to the street office one working day later. */
#ifndef DELIB_WUDING_H
#define DELIB_WUDING_H

#include <stdint.h>

#include "calendar.h"

/* The most working days a task may be given (one year of them, our choice). */
#define WUDING_MAX_DAYS 365

/* Space-separated: the article's classes of 由民做主 items ("涵盖城市管理、社区
 * 治理、征收改造、社会治安、文明创建等重点工作") and other. */
extern const char *const wuding_types;

/* The refusal of a task as assigned (WUDING_* codes below: BAD_TASK_TYPE,
 * TASK_NO_OWNER, TASK_NO_STANDARD, TASK_NO_DUE, BAD_DUE), or NULL when it
 * has all five. Empty strings count as missing; NULL is taken as empty. */
const char *wuding_assign_refusal(const char *type, const char *owner_unit, const char *owner,
                                  const char *standard, int due_days);

/* 1 when a matter at `step` may be given tasks: its decision is in force
 * (approved) or being carried out (acting). */
int wuding_decided(const char *step);

/* The refusal of reporting a task in `state` done (TASK_NOT_OPEN), or NULL. */
const char *wuding_report_refusal(const char *state);

/* The refusal of checking a task in `state` (TASK_NOT_REPORTED), or NULL. */
const char *wuding_check_refusal(const char *state);

/* The state a check leaves the task in: "done" when passed, "open" when
 * failed the first time (reopens == 0), "failed" after that. */
const char *wuding_after_check(int passed, int reopens);

/* One step of the ladder. */
typedef struct {
    const char *event;   /* TaskReminder or TaskEscalated */
    const char *target;  /* "owner", "party" (the party committee) or "street" (the street office) */
    int percent;         /* of the working span from the start */
    int after_days;      /* working days after that */
} wuding_step_t;

#define WUDING_STEPS 4

/* Step `n` (0 .. WUDING_STEPS - 1), or NULL. */
const wuding_step_t *wuding_step(int n);

/* When step `n` of a task started at `start_ms` with `due_days` falls due:
 * its percent of the working span, then its working days after, on `cal`. */
int64_t wuding_step_due(const calendar_t *cal, int64_t start_ms, int due_days, int n);

/* The due date: `due_days` working days (of 1440 working minutes each, as
 * routing counts 工作日) from `start_ms`. */
int64_t wuding_due(const calendar_t *cal, int64_t start_ms, int due_days);

#endif
