/* multipart.c - strict multipart/form-data: boundary from the Content-Type, parts, headers. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include "ct/ct_multipart.h"

#define MP_MAX_HEADERS 8
#define MP_MAX_LINE 1024

struct cursor {
    const char *p, *end;
};

static bool is_tchar(int c);
static bool is_bchar(int c);
static void skip_ows(struct cursor *c);
static size_t token_len(const struct cursor *c);
static bool read_value(struct cursor *c, char *out, size_t outsz);
static bool clean_text(const char *s);
static const char *parse_disposition(struct cursor *c, struct ct_mp_part *part);
static const char *parse_headers(struct cursor *c, struct ct_mp_part *part);
static const char *parse_header(const char *line, size_t n, struct ct_mp_part *part, bool *seen_cd,
                                bool *seen_ct);

/* RFC 9110 token characters. */
static bool
is_tchar(int c)
{
    return c > 0x20 && c < 0x7f && strchr("\"(),/:;<=>?@[\\]{}", c) == NULL;
}

/* RFC 2046 bchars (space excepted, handled by the caller). */
static bool
is_bchar(int c)
{
    return isalnum(c) || (c != '\0' && strchr("'()+_,-./:=?", c) != NULL);
}

static void
skip_ows(struct cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
        c->p++;
}

static size_t
token_len(const struct cursor *c)
{
    size_t n = 0;

    while (c->p + n < c->end && is_tchar((unsigned char)c->p[n]))
        n++;
    return n;
}

/* A token or a quoted string (backslash escapes one character) into out; false when malformed
 * or longer than outsz - 1. */
static bool
read_value(struct cursor *c, char *out, size_t outsz)
{
    size_t o = 0, n;

    if (c->p < c->end && *c->p == '"') {
        for (c->p++; c->p < c->end && *c->p != '"'; c->p++) {
            if (*c->p == '\\') {
                if (++c->p == c->end)
                    return false;
            }
            if (o + 1 >= outsz)
                return false;
            out[o++] = *c->p;
        }
        if (c->p == c->end)
            return false; /* no closing quote */
        c->p++;
    } else {
        n = token_len(c);
        if (n == 0 || n >= outsz)
            return false;
        memcpy(out, c->p, n);
        o = n;
        c->p += n;
    }
    out[o] = '\0';
    return true;
}

/* No C0 controls or DEL (a NUL would cut the C string short of what was checked). */
static bool
clean_text(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    return true;
}

enum ct_err
ct_multipart_boundary(const char *content_type, char out[CT_MP_BOUNDARY_MAX + 1])
{
    static const char type[] = "multipart/form-data";
    char value[CT_MP_BOUNDARY_MAX + 2], name[32];
    struct cursor c;
    bool found = false;
    size_t n, i;

    if (content_type == NULL)
        return CT_E_MEDIA;
    c.p = content_type;
    c.end = content_type + strlen(content_type);
    skip_ows(&c);
    if ((size_t)(c.end - c.p) < sizeof(type) - 1 || strncasecmp(c.p, type, sizeof(type) - 1) != 0)
        return CT_E_MEDIA;
    c.p += sizeof(type) - 1;
    if (c.p < c.end && *c.p != ';' && *c.p != ' ' && *c.p != '\t')
        return CT_E_MEDIA; /* multipart/form-dataX */
    skip_ows(&c);
    while (c.p < c.end) {
        if (*c.p != ';')
            return CT_E_BADREQ;
        c.p++;
        skip_ows(&c);
        n = token_len(&c);
        if (n == 0 || n >= sizeof(name) || c.p + n >= c.end || c.p[n] != '=')
            return CT_E_BADREQ;
        memcpy(name, c.p, n);
        name[n] = '\0';
        c.p += n + 1;
        if (!read_value(&c, value, sizeof(value)))
            return CT_E_BADREQ;
        skip_ows(&c);
        if (strcasecmp(name, "boundary") != 0)
            continue;
        if (found)
            return CT_E_BADREQ;
        found = true;
        n = strlen(value);
        if (n == 0 || n > CT_MP_BOUNDARY_MAX || value[n - 1] == ' ')
            return CT_E_BADREQ;
        for (i = 0; i < n; i++)
            if (value[i] != ' ' && !is_bchar((unsigned char)value[i]))
                return CT_E_BADREQ;
        memcpy(out, value, n + 1);
    }
    return found ? CT_OK : CT_E_BADREQ;
}

/* form-data; name="..."[; filename="..."] (other parameters are ignored). */
static const char *
parse_disposition(struct cursor *c, struct ct_mp_part *part)
{
    char pname[32];
    bool seen_name = false;
    size_t n;

    n = token_len(c);
    if (n != 9 || strncasecmp(c->p, "form-data", 9) != 0)
        return "Content-Disposition must be form-data";
    c->p += n;
    skip_ows(c);
    while (c->p < c->end) {
        if (*c->p != ';')
            return "malformed Content-Disposition";
        c->p++;
        skip_ows(c);
        n = token_len(c);
        if (n == 0 || n >= sizeof(pname) || c->p + n >= c->end || c->p[n] != '=')
            return "malformed Content-Disposition parameter";
        memcpy(pname, c->p, n);
        pname[n] = '\0';
        c->p += n + 1;
        if (strcasecmp(pname, "name") == 0) {
            if (seen_name || !read_value(c, part->name, sizeof(part->name)))
                return "bad or repeated field name";
            seen_name = true;
        } else if (strcasecmp(pname, "filename") == 0) {
            if (part->has_filename || !read_value(c, part->filename, sizeof(part->filename)))
                return "bad or repeated filename";
            part->has_filename = 1;
        } else {
            char skip[MP_MAX_LINE];

            if (!read_value(c, skip, sizeof(skip)))
                return "malformed Content-Disposition parameter";
        }
        skip_ows(c);
    }
    if (!seen_name || part->name[0] == '\0')
        return "a part has no field name";
    if (!clean_text(part->name) || !clean_text(part->filename))
        return "control characters in a field name or filename";
    return NULL;
}

