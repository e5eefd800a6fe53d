/* ct_buf.h - growable byte buffer with a hard cap (curl's dynbuf). */
#ifndef CT_BUF_H
#define CT_BUF_H
#include <stdbool.h>
#include <stddef.h>
#include "ct/ct_err.h"

/* Visible so it can live on the stack; members are read and written only through this API. */
struct ct_buf {
    char *data; /* always NUL-terminated when len > 0 or after any append */
    size_t len;
    size_t alloc;
    size_t cap; /* appends that would pass it fail with CT_E_TOOBIG and leave the buffer as was */
};

void ct_buf_init(struct ct_buf *b, size_t cap);
void ct_buf_free(struct ct_buf *b);  /* NULL-safe; leaves b empty and reusable */
void ct_buf_reset(struct ct_buf *b); /* len = 0, keeps memory */
enum ct_err ct_buf_append(struct ct_buf *b, const void *data, size_t n);
enum ct_err ct_buf_puts(struct ct_buf *b, const char *s);
enum ct_err ct_buf_printf(struct ct_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Borrowed; "" for an empty buffer. */
const char *ct_buf_str(const struct ct_buf *b);
size_t ct_buf_len(const struct ct_buf *b);

#endif /* CT_BUF_H */
