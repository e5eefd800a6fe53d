/* test_card.c - the card state machine (every action from every state, with the refusal's code),
 * seed 003's lock reasons and action codes, the request body readers and the masked answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>
#include "ct/ct_card.h"

#define V CT_CARD_VIRTUAL
#define P CT_CARD_PHYSICAL
#define ORD CT_CARD_ORDERED
#define INA CT_CARD_INACTIVE
#define ACT CT_CARD_ACTIVE
#define REM CT_CARD_REMOVED

struct row {
    struct ct_card_state from;
    enum ct_card_action action;
    int reason;
    const char *code; /* NULL: allowed */
    struct ct_card_state to;
};

/* Every action from every state a card can be in. */
static const struct row rows[] = {
    /* virtual, active */
    {{V, ACT, 0}, CT_CARD_LINK, 0, "CARD_NOT_PHYSICAL", {V, ACT, 0}},
    {{V, ACT, 0}, CT_CARD_ACTIVATE, 0, "CARD_NOT_PHYSICAL", {V, ACT, 0}},
    {{V, ACT, 0}, CT_CARD_LOCK, 3, NULL, {V, ACT, 3}},
    {{V, ACT, 0}, CT_CARD_LOCK, 1, NULL, {V, ACT, 1}},
    {{V, ACT, 0}, CT_CARD_LOCK, 0, "INVALID_LOCK_REASON", {V, ACT, 0}},
    {{V, ACT, 0}, CT_CARD_LOCK, 9, "INVALID_LOCK_REASON", {V, ACT, 0}},
    {{V, ACT, 0}, CT_CARD_UNLOCK, 0, "CARD_NOT_LOCKED", {V, ACT, 0}},
    {{V, ACT, 0}, CT_CARD_REMOVE, 0, NULL, {V, REM, 0}},
    {{V, ACT, 0}, CT_CARD_SET_PIN, 0, NULL, {V, ACT, 0}},
    {{V, ACT, 0}, CT_CARD_RESET_CVV, 0, NULL, {V, ACT, 0}},
    {{V, ACT, 0}, CT_CARD_READ_FULL, 0, NULL, {V, ACT, 0}},
    /* virtual, locked (reversible, then irreversible) */
    {{V, ACT, 3}, CT_CARD_LOCK, 7, NULL, {V, ACT, 7}},
    {{V, ACT, 3}, CT_CARD_LOCK, 2, NULL, {V, ACT, 2}},
    {{V, ACT, 3}, CT_CARD_UNLOCK, 0, NULL, {V, ACT, 0}},
    {{V, ACT, 3}, CT_CARD_SET_PIN, 0, "CARD_LOCKED", {V, ACT, 3}},
    {{V, ACT, 3}, CT_CARD_RESET_CVV, 0, "CARD_LOCKED", {V, ACT, 3}},
    {{V, ACT, 3}, CT_CARD_READ_FULL, 0, "CARD_LOCKED", {V, ACT, 3}},
    {{V, ACT, 3}, CT_CARD_REMOVE, 0, NULL, {V, REM, 3}},
    {{V, ACT, 2}, CT_CARD_UNLOCK, 0, "CARD_LOCK_IRREVERSIBLE", {V, ACT, 2}},
    {{V, ACT, 2}, CT_CARD_LOCK, 3, "CARD_LOCK_IRREVERSIBLE", {V, ACT, 2}},
    {{V, ACT, 2}, CT_CARD_READ_FULL, 0, "CARD_LOCKED", {V, ACT, 2}},
    {{V, ACT, 2}, CT_CARD_REMOVE, 0, NULL, {V, REM, 2}},
    /* physical, ordered */
    {{P, ORD, 0}, CT_CARD_LINK, 0, NULL, {P, INA, 0}},
    {{P, ORD, 0}, CT_CARD_ACTIVATE, 0, "CARD_NOT_LINKED", {P, ORD, 0}},
    {{P, ORD, 0}, CT_CARD_LOCK, 3, "CARD_NOT_LINKED", {P, ORD, 0}},
    {{P, ORD, 0}, CT_CARD_UNLOCK, 0, "CARD_NOT_LOCKED", {P, ORD, 0}},
    {{P, ORD, 0}, CT_CARD_SET_PIN, 0, "CARD_NOT_LINKED", {P, ORD, 0}},
    {{P, ORD, 0}, CT_CARD_RESET_CVV, 0, "CARD_NOT_VIRTUAL", {P, ORD, 0}},
    {{P, ORD, 0}, CT_CARD_READ_FULL, 0, "CARD_NOT_LINKED", {P, ORD, 0}},
    {{P, ORD, 0}, CT_CARD_REMOVE, 0, NULL, {P, REM, 0}},
    /* physical, linked (inactive) */
    {{P, INA, 0}, CT_CARD_LINK, 0, "CARD_NOT_ORDERED", {P, INA, 0}},
    {{P, INA, 0}, CT_CARD_ACTIVATE, 0, NULL, {P, ACT, 0}},
    {{P, INA, 0}, CT_CARD_LOCK, 5, NULL, {P, INA, 5}},
    {{P, INA, 0}, CT_CARD_UNLOCK, 0, "CARD_NOT_LOCKED", {P, INA, 0}},
    {{P, INA, 0}, CT_CARD_SET_PIN, 0, NULL, {P, INA, 0}},
    {{P, INA, 0}, CT_CARD_RESET_CVV, 0, "CARD_NOT_VIRTUAL", {P, INA, 0}},
    {{P, INA, 0}, CT_CARD_READ_FULL, 0, NULL, {P, INA, 0}},
    {{P, INA, 0}, CT_CARD_REMOVE, 0, NULL, {P, REM, 0}},
    {{P, INA, 4}, CT_CARD_ACTIVATE, 0, "CARD_LOCKED", {P, INA, 4}},
    {{P, INA, 4}, CT_CARD_UNLOCK, 0, NULL, {P, INA, 0}},
    {{P, INA, 5}, CT_CARD_UNLOCK, 0, "CARD_LOCK_IRREVERSIBLE", {P, INA, 5}},
    /* physical, active */
    {{P, ACT, 0}, CT_CARD_LINK, 0, "CARD_NOT_ORDERED", {P, ACT, 0}},
    {{P, ACT, 0}, CT_CARD_ACTIVATE, 0, "CARD_ALREADY_ACTIVE", {P, ACT, 0}},
    {{P, ACT, 0}, CT_CARD_LOCK, 6, NULL, {P, ACT, 6}},
    {{P, ACT, 0}, CT_CARD_SET_PIN, 0, NULL, {P, ACT, 0}},
    {{P, ACT, 0}, CT_CARD_RESET_CVV, 0, "CARD_NOT_VIRTUAL", {P, ACT, 0}},
    {{P, ACT, 6}, CT_CARD_UNLOCK, 0, NULL, {P, ACT, 0}},
    {{P, ACT, 8}, CT_CARD_UNLOCK, 0, "CARD_LOCK_IRREVERSIBLE", {P, ACT, 8}},
    {{P, ACT, 8}, CT_CARD_ACTIVATE, 0, "CARD_LOCKED", {P, ACT, 8}},
};