static const char *
parse_header(const char *line, size_t n, struct ct_mp_part *part, bool *seen_cd, bool *seen_ct)
{
    struct cursor c = {line, line + n};
    size_t i, nlen = token_len(&c);
    const char *why;

    for (i = 0; i < n; i++)
        if ((line[i] < 0x20 && line[i] != '\t') || line[i] == 0x7f)
            return "control characters in a part header";
    if (nlen == 0 || nlen == n || line[nlen] != ':')
        return "malformed part header";
    c.p += nlen + 1;
    skip_ows(&c);
    while (c.end > c.p && (c.end[-1] == ' ' || c.end[-1] == '\t'))
        c.end--;
    if (nlen == 19 && strncasecmp(line, "Content-Disposition", 19) == 0) {
        if (*seen_cd)
            return "repeated Content-Disposition";
        *seen_cd = true;
        why = parse_disposition(&c, part);
        return why;
    }
    if (nlen == 12 && strncasecmp(line, "Content-Type", 12) == 0) {
        if (*seen_ct)
            return "repeated Content-Type";
        *seen_ct = true;
        if ((size_t)(c.end - c.p) > CT_MP_TYPE_MAX || c.p == c.end)
            return "bad part Content-Type";
        memcpy(part->content_type, c.p, (size_t)(c.end - c.p));
        part->content_type[c.end - c.p] = '\0';
    }
    return NULL; /* other headers (Content-Length, ...) carry nothing we use */
}

static const char *
parse_headers(struct cursor *c, struct ct_mp_part *part)
{
    bool seen_cd = false, seen_ct = false;
    int count = 0;

    for (;;) {
        size_t room = (size_t)(c->end - c->p);
        const char *eol = memmem(c->p, room < MP_MAX_LINE + 2 ? room : MP_MAX_LINE + 2, "\r\n", 2);
        const char *why;

        if (eol == NULL)
            return "part header line too long or unterminated";
        if (eol == c->p) {
            c->p += 2;
            break;
        }
        if (++count > MP_MAX_HEADERS)
            return "too many part headers";
        why = parse_header(c->p, (size_t)(eol - c->p), part, &seen_cd, &seen_ct);
        if (why != NULL)
            return why;
        c->p = eol + 2;
    }
    return seen_cd ? NULL : "a part has no Content-Disposition";
}

enum ct_err
ct_multipart_parse(const void *body, size_t len, const char *boundary, struct ct_mp_part *parts,
                   size_t max, size_t *n, const char **why)
{
    char delim[CT_MP_BOUNDARY_MAX + 5]; /* CRLF "--" boundary */
    size_t blen = boundary != NULL ? strlen(boundary) : 0, dlen, count = 0, i;
    struct cursor c = {body, (const char *)body + len};

    if (blen == 0 || blen > CT_MP_BOUNDARY_MAX) {
        *why = "bad boundary";
        return CT_E_BADREQ;
    }
    memcpy(delim, "\r\n--", 4);
    memcpy(delim + 4, boundary, blen);
    dlen = blen + 4;
    /* the first delimiter has no CRLF before it */
    if (len < dlen - 2 || memcmp(c.p, delim + 2, dlen - 2) != 0) {
        *why = "the body does not start with the boundary";
        return CT_E_BADREQ;
    }
    c.p += dlen - 2;
    for (;;) {
        struct ct_mp_part part;
        const char *end;

        if (c.end - c.p >= 2 && memcmp(c.p, "--", 2) == 0) {
            c.p += 2;
            if (c.p == c.end || (c.end - c.p == 2 && memcmp(c.p, "\r\n", 2) == 0))
                break;
            *why = "data after the closing boundary";
            return CT_E_BADREQ;
        }
        if (c.end - c.p < 2 || memcmp(c.p, "\r\n", 2) != 0) {
            *why = "malformed boundary line";
            return CT_E_BADREQ;
        }
        c.p += 2;
        if (count == max) {
            *why = "too many parts";
            return CT_E_TOOBIG;
        }
        memset(&part, 0, sizeof(part));
        *why = parse_headers(&c, &part);
        if (*why != NULL)
            return CT_E_BADREQ;
        end = memmem(c.p, (size_t)(c.end - c.p), delim, dlen);
        if (end == NULL) {
            *why = "a part is not closed by the boundary";
            return CT_E_BADREQ;
        }
        part.data = (const unsigned char *)c.p;
        part.len = (size_t)(end - c.p);
        for (i = 0; i < count; i++)
            if (strcmp(parts[i].name, part.name) == 0) {
                *why = "a field is repeated";
                return CT_E_BADREQ;
            }
        parts[count++] = part;
        c.p = end + dlen;
    }
    if (count == 0) {
        *why = "no parts";
        return CT_E_BADREQ;
    }
    *n = count;
    return CT_OK;
}

const struct ct_mp_part *
ct_multipart_find(const struct ct_mp_part *parts, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(parts[i].name, name) == 0)
            return &parts[i];
    return NULL;
}
