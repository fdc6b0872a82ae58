#include "sign.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void s_hmac(const char *key, const char *msg, size_t len, unsigned char mac[32])
{
    unsigned int n = 32;
    HMAC(EVP_sha256(), key, (int) strlen(key), (const unsigned char *) msg, len, mac, &n);
}

void sign_hex(const char *key, const char *msg, size_t len, char out[65])
{
    unsigned char mac[32];
    s_hmac(key, msg, len, mac);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", mac[i]);
}

void sign_base64(const char *key, const char *msg, size_t len, char out[45])
{
    unsigned char mac[32];
    s_hmac(key, msg, len, mac);
    EVP_EncodeBlock((unsigned char *) out, mac, 32);
}

void sign_dingtalk(const char *secret, const char *timestamp_ms, char out[133])
{
    size_t len = strlen(timestamp_ms) + 1 + strlen(secret);
    char *msg = malloc(len + 1);
    char b64[45];
    if (!msg) {
        out[0] = '\0';
        return;
    }
    snprintf(msg, len + 1, "%s\n%s", timestamp_ms, secret);
    sign_base64(secret, msg, len, b64);
    free(msg);
    size_t o = 0;
    for (const char *p = b64; *p; p++) {
        if (*p == '+' || *p == '/' || *p == '=')
            o += (size_t) snprintf(out + o, 4, "%%%02X", (unsigned char) *p);
        else
            out[o++] = *p;
    }
    out[o] = '\0';
}
