/* seal: a secret ballot's vote, sealed when it is cast and opened when the
 * meeting closes.
 *
 * What a vote would tie together — its receipt hash and its choice — is
 * sealed (libsodium's crypto_box_seal, an anonymous sender) to the
 * deployment's tally key (common/tallykey.h), whose secret half the
 * database never holds. The sealed text is fixed-length whatever the choice:
 *   "gov.ballot.v1 " meeting id (20 digits) " " receipt hash (64 hex) " "
 *   choice (yes, no or abstain, padded with spaces to 7)
 * so every sealed ballot is SEAL_BYTES long, and one copied from another
 * meeting does not open for this one. These are pure functions; meeting.c
 * stores the sealed bytes and, at close, writes what they open to. */
#ifndef DELIB_SEAL_H
#define DELIB_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "tallykey.h"

#define SEAL_PLAIN 107
#define SEAL_BYTES (SEAL_PLAIN + 48) /* crypto_box_SEALBYTES: an ephemeral key and a MAC */

/* One opened ballot. */
typedef struct {
    char hash[65];  /* the receipt's hash, 64 lowercase hex */
    char choice[8]; /* yes, no or abstain */
} seal_vote_t;

/* Seals meeting `meeting_id`'s vote (`hash`, 64 lowercase hex; `choice`,
 * yes, no or abstain) to `public_key` into `out`. Returns 0, or -1 when an
 * argument is malformed or libsodium cannot start. */
int seal_ballot(const uint8_t public_key[32], int64_t meeting_id, const char *hash,
                const char *choice, uint8_t out[SEAL_BYTES]);

/* Opens `len` bytes `sealed` with `key` into `out`, for meeting
 * `meeting_id`. Returns 0, or -1 when they do not open: another tally key,
 * bytes altered, another meeting's ballot, or a text that is not a ballot. */
int seal_open(const tallykey_t *key, int64_t meeting_id, const uint8_t *sealed, size_t len,
              seal_vote_t *out);

/* Sorts `n` opened votes by receipt hash, the order they are written in at
 * close (so their rows' physical order says nothing of who cast them).
 * Returns 0, or -1 when two have the same hash (a ballot copied). */
int seal_sort(seal_vote_t *votes, size_t n);

#endif