static void
test_every_transition(void **state)
{
    static const enum ct_card_action all[] = {
        CT_CARD_LINK,   CT_CARD_ACTIVATE, CT_CARD_LOCK,      CT_CARD_UNLOCK,
        CT_CARD_REMOVE, CT_CARD_SET_PIN,  CT_CARD_RESET_CVV, CT_CARD_READ_FULL,
    };
    static const char *const others[] = {"CARD_REMOVED",         "KYC_NOT_VERIFIED",
                                         "BALANCE_NOT_ACTIVE",   "NO_CARD_PROGRAM",
                                         "CVV_RESETS_EXHAUSTED", "FULL_DATA_FORBIDDEN"};
    struct ct_card_state s;
    const char *code;
    size_t i;
    enum ct_err err;

    (void)state;
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        s = rows[i].from;
        code = NULL;
        err = ct_card_transition(&s, rows[i].action, rows[i].reason, &code);
        if (rows[i].code == NULL) {
            if (err != CT_OK)
                fail_msg("row %zu: refused with %s", i, code);
        } else {
            if (err == CT_OK || code == NULL || strcmp(code, rows[i].code) != 0)
                fail_msg("row %zu: expected %s, got %s", i, rows[i].code, code ? code : "OK");
            assert_int_equal(err,
                             strcmp(code, "INVALID_LOCK_REASON") == 0 ? CT_E_BADREQ : CT_E_RULE);
        }
        assert_int_equal(s.type, rows[i].to.type);
        assert_int_equal(s.status, rows[i].to.status);
        assert_int_equal(s.lock_reason, rows[i].to.lock_reason);
        assert_string_not_equal(ct_card_refusal(code), "");
        /* a refusal has its own message, not the fallback of an unknown code */
        if (rows[i].code != NULL)
            assert_string_not_equal(ct_card_refusal(code), ct_card_refusal(NULL));
    }
    /* and so have the refusals given outside the state machine */
    for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
        assert_string_not_equal(ct_card_refusal(others[i]), ct_card_refusal(NULL));
    /* removed is final: every action is refused, nothing changes */
    for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        struct ct_card_state r = {i % 2 ? P : V, REM, (int)(i % 3)};

        code = NULL;
        assert_int_equal(ct_card_transition(&r, all[i], 3, &code), CT_E_RULE);
        assert_string_equal(code, "CARD_REMOVED");
        assert_int_equal(r.status, REM);
    }
}

