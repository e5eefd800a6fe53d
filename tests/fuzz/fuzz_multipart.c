/* fuzz_multipart.c - libFuzzer target: the strict multipart/form-data parser. The first line of
 * the input is the Content-Type (boundary), the rest the body. Checks that every accepted part
 * lies inside the body, does not contain the delimiter, and has clean names. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_document.h"
#include "ct/ct_multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t hlen = nl != NULL ? (size_t)(nl - data) : size, blen, n = 0, i, k;
    char *ctype = malloc(hlen + 1), boundary[CT_MP_BOUNDARY_MAX + 1], delim[CT_MP_BOUNDARY_MAX + 5];
    char clean[CT_DOC_FILENAME_MAX + 1];
    uint8_t *body;
    struct ct_mp_part parts[8];
    const char *why = NULL;

    if (ctype == NULL)
        return 0;
    memcpy(ctype, data, hlen);
    ctype[hlen] = '\0';
    blen = nl != NULL ? size - hlen - 1 : 0;
    body = malloc(blen + 1); /* exact copy so ASan sees any read past the end */
    if (body == NULL || strlen(ctype) != hlen || ct_multipart_boundary(ctype, boundary) != CT_OK) {
        /* try the body against a fixed boundary anyway */
        memcpy(boundary, "XyZ", 4);
    }
    if (body != NULL && blen > 0)
        memcpy(body, nl + 1, blen);
    if (body != NULL && ct_multipart_parse(body, blen, boundary, parts, 8, &n, &why) == CT_OK) {
        size_t dl = strlen(boundary) + 4;

        memcpy(delim, "\r\n--", 4);
        memcpy(delim + 4, boundary, dl - 4);
        if (n == 0 || n > 8)
            abort();
        for (i = 0; i < n; i++) {
            if (parts[i].data < body || parts[i].data + parts[i].len > body + blen)
                abort();
            if (parts[i].len >= dl && memmem(parts[i].data, parts[i].len, delim, dl) != NULL)
                abort();
            if (parts[i].name[0] == '\0' || strlen(parts[i].name) > CT_MP_NAME_MAX)
                abort();
            for (k = 0; parts[i].filename[k] != '\0'; k++)
                if ((unsigned char)parts[i].filename[k] < 0x20)
                    abort();
            ct_doc_clean_filename(parts[i].filename, ct_doc_sniff(parts[i].data, parts[i].len),
                                  clean);
            if (clean[0] == '\0' || strchr(clean, '/') != NULL || clean[0] == '.')
                abort();
        }
    }
    free(body);
    free(ctype);
    return 0;
}
