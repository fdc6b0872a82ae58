/* feedscope: which events of the three streams a person may see live. The
 * dispatch centre and the district leadership see everything. Otherwise:
 * routing's events go to the units they concern (a dispatch's unit, a
 * deadline step's target, a whistle's caller and summoned units);
 * intake's new cases to the territorial units (grid team, community, street
 * office) whose area holds them; deliberation's matters, lists and orders
 * to the members and residents of their community, and to the people named
 * in their audience. Personal data is cut from every event before it is
 * sent (feed.c), whoever sees it. */
#ifndef GOV_GATEWAY_FEEDSCOPE_H
#define GOV_GATEWAY_FEEDSCOPE_H

#include <protobuf-c/protobuf-c.h>

#define FEEDSCOPE_MAX 8

typedef struct {
    char code[64], kind[32], area[64];
} feedscope_unit_t;

typedef struct {
    int all;                          /* the centre or the leadership */
    char person[64];
    feedscope_unit_t units[FEEDSCOPE_MAX];
    int nunits;
    char home[64];                    /* a resident's grid's area code, "" when none */
} feedscope_t;

/* 1 when `s` may see event `msg` (decoded by its type's descriptor) of
 * stream `stream` ("intake", "routing", "deliberation"); else 0. */
int feedscope_visible(const feedscope_t *s, const char *stream, const ProtobufCMessage *msg);

/* 1 when area codes `a` and `b` are the same or one holds the other
 * ("demo.s1" holds "demo.s1.c1.g1"). */
int feedscope_related(const char *a, const char *b);

#endif