static void
test_lock_reasons(void **state)
{
    static const char *const codes[] = {"2008", "2009", "1000", "1016",
                                        "1018", "1006", "1002", "1011"};
    int i;

    (void)state;
    assert_null(ct_card_lock_reason(0));
    assert_null(ct_card_lock_reason(9));
    assert_null(ct_card_lock_reason(-1));
    for (i = 1; i <= 8; i++) {
        const struct ct_card_lock_reason *r = ct_card_lock_reason(i);

        assert_non_null(r);
        assert_int_equal(r->code, i);
        assert_string_equal(r->action_code, codes[i - 1]);
        assert_int_equal(r->irreversible, i == 1 || i == 2 || i == 5 || i == 8);
    }
    assert_string_equal(ct_card_lock_reason(1)->name, "CARD_LOST");
    assert_string_equal(ct_card_lock_reason(7)->name, "SUSPECTED_FRAUD");
}

static void
test_status_names(void **state)
{
    struct ct_card_state s = {P, ORD, 0};

    (void)state;
    assert_string_equal(ct_card_status_name(&s), "ORDERED");
    s.status = INA;
    assert_string_equal(ct_card_status_name(&s), "INACTIVE");
    s.lock_reason = 4;
    assert_string_equal(ct_card_status_name(&s), "LOCKED");
    s.status = REM;
    assert_string_equal(ct_card_status_name(&s), "REMOVED");
    assert_string_equal(ct_card_type_name(V), "VIRTUAL");
    assert_string_equal(ct_card_channel_name(CT_CARD_BY_PROCESSOR), "PROCESSOR");
}

/* ---- body readers -------------------------------------------------------------------------- */

struct errs {
    int n;
    char last[64];
};

static void
collect(void *ctx, const char *field, const char *message)
{
    struct errs *e = ctx;

    (void)message;
    e->n++;
    (void)snprintf(e->last, sizeof(e->last), "%s", field);
}

static struct json_object *
parse(const char *text)
{
    struct json_object *o = json_tokener_parse(text);

    assert_non_null(o);
    return o;
}

