/* ct_multipart.h - strict multipart/form-data parsing (RFC 7578 over RFC 2046) of a whole body. */
#ifndef CT_MULTIPART_H
#define CT_MULTIPART_H
#include <stddef.h>
#include "ct/ct_err.h"

#define CT_MP_BOUNDARY_MAX 70 /* RFC 2046: 1..70 characters */
#define CT_MP_NAME_MAX 64
#define CT_MP_FILENAME_MAX 255
#define CT_MP_TYPE_MAX 127

/* One part. The strings are copies (NUL-terminated, no control characters); data points into
 * the body given to ct_multipart_parse() and is valid as long as that body is. */
struct ct_mp_part {
    char name[CT_MP_NAME_MAX + 1];         /* form field name, never empty */
    char filename[CT_MP_FILENAME_MAX + 1]; /* as the client sent it (untrusted!), "" if none */
    int has_filename;
    char content_type[CT_MP_TYPE_MAX + 1]; /* the part's Content-Type, "" if none */
    const unsigned char *data;
    size_t len;
};

/* The boundary of a request Content-Type "multipart/form-data; boundary=..." (token or quoted
 * string; parameter names case-insensitive; other parameters ignored). out holds
 * CT_MP_BOUNDARY_MAX + 1 bytes. CT_E_MEDIA when the type is not multipart/form-data (or NULL),
 * CT_E_BADREQ when the boundary is missing, empty, too long or holds characters RFC 2046 does
 * not allow. out is written only on CT_OK. */
enum ct_err ct_multipart_boundary(const char *content_type, char out[CT_MP_BOUNDARY_MAX + 1]);

/* Split body (len bytes, any content, no NUL needed) into at most max parts. Strict:
 * - the body starts with "--boundary" CRLF (no preamble), parts are separated by
 *   CRLF "--boundary" CRLF and the last is closed by CRLF "--boundary--", after which only one
 *   optional CRLF may follow (no epilogue, no transport padding);
 * - header lines end in CRLF, are "Name: value" with a token name, at most 8 per part and 1 KiB
 *   each; no folding; a blank line ends them;
 * - Content-Disposition is required, once, of type form-data, with a non-empty name (and an
 *   optional filename; each at most once; quoted strings may use backslash escapes; values with
 *   control characters are refused); Content-Type at most once; other headers are ignored;
 * - two parts with the same name are refused.
 * On CT_OK *n parts are in parts[0..*n). Any refusal is CT_E_BADREQ with *why (static English
 * text) set; CT_E_TOOBIG when there are more than max parts. */
enum ct_err ct_multipart_parse(const void *body, size_t len, const char *boundary,
                               struct ct_mp_part *parts, size_t max, size_t *n, const char **why);

/* The first part named `name`, NULL if none. */
const struct ct_mp_part *ct_multipart_find(const struct ct_mp_part *parts, size_t n,
                                           const char *name);

#endif /* CT_MULTIPART_H */
