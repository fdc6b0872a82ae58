/* directory: the organisation as the admin keeps it — people, units, and
 * who belongs to which unit in what role (the people, units and
 * unit_members tables of 0001_core.sql).
 *
 * Routing owns it because routing already decides by it: it sends work to
 * units and checks every command against the actor's membership. Every
 * other reader (the gateway's logins, intake's and deliberation's scopes,
 * notify's recipients) reads the tables at each request or batch, so a
 * change applies to the next one, with no cache to drop. Still every change
 * commits an event on routing's stream (PersonChanged, UnitChanged,
 * MembersChanged, without personal data), which is what moves the
 * gateway's cache of routing's reads (services/gateway/cache.h) and keeps a
 * record of who changed what.
 *
 * Only the admin changes the directory (routing_admin: a member of a unit
 * of kind admin acting for it, or the operator's govctl): NOT_ADMIN
 * otherwise. Phones and e-mail addresses are personal data: the admin lists
 * people, anyone else gets only their own record; any unit's member lists
 * the units, and the admin sees their members too. Commands run in the caller's transaction
 * (api.c's s_command: idempotent by message id) and change nothing when
 * refused. */
#ifndef ROUTING_DIRECTORY_H
#define ROUTING_DIRECTORY_H

#include "directory.pb-c.h"
#include "routing.h"

/* Commands, in the caller's transaction. Each returns 0 with the person's
 * or unit's id in out->ids[0], or -1 with `err` set. Refusals besides
 * NOT_ADMIN: BAD_CODE, CODE_TAKEN, MISSING_TEXT, TEXT_TOO_LONG, INVALID_TEXT,
 * INVALID_PHONE, INVALID_EMAIL, BAD_FIELD, BAD_KIND, BAD_ROLE, BAD_PARENT,
 * UNKNOWN_AREA, UNKNOWN_UNIT, UNKNOWN_PERSON, NOT_FOUND, LAST_ADMIN. */
int directory_create_person(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                            idem_answer_t *out, apperr_t *err);
int directory_update_person(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                            idem_answer_t *out, apperr_t *err);
int directory_create_unit(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                          idem_answer_t *out, apperr_t *err);
int directory_update_unit(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                          idem_answer_t *out, apperr_t *err);
/* AddMember sets the role of one already a member. RemoveMember of one who
 * is not: NOT_FOUND. Neither may leave no admin at all (LAST_ADMIN). */
int directory_add_member(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                         idem_answer_t *out, apperr_t *err);
int directory_remove_member(routing_t *r, const Gov__Envelope *env, const ProtobufCMessage *msg,
                            idem_answer_t *out, apperr_t *err);

/* Person `id` or unit `id` as it is now, into *out (the caller frees it
 * with protobuf_c_message_free_unpacked(out, NULL)). Returns 1, 0 when
 * there is none, or -1 with `err` set. */
int directory_person(routing_t *r, int64_t id, Gov__Person **out, apperr_t *err);
int directory_unit(routing_t *r, int64_t id, Gov__Unit **out, apperr_t *err);

/* Reads for `actor`: people (the admin: as asked; anyone else: their own
 * record only, whatever the filters), units (any unit's member or trusted
 * process; members for the admin). *out is the caller's to free as
 * above. Returns 0, or -1 with `err` set. */
int directory_people(routing_t *r, const Gov__Actor *actor, const Gov__ListPeople *q,
                     Gov__ListPeopleReply **out, apperr_t *err);
int directory_units(routing_t *r, const Gov__Actor *actor, const Gov__ListUnits *q,
                    Gov__ListUnitsReply **out, apperr_t *err);

#endif
