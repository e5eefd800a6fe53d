/* fuzz_admin_query.c - libFuzzer target: the admin channel's user search filters. The input is a
 * query string, split and percent-decoded as the request module does, and handed to
 * ct_customer_filter_parse: it must never overrun its fixed fields, every pattern it makes must
 * be "%...%" with each wildcard and backslash escaped, and a field it refuses filters nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_customer.h"
#include "../../fcgi/lib/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PAIRS 16

struct query {
    char *names[MAX_PAIRS];
    char *values[MAX_PAIRS];
    size_t n;
    size_t errors;
};

static const char *
get(void *ctx, const char *name)
{
    struct query *q = ctx;
    size_t i;

    for (i = 0; i < q->n; i++)
        if (strcmp(q->names[i], name) == 0)
            return q->values[i];
    return NULL;
}

static void
error(void *ctx, const char *field, const char *message)
{
    struct query *q = ctx;

    if (field == NULL || message == NULL || *field == '\0')
        abort();
    q->errors++;
}

/* "%" + escaped text + "%": every '%', '_' and '\' inside is preceded by a backslash. */
static void
check_pattern(const char *p)
{
    size_t n = strlen(p), i;

    if (n == 0)
        return;
    if (n < 2 || p[0] != '%' || p[n - 1] != '%')
        abort();
    for (i = 1; i < n - 1; i++) {
        if (p[i] == '\\') {
            if (i + 1 >= n - 1 || (p[i + 1] != '\\' && p[i + 1] != '%' && p[i + 1] != '_'))
                abort();
            i++;
        } else if (p[i] == '%' || p[i] == '_') {
            abort();
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *save = NULL, *part;
    struct query q;
    struct ct_query_src src = {get, error, &q};
    struct ct_customer_filter f;
    bool ok;

    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    memset(&q, 0, sizeof(q));
    for (part = strtok_r(text, "&", &save); part != NULL && q.n < MAX_PAIRS;
         part = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(part, '=');
        char *value = eq != NULL ? eq + 1 : part + strlen(part);

        if (eq != NULL)
            *eq = '\0';
        /* decoding never grows, so it can be done in place */
        if (!ct_url_decode(part, strlen(part), true, part) ||
            !ct_url_decode(value, strlen(value), true, value))
            continue;
        q.names[q.n] = part;
        q.values[q.n++] = value;
    }
    memset(&f, 0, sizeof(f));
    ok = ct_customer_filter_parse(&src, &f);
    if (ok != (q.errors == 0))
        abort();
    check_pattern(f.name_like);
    check_pattern(f.email_like);
    check_pattern(f.phone_like);
    if (strlen(f.iban) > 34 || strlen(f.created_from) > 26 || strlen(f.created_to) > 26)
        abort();
    if (f.kyc_status[0] != '\0' && strcmp(f.kyc_status, "NONE") != 0 &&
        strcmp(f.kyc_status, "PENDING") != 0 && strcmp(f.kyc_status, "VERIFIED") != 0 &&
        strcmp(f.kyc_status, "REJECTED") != 0)
        abort();
    free(text);
    return 0;
}
