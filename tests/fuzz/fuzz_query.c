/* fuzz_query.c - libFuzzer target: percent-decoding of query strings and the ISO 8601 times
 * clients send in ?at=, created_from and created_to. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_util.h"
#include "../../fcgi/lib/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *out = malloc(size + 1), iso[32];
    int64_t usec = 0, again = 0;

    if (text == NULL || out == NULL)
        goto out;
    memcpy(text, data, size);
    text[size] = '\0';
    if (ct_url_decode(text, size, true, out) && strlen(out) > size)
        abort(); /* decoding never grows */
    (void)ct_url_decode(text, size, false, out);
    if (ct_time_parse(text, &usec)) {
        /* whatever is accepted prints and parses back to the same instant */
        ct_time_iso(usec, iso);
        if (!ct_time_parse(iso, &again) || again != usec)
            abort();
    }
out:
    free(text);
    free(out);
    return 0;
}
