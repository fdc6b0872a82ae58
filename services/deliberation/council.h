/* council: the standing 村务商议团 (seed 002: 由村民代表会议民主投票选举7至9个
 * 村民代表作为成员 … 村"两委"召开联席会议进行审议，审议通过后执行落实). The
 * representatives' meeting elects it (an election is a meeting whose motion
 * is a slate and a term, meeting.c); passed, the slate takes office for the
 * term (council_install). A meeting of the council discusses a matter; what
 * it agrees goes to the 两委 joint review (council_review) before 公示 and
 * execution. */
#ifndef DELIB_COUNCIL_H
#define DELIB_COUNCIL_H

#include "rpcsrv.h"
#include "steps.h"

/* Checks an election's slate and term for ConveneMeeting: 7 to 9
 * (COUNCIL_SIZE), none twice (BAD_COUNCIL), every one an adult
 * representative of the community (NOT_A_REPRESENTATIVE), a term of 1 to 60
 * months (BAD_TERM), by the representatives (BAD_ROSTER). 0 or -1. */
int council_check_slate(delib_t *d, const matter_ref_t *m, const Gov__ConveneMeeting *p,
                        apperr_t *err);

/* The election of meeting `meeting_id` passed at `now_ms`: the council in
 * office ends, the slate takes office for its term, recorded on the matter
 * (council_elected, CouncilElected). 0 or -1. */
int council_install(delib_t *d, const matter_ref_t *m, int64_t meeting_id, int64_t now_ms,
                    const Gov__Envelope *env, const char *actor, apperr_t *err);

/* ReviewMatter: the party committee and the residents' committee each review
 * a matter the council agreed (reviewing); NOT_REVIEWER, ALREADY_REVIEWED.
 * When both have: decided if both approve, else rejected. */
int council_review(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   delib_result_t *out, apperr_t *err);

/* GetCouncil: answers CouncilReply, or NO_COUNCIL / UNKNOWN_AREA. */
void council_reply(delib_t *d, rpcsrv_t *srv, rpc_req_t *req, const Gov__GetCouncil *m);

#endif
