/* card_keys.c - the card keyring (PAN data keys, lookup key, CVK pair, PIN keys) from a key
 * file, and the small helpers the card modules share. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include "ct/ct_card_keys.h"
#include "ct/ct_mem.h"
#include "card_internal.h"

#define LINE_MAX_LEN 256 /* the longest valid line is under 100 characters */
#define FIELDS_MAX 3

enum use { U_PAN, U_PIN, U_LOOKUP, U_CVK, U__COUNT };

/* The words of the file: key_len 0 is a "which key seals" line, which carries no key. */
static const struct {
    const char *word;
    enum use use;
    size_t key_len;
} words[] = {
    {"pan", U_PAN, CARD_AES_KEY}, {"pin", U_PIN, CARD_AES_KEY}, {"lookup", U_LOOKUP, CARD_AES_KEY},
    {"cvk", U_CVK, CARD_CVK},     {"pan_current", U_PAN, 0},    {"pin_current", U_PIN, 0},
};
#define N_WORDS (sizeof(words) / sizeof(words[0]))

/* What a parse has seen so far beside the keys themselves. */
struct parse {
    struct ct_card_keys *k;
    unsigned current[U__COUNT]; /* from the *_current lines; 0 when none */
    int seen[U__COUNT];         /* keys of each use */
    size_t line;
    char *why;
    size_t whysz;
};

static bool parse_id(const char *s, size_t len, unsigned *id);
static int hex_value(unsigned char c, bool any_case);
static bool unhex(const char *s, size_t n, bool any_case, unsigned char *out);
static size_t split(char *line, char *field[FIELDS_MAX + 1]);
static bool fail(struct parse *p, const char *what);
static bool add_key(struct parse *p, enum use use, unsigned id, const char *hex, size_t key_len);
static bool parse_line(struct parse *p, char *line);
static bool set_current(struct parse *p, struct card_keyset *set, enum use use, const char *name);
static bool keys_distinct(const struct ct_card_keys *k);
static bool finish(struct parse *p);

/* ---------------------------------------------------------------- shared helpers */

const unsigned char *
card_key_find(const struct card_keyset *set, unsigned id)
{
    size_t i;

    for (i = 0; i < set->n; i++)
        if (set->k[i].id == id)
            return set->k[i].key;
    return NULL;
}

const struct card_key *
card_key_current(const struct card_keyset *set)
{
    size_t i;

    for (i = 0; i < set->n; i++)
        if (set->k[i].id == set->current)
            return &set->k[i];
    return &set->k[0]; /* not reached: finish() checked the current id */
}

size_t
card_digits(const char *s, size_t max)
{
    size_t n;

    if (s == NULL)
        return 0;
    for (n = 0; n <= max && s[n] >= '0' && s[n] <= '9'; n++)
        ;
    return n <= max && s[n] == '\0' ? n : 0;
}

size_t
card_pan_len(const char *pan)
{
    size_t n = card_digits(pan, CT_CARD_PAN_MAX);

    return n >= CT_CARD_PAN_MIN ? n : 0;
}

/* Decimal 1..CT_CARD_KEY_ID_MAX, no sign, no leading zero (one spelling per id). */
static bool
parse_id(const char *s, size_t len, unsigned *id)
{
    unsigned v = 0;
    size_t i;

    if (len == 0 || len > 5 || s[0] == '0')
        return false;
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > CT_CARD_KEY_ID_MAX)
        return false;
    *id = v;
    return true;
}

bool
card_sealed_head(const char *s, const char *tag, unsigned *id, const char **rest)
{
    size_t tl = strlen(tag);
    const char *p, *dot;

    if (strncmp(s, tag, tl) != 0 || s[tl] != '.')
        return false;
    p = s + tl + 1;
    dot = memchr(p, '.', strnlen(p, 6)); /* an id has at most 5 digits */
    if (dot == NULL || !parse_id(p, (size_t)(dot - p), id))
        return false;
    *rest = dot + 1;
    return true;
}

enum ct_err
card_sealed_key(const char *sealed, const char *tag, unsigned *id)
{
    const char *rest;

    return sealed != NULL && card_sealed_head(sealed, tag, id, &rest) ? CT_OK : CT_E_BADREQ;
}

