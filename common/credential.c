#include "credential.h"

#include <argon2.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <string.h>
#include <sys/random.h>

#define SALT_LEN 16
#define HASH_LEN 32

static void s_base64url(const uint8_t *in, size_t len, char *out)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0, i = 0;
    for (; i + 2 < len; i += 3) {
        uint32_t v = (uint32_t) in[i] << 16 | (uint32_t) in[i + 1] << 8 | in[i + 2];
        out[o++] = a[v >> 18 & 63], out[o++] = a[v >> 12 & 63];
        out[o++] = a[v >> 6 & 63], out[o++] = a[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t) in[i] << 16;
        out[o++] = a[v >> 18 & 63], out[o++] = a[v >> 12 & 63];
    } else if (len - i == 2) {
        uint32_t v = (uint32_t) in[i] << 16 | (uint32_t) in[i + 1] << 8;
        out[o++] = a[v >> 18 & 63], out[o++] = a[v >> 12 & 63], out[o++] = a[v >> 6 & 63];
    }
    out[o] = '\0';
}

static int s_random(uint8_t *out, size_t len)
{
    return getrandom(out, len, 0) == (ssize_t) len ? 0 : -1;
}

const char credential_decoy_hash[] =
    "$argon2id$v=19$m=19456,t=2,p=1$ZGVjb3lkZWNveWRlY295IQ$"
    "wl24lU8C6afEYJpCvL5s+AEzAqoU8FBGf7QSOSN97c0";

/* argon2id of `secret` (`len` bytes) with a fresh salt. */
static int s_hash(const char *secret, size_t len, char out[CREDENTIAL_HASH_MAX])
{
    uint8_t salt[SALT_LEN];
    if (s_random(salt, sizeof salt))
        return -1;
    int rc = argon2id_hash_encoded(CREDENTIAL_ARGON2_T, CREDENTIAL_ARGON2_M_KIB, CREDENTIAL_ARGON2_P,
                                   secret, len, salt, sizeof salt, HASH_LEN, out,
                                   CREDENTIAL_HASH_MAX);
    return rc == ARGON2_OK ? 0 : -1;
}

int credential_hash_password(const char *password, char out[CREDENTIAL_HASH_MAX])
{
    size_t len = strlen(password);
    if (len < CREDENTIAL_PASSWORD_MIN || len > CREDENTIAL_PASSWORD_MAX)
        return -1;
    return s_hash(password, len, out);
}

int credential_hash_code(const char *code, char out[CREDENTIAL_HASH_MAX])
{
    size_t len = strlen(code);
    if (len == 0 || len > CREDENTIAL_PASSWORD_MAX)
        return -1;
    return s_hash(code, len, out);
}

int credential_verify_password(const char *encoded, const char *password)
{
    if (strncmp(encoded, "$argon2id$", 10) != 0)
        return -1;
    size_t len = strlen(password);
    if (len > CREDENTIAL_PASSWORD_MAX)
        return 0;
    int rc = argon2id_verify(encoded, password, len);
    return rc == ARGON2_OK ? 1 : rc == ARGON2_VERIFY_MISMATCH ? 0 : -1;
}

int credential_new_token(const char *prefix, char out[CREDENTIAL_TOKEN_MAX])
{
    uint8_t bytes[32];
    size_t plen = strlen(prefix);
    if (plen > 8 || s_random(bytes, sizeof bytes))
        return -1;
    memcpy(out, prefix, plen);
    s_base64url(bytes, sizeof bytes, out + plen);
    return 0;
}

void credential_digest(const char *token, uint8_t out[32])
{
    SHA256((const unsigned char *) token, strlen(token), out);
}

void credential_digest_hex(const char *token, char out[67])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t d[32];
    credential_digest(token, d);
    out[0] = '\\', out[1] = 'x';
    for (int i = 0; i < 32; i++) {
        out[2 + 2 * i] = hex[d[i] >> 4];
        out[3 + 2 * i] = hex[d[i] & 15];
    }
    out[66] = '\0';
}

void credential_csrf(const char *session, char out[CREDENTIAL_CSRF_LEN + 1])
{
    uint8_t digest[32] = {0};
    unsigned len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) && EVP_DigestUpdate(ctx, "gov-csrf:", 9) &&
        EVP_DigestUpdate(ctx, session, strlen(session)))
        EVP_DigestFinal_ex(ctx, digest, &len);
    EVP_MD_CTX_free(ctx);
    if (len != sizeof digest) /* no digest: a token nobody can match */
        getrandom(digest, sizeof digest, 0);
    s_base64url(digest, sizeof digest, out);
}

int credential_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = la != lb;
    for (size_t i = 0; i < la && i < lb; i++)
        diff |= (unsigned char) (a[i] ^ b[i]);
    return diff == 0;
}
