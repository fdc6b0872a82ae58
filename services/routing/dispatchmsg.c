#include "dispatchmsg.h"

#include <inttypes.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "queries.h"
#include "routing.h"
#include "text.h"

static char *s_text(const PGresult *res, int row, int col)
{
    return PQgetvalue(res, row, col);
}

static int64_t s_i64(const PGresult *res, int row, int col)
{
    return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static int s_bool(const PGresult *res, int row, int col)
{
    return PQgetvalue(res, row, col)[0] == 't';
}

int dispatchmsg_from_row(dispatchmsg_t *view, const PGresult *res, int row)
{
    memset(view, 0, sizeof *view);
    Gov__Dispatch *d = &view->msg;
    gov__dispatch__init(d);
    gov__reporter__init(&view->reporter);
    d->id = s_i64(res, row, 0);
    d->case_id = s_i64(res, row, 1);
    d->whistle_id = s_i64(res, row, 2);
    d->unit = s_text(res, row, 3);
    d->unit_name = s_text(res, row, 4);
    d->role = s_text(res, row, 5);
    d->state = s_text(res, row, 6);
    d->on_site = s_bool(res, row, 7);
    d->category = s_text(res, row, 8);
    if (areapath_parse(&view->path, s_text(res, row, 9)))
        return -1;
    d->area_path = view->path.ptrs;
    d->n_area_path = view->path.n;
    d->sent_ms = s_i64(res, row, 10);
    d->sign_by_ms = s_i64(res, row, 11);
    d->contact_by_ms = s_i64(res, row, 12);
    d->arrive_by_ms = s_i64(res, row, 13);
    d->resolve_by_ms = s_i64(res, row, 14);
    d->signed_ms = s_i64(res, row, 15);
    d->contacted_ms = s_i64(res, row, 16);
    d->arrived_ms = s_i64(res, row, 17);
    d->resolved_ms = s_i64(res, row, 18);
    d->ended_ms = s_i64(res, row, 19);
    d->return_reason = s_text(res, row, 20);
    d->note = s_text(res, row, 21);
    d->reopen = s_bool(res, row, 22);
    d->description = s_text(res, row, 23);
    view->reporter.name = s_text(res, row, 24);
    view->reporter.phone = s_text(res, row, 25);
    if (d->case_id)
        d->reporter = &view->reporter;
    view->unit_id = s_i64(res, row, 26);
    view->caller_unit_id = s_i64(res, row, 27);
    view->policy_id = s_i64(res, row, 28);
    d->urgency = s_text(res, row, 29);
    d->pass_up_reason = s_text(res, row, 30);
    view->contact_hint = s_text(res, row, 31);
    return 0;
}

void dispatchmsg_clear(dispatchmsg_t *view)
{
    areapath_clear(&view->path);
}

int dispatchmsg_load(routing_t *r, int64_t id, int for_update, dispatchmsg_t *view, PGresult **res,
               char sqlstate[6])
{
    char ids[24];
    const char *params[] = {routing_i64(ids, id)};
    memset(view, 0, sizeof *view);
    *res = pstmt_exec(r->sql, for_update ? Q_DISPATCH_FOR_UPDATE : Q_DISPATCH, 1, params, sqlstate);
    if (!*res)
        return -1;
    if (PQntuples(*res) == 0)
        return 0;
    if (dispatchmsg_from_row(view, *res, 0)) {
        memcpy(sqlstate, "XX000", 6);
        return -1;
    }
    return 1;
}

void dispatchmsg_for_event(dispatchmsg_t *view, int with_ref)
{
    Gov__Dispatch *d = &view->msg;
    int has_phone = dispatchmsg_has_contact(view);
    d->reporter = NULL;
    view->contact_ref[0] = '\0';
    if (with_ref && has_phone && d->case_id)
        snprintf(view->contact_ref, sizeof view->contact_ref, "case:%" PRId64, d->case_id);
    d->contact_ref = view->contact_ref;
}

int dispatchmsg_has_contact(const dispatchmsg_t *view)
{
    const Gov__Reporter *rep = &view->reporter;
    return (view->contact_hint && view->contact_hint[0]) || (rep->phone && rep->phone[0]);
}

int dispatchmsg_mask(dispatchmsg_t *view)
{
    Gov__Reporter *rep = &view->reporter;
    int had = (rep->name && rep->name[0]) || dispatchmsg_has_contact(view);
    const char *phone = rep->phone ? rep->phone : "";
    if (!phone[0] && view->contact_hint && strlen(view->contact_hint) < sizeof view->masked_phone)
        snprintf(view->masked_phone, sizeof view->masked_phone, "%s", view->contact_hint);
    else if (strlen(phone) < sizeof view->masked_phone)
        text_mask_phone(phone, view->masked_phone);
    else
        snprintf(view->masked_phone, sizeof view->masked_phone, "***");
    rep->name = (char *) "";
    rep->phone = view->masked_phone;
    return had;
}
