/* ct_mem.h - allocation wrappers: out of memory is fatal (the worker is stateless). */
#ifndef CT_MEM_H
#define CT_MEM_H
#include <stddef.h>

/* Each logs and abort()s on failure, so callers never check for NULL. */
void *ct_malloc(size_t n);
void *ct_calloc(size_t count, size_t n);
void *ct_realloc(void *p, size_t n);
char *ct_strdup(const char *s);
char *ct_strndup(const char *s, size_t n);
/* Wipes n bytes (OPENSSL_cleanse) then frees; NULL-safe. For secrets and tokens. */
void ct_free_secret(void *p, size_t n);

#endif /* CT_MEM_H */
