#include "tallykey.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "curve.h"

static int s_write(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    if (fd < 0)
        return -1;
    size_t len = strlen(text);
    int rc = write(fd, text, len) == (ssize_t) len ? 0 : -1;
    if (close(fd))
        rc = -1;
    return rc;
}

int tallykey_generate(const char *dir)
{
    char pub_path[4200], key_path[4200], public[TALLYKEY_Z85], secret[TALLYKEY_Z85], line[48];
    snprintf(pub_path, sizeof pub_path, "%s/tally.public", dir);
    snprintf(key_path, sizeof key_path, "%s/tally.secret", dir);
    if (access(pub_path, F_OK) == 0)
        return 0;
    uint8_t pk[32], sk[32];
    if (sodium_init() < 0 || crypto_box_keypair(pk, sk) != 0 || !zmq_z85_encode(public, pk, 32) ||
        !zmq_z85_encode(secret, sk, 32)) {
        fprintf(stderr, "cannot make the tally key pair\n");
        return -1;
    }
    snprintf(line, sizeof line, "%s\n", secret);
    int rc = s_write(key_path, line, 0600);
    snprintf(line, sizeof line, "%s\n", public);
    if (!rc)
        rc = s_write(pub_path, line, 0644);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(secret, sizeof secret);
    sodium_memzero(line, sizeof line);
    if (rc) {
        fprintf(stderr, "cannot write the tally keys in %s: %s\n", dir, strerror(errno));
        return -1;
    }
    return 1;
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
