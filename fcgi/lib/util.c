/* util.c - random ids, hex, SHA-256, strict integer parsing and ISO 8601 time text. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "ct/ct_util.h"

static bool digits(const char *s, int n, int *out);
static void time_text(int64_t usec, char sep, const char *suffix, char out[32]);

enum ct_err
ct_uuid_new(char out[CT_UUID_LEN + 1])
{
    unsigned char b[16];
    char hex[33];

    if (RAND_bytes(b, sizeof(b)) != 1)
        return CT_E_INTERNAL;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    ct_hex(b, sizeof(b), hex);
    (void)snprintf(out, CT_UUID_LEN + 1, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
                   hex + 16, hex + 20);
    return CT_OK;
}

bool
ct_uuid_valid(const char *s)
{
    size_t i;

    if (s == NULL || strlen(s) != CT_UUID_LEN)
        return false;
    for (i = 0; i < CT_UUID_LEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
        } else if (!isxdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

void
ct_hex(const unsigned char *in, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = hx[in[i] >> 4];
        out[2 * i + 1] = hx[in[i] & 15];
    }
    out[2 * n] = '\0';
}

/* OpenSSL 3 looks an algorithm up by name on every implicit fetch (EVP_sha256() in EVP_Digest),
 * taking locks each time; a worker fetches SHA-256 once and keeps it. */
static EVP_MD *sha256_md;

void
ct_sha256(const void *in, size_t n, unsigned char out[32])
{
    unsigned int len = 32;

    if (sha256_md == NULL)
        sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (sha256_md == NULL || EVP_Digest(in, n, out, &len, sha256_md, NULL) != 1)
        abort(); /* the default provider always has SHA-256: only memory exhaustion lands here */
}

bool
ct_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end = NULL;
    long long v;
    const char *p = s;

    if (s == NULL || *s == '\0')
        return false;
    if (*p == '-')
        p++;
    if (*p == '\0')
        return false;
    for (; *p != '\0'; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || end == NULL || *end != '\0' || v < min || v > max)
        return false;
    *out = (int64_t)v;
    return true;
}

static bool
digits(const char *s, int n, int *out)
{
    int v = 0, i;

    for (i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool
ct_time_parse(const char *s, int64_t *usec)
{
    int y, mo, d, h = 0, mi = 0, se = 0, frac = 0, fdig = 0, off = 0;
    size_t len;
    struct tm tm;
    time_t t;
    const char *p;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (s == NULL)
        return false;
    len = strlen(s);
    if (len < 10 || len > 40 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
        s[7] != '-' || !digits(s + 8, 2, &d))
        return false;
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
        return false;
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return false;
    p = s + 10;
    if (*p != '\0') {
        if ((*p != 'T' && *p != ' ') || !digits(p + 1, 2, &h) || p[3] != ':' ||
            !digits(p + 4, 2, &mi) || p[6] != ':' || !digits(p + 7, 2, &se))
            return false;
        if (h > 23 || mi > 59 || se > 59)
            return false;
        p += 9;
        if (*p == '.') {
            p++;
            while (isdigit((unsigned char)*p)) {
                if (fdig < 6) {
                    frac = frac * 10 + (*p - '0');
                    fdig++;
                }
                p++;
            }
            if (fdig == 0)
                return false;
            while (fdig < 6) {
                frac *= 10;
                fdig++;
            }
        }
        if (*p == 'Z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int oh, om;

            if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 ||
                om > 59)
                return false;
            off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
            p += 6;
        } else {
            return false;
        }
        if (*p != '\0')
            return false;
    }
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    t = timegm(&tm);
    *usec = ((int64_t)t - off) * 1000000 + frac;
    return true;
}

void
ct_time_from_db(const char *db, char out[32])
{
    size_t len = strlen(db);

    /* "YYYY-MM-DD HH:MM:SS[.ffffff]" */
    if (len < 19) {
        (void)snprintf(out, 32, "%s", db);
        return;
    }
    if (len > 20 && strspn(db + 20, "0") == len - 20)
        len = 19;
    (void)snprintf(out, 32, "%.10sT%.*sZ", db, (int)(len - 11), db + 11);
}

/* Both time writers: strftime for the calendar part, then the microseconds. */
static void
time_text(int64_t usec, char sep, const char *suffix, char out[32])
{
    time_t t = (time_t)(usec / 1000000);
    int64_t frac = usec % 1000000;
    struct tm tm;
    size_t n;

    if (frac < 0) {
        frac += 1000000;
        t -= 1;
    }
    gmtime_r(&t, &tm);
    n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    if (n > 10)
        out[10] = sep;
    (void)snprintf(out + n, 32 - n, ".%06u%s", (unsigned)frac, suffix);
}

void
ct_time_to_db(int64_t usec, char out[32])
{
    time_text(usec, ' ', "", out);
}

void
ct_time_iso(int64_t usec, char out[32])
{
    time_text(usec, 'T', "Z", out);
}

int64_t
ct_now_usec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
