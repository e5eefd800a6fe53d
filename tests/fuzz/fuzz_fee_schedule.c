/* fuzz_fee_schedule.c - libFuzzer target: the fee schedule JSON reader (the body of PUT
 * /admin/fees and comptoir-fees set). Whatever the input, it must not crash or leak; a schedule
 * it accepts must compute a fee for any amount, and what the writer makes of it must read back
 * to the same rules. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_fee.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ct_fee_schedule first, again; /* large: static */

static void
count(void *arg, const char *field, const char *message)
{
    size_t *n = arg;

    if (field == NULL || message == NULL || field[0] == '\0' || message[0] == '\0')
        abort();
    (*n)++;
}

static void
check_accepted(void)
{
    static const int64_t amounts[] = {0, 1, 4999, 5000, 10000, 123456789, 9999999999999999LL};
    struct json_object *o;
    const char *text;
    size_t i, j, errors = 0;
    int64_t fee;

    for (i = 0; i < first.n; i++)
        for (j = 0; j < sizeof(amounts) / sizeof(amounts[0]); j++)
            if (ct_fee_compute(&first.rules[i], amounts[j], &fee) != CT_OK || fee < 0 ||
                (first.rules[i].max > 0 && fee > first.rules[i].max) || fee < first.rules[i].min)
                abort();
    o = ct_fee_schedule_json(&first);
    text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
    if (ct_fee_schedule_parse(text, strlen(text), &again, count, &errors) != CT_OK || errors != 0 ||
        again.n != first.n)
        abort();
    for (i = 0; i < first.n; i++)
        if (memcmp(&again.rules[i], &first.rules[i], sizeof(first.rules[i])) != 0)
            abort();
    json_object_put(o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t errors = 0;
    enum ct_err err;

    if (size > 65536)
        return 0; /* the body cap of the pools */
    err = ct_fee_schedule_parse((const char *)data, size, &first, count, &errors);
    if ((err == CT_OK) != (errors == 0))
        abort();
    if (err == CT_OK)
        check_accepted();
    return 0;
}
