/* pairing: who serves a community beyond its own committee, kept with the
 * directory (directory.c) and read by deliberation (3+1 needs aimed at a
 * paired unit, service orders dispatched to a reported member):
 *  - the member units (委员单位) of a community's joint party committee
 *    (联合党委, seed 001) and the units paired with it (结对共建, seed 001:
 *    125 units with 104 小区; seed 004: 10–12 units a community): the
 *    admin's to set (PairUnit, UnpairUnit);
 *  - serving party members reporting to their home community (双报到, seed
 *    004): each reports themselves, acting for the unit they serve in, to a
 *    grid of the community (ReportMember); a second report moves them.
 * Any unit's member reads a unit's communities or a community's units and
 * reported members (ListPairings). Each change is a PairingChanged event. */
#ifndef ROUTING_PAIRING_H
#define ROUTING_PAIRING_H

#include "directory.pb-c.h"
#include "idem.h"
#include "routing.h"

/* The admin (NOT_ADMIN) pairs unit `unit` (UNKNOWN_UNIT) with community
 * `community` (UNKNOWN_AREA) as kind member or paired (BAD_KIND); again, it
 * changes the kind. Answers ids[0] the unit's id. */
int pairing_pair(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 idem_answer_t *out, apperr_t *err);
/* The admin unpairs them (NOT_FOUND when they were not). */
int pairing_unpair(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   idem_answer_t *out, apperr_t *err);
/* 双报到: the actor, a member of the unit they act for (NOT_A_MEMBER),
 * reports to grid `grid` (UNKNOWN_AREA), and to 责任区 `zone` of it when
 * named (BAD_ZONE). Answers ids[0] the unit's id. */
int pairing_report(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   idem_answer_t *out, apperr_t *err);

/* 责任区: the admin (NOT_ADMIN) draws zone `code` (TEXT_NAME) named `name`
 * in grid `grid` (UNKNOWN_AREA) as the set of its buildings `buildings`
 * (1..200, each a building of that grid and of no other zone: BAD_ZONE);
 * again, it is redrawn. Answers ids[1] the grid's community. */
int pairing_zone(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 idem_answer_t *out, apperr_t *err);

/* The pairings and reports of unit `unit_id` or community `community_id`
 * (0 for the other), built on the heap into `*out` (free it with
 * protobuf_c_message_free_unpacked). 0, or -1 with `err` set. */
int pairing_of(routing_t *r, int64_t unit_id, int64_t community_id, Gov__ListPairingsReply **out,
               apperr_t *err);

/* ListPairings: exactly one of unit and community (BAD_ARGUMENT), read by
 * a unit's member (OUTSIDE_SCOPE). */
int pairing_list(routing_t *r, const Gov__Actor *actor, const Gov__ListPairings *q,
                 Gov__ListPairingsReply **out, apperr_t *err);

#endif
