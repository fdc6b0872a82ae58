#include "seal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(SEAL_BYTES == SEAL_PLAIN + crypto_box_SEALBYTES, "the sealed length");

#define SEAL_PREFIX "gov.ballot.v1 "

static int s_choice_ok(const char *c)
{
    return strcmp(c, "yes") == 0 || strcmp(c, "no") == 0 || strcmp(c, "abstain") == 0;
}

static int s_hex64(const char *s)
{
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

int seal_ballot(const uint8_t public_key[32], int64_t meeting_id, const char *hash,
                const char *choice, uint8_t out[SEAL_BYTES])
{
    if (!hash || strlen(hash) != 64 || !s_hex64(hash) || !choice || !s_choice_ok(choice) ||
        meeting_id < 0 || sodium_init() < 0)
        return -1;
    char plain[SEAL_PLAIN + 1];
    int n = snprintf(plain, sizeof plain, SEAL_PREFIX "%020lld %s %-7s", (long long) meeting_id,
                     hash, choice);
    if (n != SEAL_PLAIN)
        return -1;
    int rc = crypto_box_seal(out, (const unsigned char *) plain, SEAL_PLAIN, public_key) ? -1 : 0;
    sodium_memzero(plain, sizeof plain);
    return rc;
}

int seal_open(const tallykey_t *key, int64_t meeting_id, const uint8_t *sealed, size_t len,
              seal_vote_t *out)
{
    memset(out, 0, sizeof *out);
    unsigned char plain[SEAL_PLAIN + 1];
    if (len != SEAL_BYTES || sodium_init() < 0 ||
        crypto_box_seal_open(plain, sealed, len, key->public_key, key->secret_key) != 0)
        return -1;
    plain[SEAL_PLAIN] = '\0';
    const char *p = (const char *) plain;
    char want[40];
    snprintf(want, sizeof want, SEAL_PREFIX "%020lld ", (long long) meeting_id);
    size_t head = strlen(want); /* 35 */
    int rc = -1;
    if (memcmp(p, want, head) != 0 || !s_hex64(p + head) || p[head + 64] != ' ')
        goto done;
    char choice[8];
    memcpy(choice, p + head + 65, 7);
    choice[7] = '\0';
    for (int i = 6; i >= 0 && choice[i] == ' '; i--)
        choice[i] = '\0';
    if (!s_choice_ok(choice))
        goto done;
    memcpy(out->hash, p + head, 64);
    out->hash[64] = '\0';
    memcpy(out->choice, choice, sizeof choice);
    rc = 0;
done:
    sodium_memzero(plain, sizeof plain);
    return rc;
}

static int s_by_hash(const void *a, const void *b)
{
    return strcmp(((const seal_vote_t *) a)->hash, ((const seal_vote_t *) b)->hash);
}

int seal_sort(seal_vote_t *votes, size_t n)
{
    if (n > 1)
        qsort(votes, n, sizeof *votes, s_by_hash);
    for (size_t i = 1; i < n; i++)
        if (strcmp(votes[i - 1].hash, votes[i].hash) == 0)
            return -1;
    return 0;
}
