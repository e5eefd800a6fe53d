/* fuzz_json_body.c - libFuzzer target: a request body as the dispatcher reads it, then every field
 * reader the write endpoints use (customer fields, amount, free text, unknown-field check, KYC
 * submission and result). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_customer.h"
#include "ct/ct_kyc.h"
#include "../../fcgi/lib/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static void kyc_readers(const struct ct_conf *conf, struct json_object *json);

/* Each KYC reader on a request of its own, so that what it accepts can be checked: an accepted
 * submission has every required field, an accepted result is VERIFIED or REJECTED. */
static void
kyc_readers(const struct ct_conf *conf, struct json_object *json)
{
    struct ct_req req;
    struct ct_req_internal in;
    struct ct_kyc_data d;
    enum ct_kyc_status to = CT_KYC_NONE;
    const char *reason = NULL;

    ct_req_setup(&req, &in, NULL, conf, NULL);
    in.json = json_object_get(json);
    ct_kyc_read_data(&req, &d);
    if (!ct_req_has_errors(&req) &&
        (d.document_type[0] == '\0' || d.document_number[0] == '\0' ||
         d.document_expiry[0] == '\0' || d.nationality[0] == '\0' || d.address_line1[0] == '\0' ||
         d.city[0] == '\0' || d.country[0] == '\0' || d.document_country[0] == '\0'))
        abort();
    ct_req_teardown(&req);
    ct_req_setup(&req, &in, NULL, conf, NULL);
    in.json = json_object_get(json);
    ct_kyc_read_result(&req, &to, &reason);
    if (!ct_req_has_errors(&req) && to != CT_KYC_VERIFIED && to != CT_KYC_REJECTED)
        abort();
    ct_req_teardown(&req);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const reload_fields[] = {"amount", "description", NULL};
    struct ct_conf conf;
    struct ct_req req;
    struct ct_req_internal in;
    struct ct_customer c;
    const char *why = NULL;
    int64_t minor = 0;
    char *text = malloc(size + 1);

    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    memset(&conf, 0, sizeof(conf));
    conf.max_body = 65536;
    ct_req_setup(&req, &in, NULL, &conf, NULL);
    if (ct_json_parse_object(text, size, &in.json, &why) == CT_OK) {
        memset(&c, 0, sizeof(c));
        ct_customer_read(&req, &c, false);
        ct_customer_read(&req, &c, true);
        ct_body_only(&req, reload_fields);
        if (ct_body_amount(&req, "amount", ct_currency_find("EUR"), &minor) &&
            (minor <= 0 || minor > (CT_MONEY_MAX_UNITS + 1) * 100 - 1))
            abort(); /* an accepted amount is always positive and bounded ("999999999999.99") */
        (void)ct_body_amount(&req, "amount", ct_currency_find("JPY"), &minor);
        (void)ct_body_str(&req, "description", false, 255);
        (void)ct_req_has_errors(&req);
        kyc_readers(&conf, in.json);
    }
    ct_req_teardown(&req);
    free(text);
    return 0;
}
