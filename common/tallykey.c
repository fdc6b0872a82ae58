#include "tallykey.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "curve.h"

int tallykey_generate(const char *dir)
{
    /* A CURVE pair is an X25519 pair, what libsodium's sealed boxes take. */
    return curve_make_pair(dir, "tally.public", "tally.secret");
}

int tallykey_load(const char *dir, tallykey_t *out)
{
    memset(out, 0, sizeof *out);
    if (!dir || !*dir)
        return -ENOENT;
    char path[4200];
    snprintf(path, sizeof path, "%s/tally.public", dir);
    if (access(path, F_OK) != 0)
        return -ENOENT;
    if (curve_read(path, out->public_key))
        goto bad;
    snprintf(path, sizeof path, "%s/tally.secret", dir);
    if (access(path, F_OK) != 0) {
        tallykey_wipe(out);
        return -ENOENT;
    }
    uint8_t derived[32];
    if (curve_read(path, out->secret_key) || sodium_init() < 0 ||
        crypto_scalarmult_base(derived, out->secret_key) != 0 ||
        sodium_memcmp(derived, out->public_key, 32) != 0 ||
        !zmq_z85_encode(out->public_z85, out->public_key, 32))
        goto bad;
    return 0;
bad:
    tallykey_wipe(out);
    return -EINVAL;
}

void tallykey_wipe(tallykey_t *key)
{
    sodium_memzero(key, sizeof *key);
}
