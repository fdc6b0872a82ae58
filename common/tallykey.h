/* tallykey: the key pair secret ballots are sealed with. The public half
 * seals a ballot when it is cast; the secret half opens the ballots when
 * the meeting closes. Both live in the deployment's key folder
 * (GOV_KEYS_DIR, beside the CURVE keys of curve.h), never in the database:
 *   tally.public   the public half, Z85 (40 characters), 0644
 *   tally.secret   the secret half, Z85, 0600
 * The names do not end in .pub, so the key folder's ZAP lookup never takes
 * the tally key for a client's. The pair is an X25519 key pair for
 * libsodium's sealed boxes (crypto_box_seal). */
#ifndef GOV_TALLYKEY_H
#define GOV_TALLYKEY_H

#include <stdint.h>

#define TALLYKEY_Z85 41 /* 40 characters and NUL */

typedef struct {
    uint8_t public_key[32];
    uint8_t secret_key[32];
    char public_z85[TALLYKEY_Z85]; /* the public half as stored on a meeting */
} tallykey_t;

/* Makes `dir`'s tally pair unless tally.public exists (the folder must
 * exist). Returns 1 made, 0 kept, or -1 after printing why on stderr. */
int tallykey_generate(const char *dir);

/* Reads `dir`'s tally pair into `out` and checks that its halves belong
 * together. Returns 0; -ENOENT when `dir` is NULL or empty or a file is
 * missing; -EINVAL when a file is malformed or the public half is not the
 * secret half's (a tampered key). On failure `out` is zeroed. */
int tallykey_load(const char *dir, tallykey_t *out);

/* Zeroes `key` (the secret half too). */
void tallykey_wipe(tallykey_t *key);

#endif
