/* logincode: one-time login codes, texted by notify's SMS channel.
 *
 * A person, named by their code or by the phone number on file that is
 * theirs alone, asks for a code. Six random digits are made; only their
 * argon2id hash is kept (gateway_login_codes, migration 0011), with an
 * expiry and a count of tries, one live code a person (a new one replaces
 * the old); and the digits go to notify over CURVE (SendLoginCode), which
 * texts them to the phone on file and answers once the SMS gateway took the
 * message. A login with the code then opens a session as a password does
 * (auth.h). A code works once; each try counts before it is checked, so
 * after LOGINCODE_MAX_TRIES tries — even sent at once — the code is dead,
 * as it is once expired. Nobody to send to, no live code and a wrong code
 * give the same answers, in the same time (one argon2id verification each). */
#ifndef GOV_GATEWAY_LOGINCODE_H
#define GOV_GATEWAY_LOGINCODE_H

#include <stddef.h>
#include <stdint.h>

#include "pool.h"

#define LOGINCODE_DIGITS 6
/* Five tries, then the code is dead: this project's choice. With six digits
 * a try guesses right one time in 1,000,000, so a code falls to guessing
 * one time in 200,000; the login rate limits bound how many codes one can
 * ask for (docs/gateway.md). */
#define LOGINCODE_MAX_TRIES 5

typedef struct {
    int64_t person_id;
    char person[64];                   /* the person's code */
    char code[LOGINCODE_DIGITS + 1];   /* the digits, to send: wipe after */
} logincode_t;

/* Six uniformly random digits into `code`. Returns 0, or -1 (no randomness). */
int logincode_make(char code[LOGINCODE_DIGITS + 1]);

/* 1 when `code` is exactly LOGINCODE_DIGITS ASCII digits. */
int logincode_well_formed(const char *code);

/* What the login limits count a login or a code request against: the
 * person's code when `person` is given, or when `phone` is one person's
 * alone (so asking by code and by phone share one limit); else the number
 * as given. Writes at most `cap` bytes to `key`. Returns 0, or -1 when the
 * database failed. */
int logincode_limit_key(worker_t *w, const char *person, const char *phone, char *key, size_t cap);

/* Makes a code valid until `now_ms + ttl_ms` for the person named by
 * `person` (their code) or, when `person` is NULL, `phone`, and stores its
 * hash in place of any code they had. Returns 1 with `out` filled; 0 when
 * there is nobody to text (no such person, no phone on file, a number more
 * than one person has), with nothing stored; -1 when the database failed or
 * there was no randomness. */
int logincode_issue(worker_t *w, const char *person, const char *phone, int64_t now_ms,
                    int64_t ttl_ms, logincode_t *out);

/* Asks notify to text `lc`'s code, saying it is valid for `ttl_s`, and waits
 * up to `timeout_ms` for the SMS gateway's verdict. Returns 0 when the SMS
 * gateway took it; 1 when notify found nobody to text (the person lost their
 * phone meanwhile); -ETIMEDOUT when notify did not answer in time; -1 when
 * notify refused, with its code in `refusal` (SMS_NOT_SENT: the SMS gateway
 * did not take it; KEY_NOT_ALLOWED: this key is not the gateway's), or the
 * request could not be made (INTERNAL). */
int logincode_send(worker_t *w, const logincode_t *lc, int ttl_s, int timeout_ms,
                   char refusal[64]);

/* Tries `code` for the person named by `person` or, when NULL, `phone`, at
 * `now_ms`. Returns 1 with `*person_id` set when it is their live code (it
 * is then used up); 0 when not (a wrong code, an expired or dead one, none,
 * nobody) — a try on a live code counts; -1 when the database failed. */
int logincode_check(worker_t *w, const char *person, const char *phone, const char *code,
                    int64_t now_ms, int64_t *person_id);

#endif
