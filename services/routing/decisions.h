/* decisions: a community's decision that summons departments (联动办事)
 * becomes a whistle. Routing follows deliberation's stream; for each
 * MatterActing event it blows a routine whistle (日常哨) as the committee
 * member who acted, at a point of the matter's area, to the departments the
 * decision named, with the matter's id in the whistle (matter_id) so deliberation can follow the
 * work back. */
#ifndef ROUTING_DECISIONS_H
#define ROUTING_DECISIONS_H

#include "envelope.h"
#include "routing.h"

/* Applies one deliberation event inside the subscriber's transaction. A
 * refusal (the committee member left, a department was removed) is logged
 * and skipped, so one bad decision does not stop the stream; a database
 * failure returns -1 to retry. */
int decisions_apply(routing_t *r, const Gov__Envelope *event);

#endif
