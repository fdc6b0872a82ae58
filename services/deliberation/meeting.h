/* meeting: 会议定事 — a roster meets on a matter's motion.
 *
 * The committee convenes it with advance notice (the community's notice_minutes)
 * and a roster kind: all adult residents in scope, household representatives,
 * elected representatives, or a 村务商议团 of 7–9 named residents. The roster
 * is fixed then. From the start, roster members attend and vote, once (or, in
 * an open ballot that allows it, again before close: the last vote counts and
 * the earlier ones stay in the record). In a secret ballot the database
 * keeps who voted (not when) and, until close, how only sealed to the tally
 * key (seal.h); the voter gets a receipt to check, after close, that the vote
 * was counted. Closing opens a secret ballot's votes and writes them in
 * receipt-hash order, then counts: the quorum over the roster, then the
 * majority of those present (rule.c); without quorum the matter stays
 * undecided. */
#ifndef DELIB_MEETING_H
#define DELIB_MEETING_H

#include "steps.h"

int meeting_convene(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                    delib_result_t *out, apperr_t *err);
int meeting_attend(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   delib_result_t *out, apperr_t *err);
/* Fills out->receipt (32 hex characters) for the voter. A secret vote is
 * refused with TALLY_KEY_MISSING, TALLY_KEY_BAD or TALLY_KEY_CHANGED when it
 * could not be sealed to the meeting's tally key. */
int meeting_vote(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 delib_result_t *out, apperr_t *err);
/* Closes and counts. A secret ballot's sealed votes are opened first; the
 * close is refused, counting nothing, with a TALLY_KEY_* code,
 * BALLOT_UNREADABLE or BALLOTS_MISMATCH when they cannot all be opened. */
int meeting_close(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                  delib_result_t *out, apperr_t *err);

/* Reads what a receipt stands for (no transaction needed). `out->choice`
 * points at `choice`. Returns 0, or -1 with BAD_RECEIPT / NOT_FOUND, or
 * BALLOT_SEALED when it is not found and the matter's secret ballot sits. */
int meeting_check_receipt(delib_t *d, const Gov__CheckReceipt *p, Gov__CheckReceiptReply *out,
                          char choice[12], apperr_t *err);

#endif
