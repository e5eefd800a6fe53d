/* fuzz_card_request.c - the card routes' body readers (card.c) on any bytes: the input is parsed
 * as JSON the way the dispatcher does (json-c, depth-limited), then read as a card creation body
 * (cardholder_name, delivery_address), as a lock body (reason) and as the decrypted PIN payload.
 * Every reader must either accept a value within its bounds or report a field error, never both,
 * never neither; an accepted PIN is 4-12 digits, an accepted reason 1-8 with its seed 003 row, an
 * accepted address holds printable text within its columns. Corpus: tests/fuzz/corpus/card_request.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "ct/ct_card.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static void count(void *ctx, const char *field, const char *message);
static void printable(const char *s, size_t cap);

static void
count(void *ctx, const char *field, const char *message)
{
    if (field == NULL || message == NULL || *field == '\0' || *message == '\0')
        abort();
    (*(int *)ctx)++;
}

static void
printable(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);

    if (n == cap)
        abort();
    while (n-- > 0)
        if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f)
            abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_tokener *tok = json_tokener_new_ex(32);
    struct json_object *o, *v = NULL;
    struct ct_card_address a;
    char pin[CT_CARD_PIN_MAX + 1], name[CT_CARD_NAME_MAX + 1];
    int errs, reason = 0;
    bool ok;
    size_t i;

    if (tok == NULL || size > 65536)
        return 0;
    o = json_tokener_parse_ex(tok, (const char *)data, (int)size);
    json_tokener_free(tok);
    if (o == NULL)
        return 0;

    errs = 0;
    ok = ct_card_read_address(json_object_object_get_ex(o, "delivery_address", &v) ? v : o, &a,
                              count, &errs);
    if (ok != (errs == 0))
        abort();
    if (ok) {
        printable(a.line1, sizeof(a.line1));
        printable(a.line2, sizeof(a.line2));
        printable(a.city, sizeof(a.city));
        printable(a.postal_code, sizeof(a.postal_code));
        if (a.line1[0] == '\0' || a.city[0] == '\0' || strlen(a.postal_code) < 2 ||
            strlen(a.country) != 2 || a.country[0] < 'A' || a.country[0] > 'Z' ||
            a.country[1] < 'A' || a.country[1] > 'Z')
            abort();
    }

    errs = 0;
    v = NULL;
    ok = ct_card_read_lock_reason(json_object_object_get_ex(o, "reason", &v) ? v : o, &reason,
                                  count, &errs);
    if (ok != (errs == 0) || (ok && ct_card_lock_reason(reason) == NULL))
        abort();

    errs = 0;
    ok = ct_card_read_pin(o, pin, count, &errs);
    if (ok != (errs == 0))
        abort();
    if (ok) {
        size_t n = strlen(pin);

        if (n < CT_CARD_PIN_MIN || n > CT_CARD_PIN_MAX)
            abort();
        for (i = 0; i < n; i++)
            if (pin[i] < '0' || pin[i] > '9')
                abort();
    }

    errs = 0;
    v = NULL;
    ok = ct_card_read_name(json_object_object_get_ex(o, "cardholder_name", &v) ? v : o, name, count,
                           &errs);
    if (ok != (errs == 0) || (ok && (strlen(name) < 2 || strlen(name) > CT_CARD_NAME_MAX)))
        abort();
    json_object_put(o);
    return 0;
}
