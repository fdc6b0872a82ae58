/* dispatchmsg: a gov.Dispatch built from a row of Q_DISPATCH_COLUMNS, with the
 * storage its pointers borrow. The row's result must outlive the message. */
#ifndef ROUTING_DISPATCHMSG_H
#define ROUTING_DISPATCHMSG_H

#include <libpq-fe.h>
#include <stdint.h>

#include "areapath.h"
#include "routing.h"
#include "routing.pb-c.h"

typedef struct {
    Gov__Dispatch msg;
    Gov__Reporter reporter;
    areapath_t path;
    int64_t unit_id;          /* not in the message: for checks */
    int64_t caller_unit_id;   /* the whistle's caller, 0 for a case */
    int64_t policy_id;        /* 0: none */
    const char *contact_hint; /* the reporter's phone masked, kept ("": none, or a copy) */
    char masked_phone[64];    /* the reporter's phone once dispatchmsg_mask()ed */
    char contact_ref[32];     /* "case:<id>" once dispatchmsg_for_event()ed */
} dispatchmsg_t;

/* Fills `view` from row `row` of `res`. Returns 0 or -1 (bad area path). */
int dispatchmsg_from_row(dispatchmsg_t *view, const PGresult *res, int row);

/* 1 when the case of `view` has a reporter's phone: kept masked
 * (contact_hint), or in a copy made before routing kept none. */
int dispatchmsg_has_contact(const dispatchmsg_t *view);

/* Masks the reporter of `view`: name "", phone as text_mask_phone() writes
 * it (every digit masked when it is longer than the view keeps), or the kept
 * mask when the view holds no number. Returns 1 when the reporter had a name
 * or phone (before), 0 when it had none. */
int dispatchmsg_mask(dispatchmsg_t *view);

/* Readies `view` for an event on the bus: the reporter is taken out, and when
 * `with_ref` and the case has a reporter's phone, a reference to them stays
 * (msg.contact_ref "case:<id>") for the subscriber that must reach them to
 * ask intake (GetContacts). readscope_event_contact() says which events. */
void dispatchmsg_for_event(dispatchmsg_t *view, int with_ref);

/* Frees what the message holds (not `res`). Safe on a zeroed one. */
void dispatchmsg_clear(dispatchmsg_t *view);

/* Loads dispatch `id` (locking it when `for_update`) into `view`, keeping the
 * result in `*res` (the caller PQclear()s it). Returns 1 found, 0 no such
 * dispatch, -1 database error with `sqlstate` set. */
int dispatchmsg_load(routing_t *r, int64_t id, int for_update, dispatchmsg_t *view, PGresult **res,
               char sqlstate[6]);

#endif
