/* token.c - 256-bit bearer secrets as "<prefix>_<base64url>", and the Bearer header. */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <openssl/rand.h>
#include "ct/ct_token.h"
#include "ct/ct_util.h"

#define TOKEN_BYTES 32
#define TOKEN_B64 43 /* base64url of 32 bytes, no padding */

static void b64url(const unsigned char *in, size_t n, char *out);

static void
b64url(const unsigned char *in, size_t n, char *out)
{
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t i, o = 0;
    unsigned v;

    for (i = 0; i + 2 < n; i += 3) {
        v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        out[o++] = al[v >> 18 & 63];
        out[o++] = al[v >> 12 & 63];
        out[o++] = al[v >> 6 & 63];
        out[o++] = al[v & 63];
    }
    if (n - i == 1) {
        v = (unsigned)in[i] << 16;
        out[o++] = al[v >> 18 & 63];
        out[o++] = al[v >> 12 & 63];
    } else if (n - i == 2) {
        v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;
        out[o++] = al[v >> 18 & 63];
        out[o++] = al[v >> 12 & 63];
        out[o++] = al[v >> 6 & 63];
    }
    out[o] = '\0';
}

enum ct_err
ct_token_new(const char *prefix, char out[CT_TOKEN_MAX], unsigned char hash[32])
{
    unsigned char raw[TOKEN_BYTES];
    size_t plen = strlen(prefix);

    if (plen == 0 || plen + 1 + TOKEN_B64 + 1 > CT_TOKEN_MAX)
        return CT_E_INTERNAL;
    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return CT_E_INTERNAL;
    memcpy(out, prefix, plen);
    out[plen] = '_';
    b64url(raw, sizeof(raw), out + plen + 1);
    OPENSSL_cleanse(raw, sizeof(raw));
    ct_token_hash(out, hash);
    return CT_OK;
}

void
ct_token_hash(const char *token, unsigned char hash[32])
{
    ct_sha256(token, strlen(token), hash);
}

bool
ct_token_shape(const char *token, const char *prefix)
{
    size_t plen = strlen(prefix), i;

    if (token == NULL || strncmp(token, prefix, plen) != 0 || token[plen] != '_' ||
        strlen(token) != plen + 1 + TOKEN_B64)
        return false;
    for (i = plen + 1; token[i] != '\0'; i++)
        if (!isalnum((unsigned char)token[i]) && token[i] != '-' && token[i] != '_')
            return false;
    return true;
}

const char *
ct_token_bearer(const char *header)
{
    const char *t;

    if (header == NULL || strncasecmp(header, "Bearer ", 7) != 0)
        return NULL;
    t = header + 7;
    if (*t == '\0' || strchr(t, ' ') != NULL || strlen(t) >= CT_TOKEN_MAX)
        return NULL;
    return t;
}
