/* lists: "3+1 清单" (seed 001) — the community's needs list (the committee
 * keeps it), the units' resources list (what a unit offers a community), and
 * the project list, claimed both ways (双向认领): a unit claims a need, or
 * the committee takes up a unit's resource, signing for its side; the other
 * side signs, and either reports it done. A need has a class and a source
 * (a home visit, a forum, a case) and may be aimed at one paired unit (then
 * only that unit claims it); NeedAdded tells the paired units (or the one),
 * ProjectSigned the project's unit (notify adds the committee).
 * Each change writes an event with the community's lists as they are now. */
#ifndef DELIB_LISTS_H
#define DELIB_LISTS_H

#include "steps.h"

int lists_add_need(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   delib_result_t *out, apperr_t *err);
int lists_add_resource(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                       delib_result_t *out, apperr_t *err);
int lists_claim(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                delib_result_t *out, apperr_t *err);
int lists_sign(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
               delib_result_t *out, apperr_t *err);
/* 双向认领 the other way: the committee takes up a unit's resource offered
 * to its community (NOT_COMMITTEE, NOT_FOUND, ALREADY_TAKEN); the project
 * waits for the unit's signature (lists_sign). */
int lists_take_resource(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                        delib_result_t *out, apperr_t *err);
int lists_complete(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   delib_result_t *out, apperr_t *err);

/* A community's three lists, read into protobuf messages that point into
 * the results held here. */
typedef struct {
    Gov__ListsReply msg;
    Gov__Need *needs;
    Gov__Need **need_ptrs;
    Gov__Resource *resources;
    Gov__Resource **resource_ptrs;
    Gov__Project *projects;
    Gov__Project **project_ptrs;
    PGresult *nres, *rres, *pres;
} lview_t;

/* Loads community `community_id`'s lists (named `code`, borrowed). Returns 0
 * or -1 with `err` set; call lview_clear in every case. */
int lview_load(delib_t *d, int64_t community_id, const char *code, lview_t *v, apperr_t *err);
void lview_clear(lview_t *v);

/* The community's id for `code`, or -1 with `err` set (UNKNOWN_AREA when
 * there is none). */
int64_t lists_community(delib_t *d, const char *code, apperr_t *err);

#endif
