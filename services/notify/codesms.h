/* codesms: a one-time login code by SMS, sent at once.
 *
 * The gateway makes the code and keeps its hash; it asks notify
 * (SendLoginCode, over CURVE, from the gateway's key only: api.c) to text it
 * to the person's phone on file, in their language (the LoginCode template,
 * migration 0011). The request is answered only when the SMS gateway has
 * answered: SendLoginCodeReply once it took the message, SMS_NOT_SENT when
 * it did not (the gateway then tells the person to ask again). Nothing is
 * retried later: a code that arrives late is of no use.
 *
 * The code is never kept readable. The delivery is written like any other
 * (deliveries, delivery_attempts, `govctl notify log`), but with the code
 * masked in its text and in the SMS gateway's answer; it is written before
 * the SMS goes, as given up ('dead', "had not answered"), and made 'sent'
 * when the SMS gateway takes it, so a notify killed in between leaves an
 * honest record and nothing that could send the code again. The text with
 * the code exists only in memory, wiped once the request is done, and is
 * never logged. A repeat of the same message id sends nothing more: it gets
 * the first request's outcome (its delivery's idem_key, gateway:login:ID). */
#ifndef NOTIFY_CODESMS_H
#define NOTIFY_CODESMS_H

#include <uv.h>

#include "channel.h"
#include "notify.pb-c.h"
#include "rpcsrv.h"
#include "svclock.h"

typedef struct codesms codesms_t;

/* Makes a sender on `loop` with a database connection of its own to
 * `db_url` (its statements are short and run on the loop), the SMS channel
 * set up by `ch` (copied; its strings borrowed) and times from `clock`
 * (borrowed). Returns 0 and sets `*out`, or -1 after logging. */
int codesms_new(uv_loop_t *loop, const char *db_url, const svclock_t *clock,
                const channel_config_t *ch, codesms_t **out);

/* Texts the code `m` asks for and answers `req` on `srv` — at once when it
 * cannot be sent (UNKNOWN_PERSON: no such person or no phone on file;
 * BAD_ARGUMENT; SMS_NOT_SENT: no SMS gateway configured; DB_UNAVAILABLE),
 * else once the SMS gateway answered. `m` is borrowed for the call only.
 * Whether the sender may ask is the caller's check. */
void codesms_send(codesms_t *cs, rpcsrv_t *srv, rpc_req_t *req, const Gov__SendLoginCode *m);

/* Requests sent and answered since start: taken by the SMS gateway, not. */
void codesms_stats(const codesms_t *cs, uint64_t *sent, uint64_t *failed);

/* Stops: requests under way are abandoned unanswered (their clients time
 * out; their deliveries stay as written, given up). Frees once the loop has
 * closed the handles. NULLs; safe on NULL. */
void codesms_destroy(codesms_t **self_p);

/* Overwrites every occurrence of `code` (non-empty) in `text` with as many
 * '*': what is stored of an SMS gateway's answer that echoed the text. */
void codesms_mask(char *text, const char *code);

/* How many whole minutes a code of `ttl_s` seconds is valid, rounded up,
 * at least 1: what the text promises ("5分钟内有效"). */
int codesms_minutes(int ttl_s);

#endif
