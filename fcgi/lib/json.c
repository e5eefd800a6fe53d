/* json.c - JSON text straight into a ct_buf, byte for byte what json-c's plain printer makes. */
#include <string.h>
#include "ct/ct_json.h"

static void flush(struct ct_json *w);
static void put(struct ct_json *w, const char *s, size_t n);
static void put_string(struct ct_json *w, const char *s);
static void value_start(struct ct_json *w, const char *key);
static void raw_value(struct ct_json *w, const char *key, const char *text, size_t n);

/* What json-c writes for each byte inside a string: 0 the byte itself, 1 a two-character escape
 * (its letter in short_escape), 2 \u00XX with lowercase hex digits. '/' stays as it is
 * (JSON_C_TO_STRING_NOSLASHESCAPE); DEL and bytes >= 0x80 too. */
static const unsigned char escape_kind[256] = {
    2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
};

static char
short_escape(unsigned char c)
{
    switch (c) {
    case '\b':
        return 'b';
    case '\t':
        return 't';
    case '\n':
        return 'n';
    case '\f':
        return 'f';
    case '\r':
        return 'r';
    default:
        return (char)c; /* '"' and '\\' */
    }
}

static void
flush(struct ct_json *w)
{
    if (w->err == CT_OK && w->staged > 0)
        w->err = ct_buf_append(w->out, w->stage, w->staged);
    w->staged = 0;
}

static void
put(struct ct_json *w, const char *s, size_t n)
{
    if (w->staged + n > sizeof(w->stage))
        flush(w);
    if (n > sizeof(w->stage)) {
        if (w->err == CT_OK)
            w->err = ct_buf_append(w->out, s, n);
        return;
    }
    memcpy(w->stage + w->staged, s, n);
    w->staged += n;
}

/* Runs of plain bytes go out in one append; only the bytes that need it are escaped. */
static void
put_string(struct ct_json *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s, *run = p;
    char esc[6];

    put(w, "\"", 1);
    for (; *p != '\0'; p++) {
        if (escape_kind[*p] == 0)
            continue;
        put(w, (const char *)run, (size_t)(p - run));
        esc[0] = '\\';
        if (escape_kind[*p] == 1) {
            esc[1] = short_escape(*p);
            put(w, esc, 2);
        } else {
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[*p >> 4];
            esc[5] = hex[*p & 0xf];
            put(w, esc, 6);
        }
        run = p + 1;
    }
    put(w, (const char *)run, (size_t)(p - run));
    put(w, "\"", 1);
}

/* The separator before a value and, in an object, its key. */
static void
value_start(struct ct_json *w, const char *key)
{
    if (w->sep)
        put(w, ",", 1);
    if (key != NULL) {
        put_string(w, key);
        put(w, ":", 1);
    }
    w->sep = true;
}

/* A value whose text needs no escaping (a number, a literal). */
static void
raw_value(struct ct_json *w, const char *key, const char *text, size_t n)
{
    value_start(w, key);
    put(w, text, n);
}

void
ct_json_init(struct ct_json *w, struct ct_buf *out)
{
    w->out = out;
    w->sep = false;
    w->err = CT_OK;
    w->staged = 0;
}

enum ct_err
ct_json_finish(struct ct_json *w)
{
    flush(w);
    return w->err;
}

void
ct_json_begin(struct ct_json *w, const char *key, char open)
{
    value_start(w, key);
    put(w, &open, 1);
    w->sep = false;
}

void
ct_json_end(struct ct_json *w, char close)
{
    put(w, &close, 1);
    w->sep = true;
}

void
ct_json_str(struct ct_json *w, const char *key, const char *s)
{
    if (s == NULL) {
        ct_json_null(w, key);
        return;
    }
    value_start(w, key);
    put_string(w, s);
}

void
ct_json_int(struct ct_json *w, const char *key, int64_t v)
{
    /* digits from the end; the magnitude as unsigned so INT64_MIN has one too */
    char text[24], *p = text + sizeof(text);
    uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

    do {
        *--p = (char)('0' + m % 10);
        m /= 10;
    } while (m != 0);
    if (v < 0)
        *--p = '-';
    raw_value(w, key, p, (size_t)(text + sizeof(text) - p));
}

void
ct_json_bool(struct ct_json *w, const char *key, bool v)
{
    raw_value(w, key, v ? "true" : "false", v ? 4 : 5);
}

void
ct_json_null(struct ct_json *w, const char *key)
{
    raw_value(w, key, "null", 4);
}

void
ct_json_num(struct ct_json *w, const char *key, const char *text)
{
    const char *t = text != NULL ? text : "null";

    raw_value(w, key, t, strlen(t));
}
