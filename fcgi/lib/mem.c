/* mem.c - allocation wrappers; out of memory ends the worker (the master forks a new one). */
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "ct/ct_log.h"
#include "ct/ct_mem.h"

static void oom(size_t n) __attribute__((noreturn));

static void
oom(size_t n)
{
    ct_log(LOG_ERR, "out of memory allocating %zu bytes", n);
    abort();
}

void *
ct_malloc(size_t n)
{
    void *p = malloc(n == 0 ? 1 : n);

    if (p == NULL)
        oom(n);
    return p;
}

void *
ct_calloc(size_t count, size_t n)
{
    void *p = calloc(count == 0 ? 1 : count, n == 0 ? 1 : n);

    if (p == NULL)
        oom(count * n);
    return p;
}

void *
ct_realloc(void *p, size_t n)
{
    void *q = realloc(p, n == 0 ? 1 : n);

    if (q == NULL)
        oom(n);
    return q;
}

char *
ct_strdup(const char *s)
{
    return ct_strndup(s, strlen(s));
}

char *
ct_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = ct_malloc(len + 1);

    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

void
ct_free_secret(void *p, size_t n)
{
    if (p == NULL)
        return;
    OPENSSL_cleanse(p, n);
    free(p);
}
