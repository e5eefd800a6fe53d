/* password.c - argon2id password hashing and checking (libargon2), and the password policy. */
#include <string.h>
#include <argon2.h>
#include <openssl/rand.h>
#include "ct/ct_log.h"
#include "ct/ct_password.h"

/* The cost. RFC 9106's first recommendation (t=1, m=2 GiB) and its second (t=3, m=64 MiB) cost
 * 100 ms to seconds per login, and ten times that under the sanitizers the tests run with. OWASP's
 * Password Storage Cheat Sheet lists equivalent argon2id settings that trade memory for passes;
 * m=19 MiB, t=2, p=1 is its first line: about 40 ms here, so a pool of 16 workers still answers
 * hundreds of logins a second while an offline guess costs 19 MiB of memory each. The cost is part
 * of each stored PHC string, so raising it later re-hashes nothing and old hashes still verify. */
#define PW_T_COST 2
#define PW_M_COST_KIB (19u * 1024u)
#define PW_PARALLELISM 1
#define PW_SALT_LEN 16
#define PW_HASH_LEN 32
#define PW_MIN_LEN 10
#define PW_MAX_LEN 128
#define PW_PREFIX "$argon2id$v=19$"

static size_t utf8_char(const unsigned char *s, size_t left, unsigned *cp);

/* An argon2id hash of a password nobody knows, with the cost above (salt "ct-dummy-salt-16"):
 * what an unknown account's login is checked against, so that it costs the same. */
static const char dummy_hash[] = "$argon2id$v=19$m=19456,t=2,p=1$Y3QtZHVtbXktc2FsdC0xNg$"
                                 "yR5qqL6DzxJRVW4fh8cxAng6Cx/G6tldtRuANABXBUE";

/* Length in bytes of the UTF-8 sequence at s and its code point; 0 when it is not valid UTF-8
 * (truncated, overlong, surrogate, past U+10FFFF). */
static size_t
utf8_char(const unsigned char *s, size_t left, unsigned *cp)
{
    size_t n, i;
    unsigned v, min;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0) {
        n = 2, v = s[0] & 0x1fu, min = 0x80;
    } else if ((s[0] & 0xf0) == 0xe0) {
        n = 3, v = s[0] & 0x0fu, min = 0x800;
    } else if ((s[0] & 0xf8) == 0xf0) {
        n = 4, v = s[0] & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (n > left)
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3fu);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return n;
}

bool
ct_password_acceptable(const char *password, const char **why)
{
    const unsigned char *p = (const unsigned char *)password;
    size_t len, i, n;
    unsigned cp;

    if (password == NULL) {
        *why = "is required";
        return false;
    }
    len = strlen(password);
    if (len < PW_MIN_LEN || len > PW_MAX_LEN) {
        *why = "must be 10 to 128 bytes long";
        return false;
    }
    for (i = 0; i < len; i += n) {
        n = utf8_char(p + i, len - i, &cp);
        if (n == 0) {
            *why = "must be valid UTF-8";
            return false;
        }
        /* C0, DEL and C1 controls: invisible, and mangled by some keyboards and forms */
        if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
            *why = "must not contain control characters";
            return false;
        }
    }
    return true;
}

enum ct_err
ct_password_hash(const char *password, char out[CT_PASSWORD_HASH_MAX])
{
    unsigned char salt[PW_SALT_LEN];
    char enc[CT_PASSWORD_HASH_MAX];
    int rc;

    if (password == NULL)
        return CT_E_INTERNAL;
    if (RAND_bytes(salt, sizeof(salt)) != 1)
        return CT_E_INTERNAL;
    rc = argon2id_hash_encoded(PW_T_COST, PW_M_COST_KIB, PW_PARALLELISM, password, strlen(password),
                               salt, sizeof(salt), PW_HASH_LEN, enc, sizeof(enc));
    if (rc != ARGON2_OK) {
        ct_log(LOG_ERR, "password: argon2id failed: %s", argon2_error_message(rc));
        return CT_E_INTERNAL;
    }
    memcpy(out, enc, strlen(enc) + 1);
    return CT_OK;
}

/* argon2id_verify recomputes the hash with the stored salt and cost and compares in constant
 * time (libargon2's argon2_compare). Anything but our own argon2id encoding is refused before any
 * work, so a corrupted row cannot ask for another algorithm or a malformed cost. */
bool
ct_password_verify(const char *hash, const char *password)
{
    if (hash == NULL || password == NULL)
        return false;
    if (strncmp(hash, PW_PREFIX, sizeof(PW_PREFIX) - 1) != 0 ||
        strlen(hash) >= CT_PASSWORD_HASH_MAX)
        return false;
    return argon2id_verify(hash, password, strlen(password)) == ARGON2_OK;
}

void
ct_password_burn(const char *password)
{
    /* the answer is known (no match): only the work matters */
    (void)ct_password_verify(dummy_hash, password != NULL ? password : "");
}
