/* buf.c - growable buffer with a hard cap; an append that would pass it changes nothing. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_buf.h"
#include "ct/ct_mem.h"

static enum ct_err grow(struct ct_buf *b, size_t need);

void
ct_buf_init(struct ct_buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
}

void
ct_buf_free(struct ct_buf *b)
{
    if (b == NULL)
        return;
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
}

void
ct_buf_reset(struct ct_buf *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

static enum ct_err
grow(struct ct_buf *b, size_t need)
{
    size_t want;

    /* need counts the NUL; the cap does not */
    if (need - 1 > b->cap)
        return CT_E_TOOBIG;
    if (need <= b->alloc)
        return CT_OK;
    want = b->alloc ? b->alloc : 256;
    while (want < need)
        want *= 2;
    if (want > b->cap + 1)
        want = b->cap + 1;
    b->data = ct_realloc(b->data, want);
    b->alloc = want;
    return CT_OK;
}

enum ct_err
ct_buf_append(struct ct_buf *b, const void *data, size_t n)
{
    enum ct_err err;

    if (n > b->cap || b->len > b->cap - n)
        return CT_E_TOOBIG;
    err = grow(b, b->len + n + 1);
    if (err != CT_OK)
        return err;
    if (n > 0)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return CT_OK;
}

enum ct_err
ct_buf_puts(struct ct_buf *b, const char *s)
{
    return ct_buf_append(b, s, strlen(s));
}

enum ct_err
ct_buf_printf(struct ct_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    enum ct_err err;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return CT_E_INTERNAL;
    if ((size_t)n > b->cap || b->len > b->cap - (size_t)n)
        return CT_E_TOOBIG;
    err = grow(b, b->len + (size_t)n + 1);
    if (err != CT_OK)
        return err;
    va_start(ap, fmt);
    n = vsnprintf(b->data + b->len, b->alloc - b->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return CT_E_INTERNAL;
    b->len += (size_t)n;
    return CT_OK;
}

const char *
ct_buf_str(const struct ct_buf *b)
{
    return b->data != NULL ? b->data : "";
}

size_t
ct_buf_len(const struct ct_buf *b)
{
    return b->len;
}