static void
test_read_address(void **state)
{
    static const struct {
        const char *json;
        bool ok;
        const char *field;
    } cases[] = {
        {"{\"line1\":\"1 Main "
         "St\",\"city\":\"Paris\",\"postal_code\":\"75002\",\"country\":\"fr\"}",
         true, NULL},
        {"{\"line1\":\"1\",\"line2\":\"b\",\"city\":\"P\",\"postal_code\":\"SW1A 1AA\",\"country\":"
         "\"GB\"}",
         true, NULL},
        {"{\"city\":\"Paris\",\"postal_code\":\"75002\",\"country\":\"FR\"}", false,
         "delivery_address.line1"},
        {"{\"line1\":\"1\",\"city\":\"Paris\",\"postal_code\":\"7\",\"country\":\"FR\"}", false,
         "delivery_address.postal_code"},
        {"{\"line1\":\"1\",\"city\":\"Paris\",\"postal_code\":\"75$02\",\"country\":\"FR\"}", false,
         "delivery_address.postal_code"},
        {"{\"line1\":\"1\",\"city\":\"Paris\",\"postal_code\":\"75002\",\"country\":\"F1\"}", false,
         "delivery_address.country"},
        {"{\"line1\":\"a\\u0001\",\"city\":\"P\",\"postal_code\":\"75002\",\"country\":\"FR\"}",
         false, "delivery_address.line1"},
        {"{\"line1\":\"a\\u0000b\",\"city\":\"P\",\"postal_code\":\"75002\",\"country\":\"FR\"}",
         false, "delivery_address.line1"},
        {"{\"line1\":1,\"city\":\"P\",\"postal_code\":\"75002\",\"country\":\"FR\"}", false,
         "delivery_address.line1"},
        {"{\"line1\":\"1\",\"city\":\"P\",\"postal_code\":\"75002\",\"country\":\"FR\",\"x\":1}",
         false, "delivery_address"},
        {"[1]", false, "delivery_address"},
        {"\"Paris\"", false, "delivery_address"},
    };
    struct ct_card_address a;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct json_object *o = parse(cases[i].json);
        struct errs e = {0, ""};
        bool ok = ct_card_read_address(o, &a, collect, &e);

        if (ok != cases[i].ok)
            fail_msg("case %zu: %s", i, cases[i].json);
        if (!ok)
            assert_string_equal(e.last, cases[i].field);
        json_object_put(o);
    }
    {
        struct errs e = {0, ""};

        assert_false(ct_card_read_address(NULL, &a, collect, &e));
        assert_string_equal(e.last, "delivery_address");
    }
}

static void
test_read_lock_reason(void **state)
{
    static const struct {
        const char *json;
        int reason; /* 0: refused */
    } cases[] = {
        {"{\"r\":1}", 1},     {"{\"r\":8}", 8},          {"{\"r\":\"5\"}", 5},
        {"{\"r\":0}", 0},     {"{\"r\":9}", 0},          {"{\"r\":-3}", 0},
        {"{\"r\":3.0}", 0},   {"{\"r\":\"03\"}", 0},     {"{\"r\":\"\"}", 0},
        {"{\"r\":true}", 0},  {"{\"r\":null}", 0},       {"{\"r\":[3]}", 0},
        {"{\"r\":\"x\"}", 0}, {"{\"r\":4294967299}", 0},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct json_object *o = parse(cases[i].json), *v = NULL;
        struct errs e = {0, ""};
        int reason = 0;
        bool ok;

        (void)json_object_object_get_ex(o, "r", &v);
        ok = ct_card_read_lock_reason(v, &reason, collect, &e);
        if (ok != (cases[i].reason != 0) || (ok && reason != cases[i].reason))
            fail_msg("case %zu: %s", i, cases[i].json);
        if (!ok)
            assert_string_equal(e.last, "reason");
        json_object_put(o);
    }
}

static void
test_read_pin(void **state)
{
    static const struct {
        const char *json;
        const char *pin; /* NULL: refused */
    } cases[] = {
        {"{\"pin\":\"1234\"}", "1234"},
        {"{\"pin\":\"123456789012\"}", "123456789012"},
        {"{\"pin\":\"123\"}", NULL},
        {"{\"pin\":\"1234567890123\"}", NULL},
        {"{\"pin\":\"12a4\"}", NULL},
        {"{\"pin\":\" 1234\"}", NULL},
        {"{\"pin\":\"12\\u000034\"}", NULL},
        {"{\"pin\":1234}", NULL},
        {"{\"pin\":null}", NULL},
        {"{}", NULL},
        {"{\"pin\":\"1234\",\"card\":1}", NULL},
    };
    char pin[CT_CARD_PIN_MAX + 1];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct json_object *o = parse(cases[i].json);
        struct errs e = {0, ""};
        bool ok;

        memset(pin, 'x', sizeof(pin));
        ok = ct_card_read_pin(o, pin, collect, &e);
        if (ok != (cases[i].pin != NULL))
            fail_msg("case %zu: %s", i, cases[i].json);
        if (ok)
            assert_string_equal(pin, cases[i].pin);
        else
            assert_string_equal(e.last, "pin");
        json_object_put(o);
    }
}