static int
hex_value(unsigned char c, bool any_case)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (any_case && c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool
unhex(const char *s, size_t n, bool any_case, unsigned char *out)
{
    size_t i;
    int hi, lo;

    for (i = 0; i < n; i++) {
        hi = hex_value((unsigned char)s[2 * i], any_case);
        lo = hi < 0 ? -1 : hex_value((unsigned char)s[2 * i + 1], any_case);
        if (lo < 0)
            return false;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return true;
}

bool
card_unhex(const char *s, size_t n, unsigned char *out)
{
    return unhex(s, n, false, out);
}

/* ---------------------------------------------------------------- the key file */

/* Splits a line in place on spaces and tabs; returns the number of fields (at most
 * FIELDS_MAX + 1, the extra one meaning "too many"). */
static size_t
split(char *line, char *field[FIELDS_MAX + 1])
{
    size_t n = 0;
    char *p = line;

    while (n <= FIELDS_MAX) {
        while (*p == ' ' || *p == '\t')
            *p++ = '\0';
        if (*p == '\0')
            break;
        field[n++] = p;
        while (*p != '\0' && *p != ' ' && *p != '\t')
            p++;
    }
    return n;
}

static bool
fail(struct parse *p, const char *what)
{
    if (p->line > 0)
        (void)snprintf(p->why, p->whysz, "line %zu: %s", p->line, what);
    else
        (void)snprintf(p->why, p->whysz, "%s", what);
    return false;
}

static bool
add_key(struct parse *p, enum use use, unsigned id, const char *hex, size_t key_len)
{
    struct card_keyset *set = use == U_PAN ? &p->k->pan : use == U_PIN ? &p->k->pin : NULL;
    unsigned char *dst = use == U_LOOKUP ? p->k->lookup : p->k->cvk;

    if (strlen(hex) != 2 * key_len)
        return fail(p, key_len == CARD_CVK ? "a cvk is 32 hex digits (CVK A then CVK B)"
                                           : "this key is 64 hex digits (256 bits)");
    if (set != NULL) {
        if (card_key_find(set, id) != NULL)
            return fail(p, "this id is given twice");
        if (set->n == CT_CARD_KEYS_PER_USE)
            return fail(p, "too many keys of this use");
        set->k[set->n].id = id;
        dst = set->k[set->n++].key;
    } else if (p->seen[use] > 0) {
        return fail(p, "lookup and cvk are given once");
    }
    if (!unhex(hex, key_len, true, dst))
        return fail(p, "the key is not hex");
    p->seen[use]++;
    return true;
}

static bool
parse_line(struct parse *p, char *line)
{
    char *f[FIELDS_MAX + 1];
    size_t n = split(line, f), i;
    unsigned id;

    if (n == 0 || f[0][0] == '#')
        return true;
    for (i = 0; i < N_WORDS && strcmp(f[0], words[i].word) != 0; i++)
        ;
    if (i == N_WORDS)
        return fail(p, "unknown word (pan, pan_current, lookup, cvk, pin, pin_current)");
    if (n != (words[i].key_len > 0 ? 3u : 2u))
        return fail(p, words[i].key_len > 0 ? "expected: <use> <id> <hex key>"
                                            : "expected: <use>_current <id>");
    if (!parse_id(f[1], strlen(f[1]), &id))
        return fail(p, "an id is a number from 1 to 65535");
    if (words[i].key_len > 0)
        return add_key(p, words[i].use, id, f[2], words[i].key_len);
    if (p->current[words[i].use] != 0)
        return fail(p, "the current key is named twice");
    p->current[words[i].use] = id;
    return true;
}

static bool
set_current(struct parse *p, struct card_keyset *set, enum use use, const char *name)
{
    char what[96];

    (void)snprintf(what, sizeof(what), "no %s key", name);
    if (set->n == 0)
        return fail(p, what);
    if (p->current[use] == 0 && set->n > 1) {
        (void)snprintf(what, sizeof(what), "several %s keys: say which seals with %s_current", name,
                       name);
        return fail(p, what);
    }
    set->current = p->current[use] != 0 ? p->current[use] : set->k[0].id;
    if (card_key_find(set, set->current) == NULL) {
        (void)snprintf(what, sizeof(what), "%s_current names no %s key", name, name);
        return fail(p, what);
    }
    return true;
}

/* One key, one purpose (PCI DSS 3.6.1): the same bytes under two uses means someone copied a
 * line, and a lookup hash under the data key would tie the two forms of a PAN together. */
static bool
keys_distinct(const struct ct_card_keys *k)
{
    const unsigned char *all[2 * CT_CARD_KEYS_PER_USE + 1];
    size_t n = 0, i, j;

    for (i = 0; i < k->pan.n; i++)
        all[n++] = k->pan.k[i].key;
    for (i = 0; i < k->pin.n; i++)
        all[n++] = k->pin.k[i].key;
    all[n++] = k->lookup;
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++)
            if (memcmp(all[i], all[j], CARD_AES_KEY) == 0)
                return false;
    return true;
}

static bool
finish(struct parse *p)
{
    p->line = 0;
    if (p->seen[U_LOOKUP] == 0)
        return fail(p, "no lookup key");
    if (p->seen[U_CVK] == 0)
        return fail(p, "no cvk");
    if (!set_current(p, &p->k->pan, U_PAN, "pan") || !set_current(p, &p->k->pin, U_PIN, "pin"))
        return false;
    /* with A = B the CVV's triple DES is single DES under A, a 56-bit key */
    if (memcmp(p->k->cvk, p->k->cvk + 8, 8) == 0)
        return fail(p, "CVK A and CVK B are equal");
    if (!keys_distinct(p->k))
        return fail(p, "the same key is given twice (one key per purpose)");
    return true;
}

enum ct_err
ct_card_keys_parse(const char *text, size_t len, struct ct_card_keys **out, char *why, size_t whysz)
{
    struct parse p = {.why = why, .whysz = whysz};
    char line[LINE_MAX_LEN + 1];
    const char *s = text, *end = text + len, *eol;
    size_t n;
    bool ok = len <= CT_CARD_KEYS_FILE_MAX || fail(&p, "the file is too large");

    p.k = ct_calloc(1, sizeof(*p.k));
    while (ok && s < end) {
        eol = memchr(s, '\n', (size_t)(end - s));
        n = (size_t)((eol != NULL ? eol : end) - s);
        p.line++;
        if (n > 0 && s[n - 1] == '\r')
            n--;
        if (n > LINE_MAX_LEN || memchr(s, '\0', n) != NULL)
            ok = fail(&p, n > LINE_MAX_LEN ? "line too long" : "NUL byte");
        if (ok) {
            memcpy(line, s, n);
            line[n] = '\0';
            ok = parse_line(&p, line);
        }
        s = eol != NULL ? eol + 1 : end;
    }
    OPENSSL_cleanse(line, sizeof(line));
    if (ok && finish(&p)) {
        *out = p.k;
        return CT_OK;
    }
    ct_card_keys_free(p.k);
    return CT_E_BADREQ;
}

enum ct_err
ct_card_keys_load(const char *path, struct ct_card_keys **out, char *why, size_t whysz)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    struct stat sb;
    char *buf = NULL, msg[160];
    size_t n = 0;
    ssize_t r = 1;
    enum ct_err err = CT_E_BADREQ;

    if (fd < 0) {
        (void)snprintf(why, whysz, "%s: %s", path, strerror(errno));
        return CT_E_BADREQ;
    }
    /* checked on the open descriptor, so the file read is the file checked */
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        (void)snprintf(why, whysz, "%s: not a regular file", path);
        goto out;
    }
    if (sb.st_uid != geteuid() || (sb.st_mode & 077) != 0) {
        (void)snprintf(why, whysz,
                       "%s: must be owned by this user, with no access for group or others "
                       "(chmod 600; it is %03o)",
                       path, (unsigned)(sb.st_mode & 0777));
        goto out;
    }
    buf = ct_malloc(CT_CARD_KEYS_FILE_MAX + 1);
    while (n <= CT_CARD_KEYS_FILE_MAX && r > 0) {
        r = read(fd, buf + n, CT_CARD_KEYS_FILE_MAX + 1 - n);
        if (r < 0 && errno == EINTR)
            r = 1;
        else if (r > 0)
            n += (size_t)r;
    }
    if (r < 0) {
        (void)snprintf(why, whysz, "%s: %s", path, strerror(errno));
        goto out;
    }
    err = ct_card_keys_parse(buf, n, out, msg, sizeof(msg));
    if (err != CT_OK)
        (void)snprintf(why, whysz, "%s: %s", path, msg);
out:
    (void)close(fd);
    ct_free_secret(buf, CT_CARD_KEYS_FILE_MAX + 1);
    return err;
}

void
ct_card_keys_free(struct ct_card_keys *keys)
{
    ct_free_secret(keys, sizeof(*keys));
}

unsigned
ct_card_keys_pan_current(const struct ct_card_keys *keys)
{
    return keys->pan.current;
}

unsigned
ct_card_keys_pin_current(const struct ct_card_keys *keys)
{
    return keys->pin.current;
}
