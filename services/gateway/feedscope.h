/* feedscope: which events of the three streams a person may see live. The
 * dispatch centre and the district leadership see everything. Otherwise:
 * routing's events go to the units they concern (a dispatch's unit, a
 * deadline step's target, a whistle's caller and summoned units);
 * and a dispatch of a whistle also to the unit that blew the whistle (a
 * street office's board follows its departments live: the caller is not
 * in the dispatch, so the stream looks it up once per whistle and keeps it
 * here, feedscope_whistle_wanted and feedscope_learn_whistle);
 * intake's new cases to the territorial units (grid team, community, street
 * office) whose area holds them; deliberation's matters, lists and orders
 * to the members and residents of their community, and to the people named
 * in their audience. Personal data is cut from every event before it is
 * sent (feed.c), whoever sees it. */
#ifndef GOV_GATEWAY_FEEDSCOPE_H
#define GOV_GATEWAY_FEEDSCOPE_H

#include <protobuf-c/protobuf-c.h>

#include <stdint.h>

#define FEEDSCOPE_MAX 8
#define FEEDSCOPE_WHISTLES 32 /* the whistles' callers a stream remembers, the oldest forgotten */

typedef struct {
    int64_t id;
    char caller[64]; /* "" when the whistle is unknown */
} feedscope_whistle_t;

typedef struct {
    char code[64], kind[32], area[64];
} feedscope_unit_t;

typedef struct {
    int all;                          /* the centre or the leadership */
    char person[64];
    feedscope_unit_t units[FEEDSCOPE_MAX];
    int nunits;
    char home[64];                    /* a resident's grid's area code, "" when none */
    feedscope_whistle_t whistles[FEEDSCOPE_WHISTLES]; /* a ring, learnt as events come */
    unsigned nwhistles;               /* how many were ever learnt; the next goes at % size */
} feedscope_t;

/* 1 when `s` may see event `msg` (decoded by its type's descriptor) of
 * stream `stream` ("intake", "routing", "deliberation"); else 0. */
int feedscope_visible(const feedscope_t *s, const char *stream, const ProtobufCMessage *msg);

/* The whistle whose caller `s` must know to decide on `msg` (a dispatch's
 * event or deadline step of a whistle's dispatch, seen by a person in a
 * unit that blows whistles: a street office or a community), when `s` does
 * not know it yet and does not see `msg` anyway; 0 otherwise. */
int64_t feedscope_whistle_wanted(const feedscope_t *s, const char *stream,
                                 const ProtobufCMessage *msg);

/* Remembers that unit `caller` blew whistle `id` ("" for no such whistle). */
void feedscope_learn_whistle(feedscope_t *s, int64_t id, const char *caller);

/* 1 when area codes `a` and `b` are the same or one holds the other
 * ("demo.s1" holds "demo.s1.c1.g1"). */
int feedscope_related(const char *a, const char *b);

#endif