static void
test_read_name(void **state)
{
    static const struct {
        const char *json;
        const char *name;
    } cases[] = {
        {"\"Ada Lovelace\"", "ADA LOVELACE"},
        {"\"o'neil-smith jr.\"", "O'NEIL-SMITH JR."},
        {"\"A\"", NULL},
        {"\"   \"", NULL},
        {"\"abcdefghijklmnopqrstuvwxyza\"", NULL},
        {"\"Zo\\u00eb\"", NULL},
        {"\"A<b>\"", NULL},
        {"12", NULL},
    };
    char name[CT_CARD_NAME_MAX + 1];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct json_object *o = parse(cases[i].json);
        struct errs e = {0, ""};
        bool ok = ct_card_read_name(o, name, collect, &e);

        if (ok != (cases[i].name != NULL))
            fail_msg("case %zu: %s", i, cases[i].json);
        if (ok)
            assert_string_equal(name, cases[i].name);
        json_object_put(o);
    }
}

static void
test_json_is_masked(void **state)
{
    struct ct_card c;
    struct json_object *o, *v = NULL;
    char expiry[6];

    (void)state;
    memset(&c, 0, sizeof(c));
    (void)snprintf(c.id, sizeof(c.id), "%s", "7d9f3c1e-0000-4000-8000-000000000001");
    c.st.type = V;
    c.st.status = ACT;
    c.st.lock_reason = 2;
    (void)snprintf(c.bin, sizeof(c.bin), "%s", "53999912");
    c.pan_length = 16;
    (void)snprintf(c.pan_sealed, sizeof(c.pan_sealed), "%s", "pan1.1.00.00.00");
    (void)snprintf(c.last4, sizeof(c.last4), "%s", "4242");
    (void)snprintf(c.expiry, sizeof(c.expiry), "%s", "2912");
    o = ct_card_json(&c);
    assert_true(json_object_object_get_ex(o, "masked_pan", &v));
    assert_string_equal(json_object_get_string(v), "539999******4242");
    assert_true(json_object_object_get_ex(o, "status", &v));
    assert_string_equal(json_object_get_string(v), "LOCKED");
    assert_true(json_object_object_get_ex(o, "action_code", &v));
    assert_string_equal(json_object_get_string(v), "2009");
    assert_true(json_object_object_get_ex(o, "expiry", &v));
    assert_string_equal(json_object_get_string(v), "12/29");
    assert_null(strstr(json_object_to_json_string(o), "pan1."));
    assert_false(json_object_object_get_ex(o, "pan", &v));
    json_object_put(o);
    ct_card_expiry_text("bad", expiry);
    assert_string_equal(expiry, "");
}

/* An operator never gets full card data: refused before anything is read. */
static void
test_full_data_refuses_operator(void **state)
{
    struct ct_card_who who = {CT_CARD_BY_OPERATOR, 1, NULL, 0, "operator-1"};
    struct ct_card c;
    char pan[CT_CARD_PAN_MAX + 1] = "", cvc2[4] = "";
    const char *code = NULL;

    (void)state;
    memset(&c, 0, sizeof(c));
    assert_int_equal(ct_card_full(NULL, NULL, &who, "7d9f3c1e-0000-4000-8000-000000000001", &c, pan,
                                  cvc2, &code),
                     CT_E_FORBIDDEN);
    assert_string_equal(code, "FULL_DATA_FORBIDDEN");
    assert_string_equal(pan, "");
    assert_string_equal(cvc2, "");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_transition),
        cmocka_unit_test(test_lock_reasons),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_read_address),
        cmocka_unit_test(test_read_lock_reason),
        cmocka_unit_test(test_read_pin),
        cmocka_unit_test(test_read_name),
        cmocka_unit_test(test_json_is_masked),
        cmocka_unit_test(test_full_data_refuses_operator),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
