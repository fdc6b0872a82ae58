/* joint: a community's joint meeting (社区工作联席会议, seed 001: "由'联合党委'
 * 书记召集 … 驻社区单位党组织负责人 … 社区居民委员会成员参加"), on a recurring day
 * (recur.h: seed 002's first Wednesday, its second Saturday, seed 004's
 * weekly activities).
 *
 * The community's party committee sets a schedule: a rule, the time of day,
 * and how long before the start each meeting is made. The next occurrence
 * is one pending row of joint_deadlines on the deadline engine
 * (common/deadline.h), not cron: firing it makes that day's meeting —
 * once, whatever the replicas and restarts (the engine claims the row once,
 * and a meeting is UNIQUE by schedule and day) — tells the member units,
 * and writes the row of the next occurrence, computed on the working-day
 * calendar as it stands then. From its start until it is closed, a member
 * unit (委员单位, routing's pairing) or the community's party or residents'
 * committee records that it came; a unit that is not a member is refused
 * (NOT_MEMBER_UNIT). The party committee records the decisions, each with
 * the member unit that carries it out, and closes the meeting; the record
 * then lists who came and which member units did not. Every change is a
 * JointEvent on the deliberation stream. */
#ifndef DELIB_JOINT_H
#define DELIB_JOINT_H

#include <uv.h>

#include "deadline.h"
#include "rpcsrv.h"
#include "steps.h"

/* Commands, in the caller's transaction (api.c). out->item_id is the
 * schedule (ScheduleJointMeeting, StopJointSchedule) or the meeting. */
int joint_schedule(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   delib_result_t *out, apperr_t *err);
int joint_stop(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
               delib_result_t *out, apperr_t *err);
int joint_attend(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 delib_result_t *out, apperr_t *err);
int joint_decide(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 delib_result_t *out, apperr_t *err);
int joint_close(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                delib_result_t *out, apperr_t *err);

/* Answers with the meeting (JointMeetingReply) or the schedule
 * (JointScheduleReply) `id`, or NOT_FOUND. */
void joint_reply_meeting(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, int64_t id);
void joint_reply_schedule(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, int64_t id);
/* ListJointMeetings: the community's schedules and latest 50 meetings. */
void joint_list(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, const Gov__ListJointMeetings *m);

/* Starts the occurrences' deadlines of `d` on `loop` (as takeby_new). */
int joint_deadlines_new(uv_loop_t *loop, delib_t *d, const deadline_config_t *config,
                        deadline_t **out);

/* The instant Beijing day `day` reaches minute `minute` (0..1439). */
int64_t joint_starts_ms(int32_t day, int minute);

#endif
