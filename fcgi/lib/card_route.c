/* card_route.c - the card routes of every channel (ct_card_route.h): read the request, call
 * card.c, answer. The keyring is loaded once per worker from the configuration's card_keys_file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "ct/ct_card_route.h"
#include "ct/ct_conf.h"
#include "ct/ct_log.h"

#define PAGE_DEFAULT 50
#define PAGE_MAX 200

static struct ct_card_keys *worker_keys;

static void field_err(void *ctx, const char *field, const char *message);
static const struct ct_card_keys *keys_of(struct ct_req *req);
static enum ct_err refused(struct ct_req *req, enum ct_err err, const char *code, const char *what);
static enum ct_err reply_card(struct ct_req *req, int status, const struct ct_card *c);
static enum ct_err create_idem(struct ct_req *req, void *arg, int *status,
                               struct json_object **answer);
static enum ct_err act(struct ct_req *req, const struct ct_card_who *who, const char *card_id,
                       enum ct_card_action action, int reason, const char *pin);
static enum ct_err no_body(struct ct_req *req);
static enum ct_err act_bare(struct ct_req *req, const struct ct_card_who *who, const char *card_id,
                            enum ct_card_action action);

/* What an idempotent creation needs inside its unit of work. */
struct create_ctx {
    const struct ct_card_keys *keys;
    const struct ct_card_who *who;
    const struct ct_card_new *n;
};

static void
field_err(void *ctx, const char *field, const char *message)
{
    ct_req_field_error(ctx, field, message);
}

/* The worker's keyring, loaded at its first card request; NULL (logged) when it cannot be. */
static const struct ct_card_keys *
keys_of(struct ct_req *req)
{
    const struct ct_conf *conf = ct_req_conf(req);
    char why[256];

    if (worker_keys != NULL)
        return worker_keys;
    if (conf->card_keys_file[0] == '\0') {
        ct_log(LOG_ERR, "no card_keys_file in the configuration: card routes cannot work");
        return NULL;
    }
    if (ct_card_keys_load(conf->card_keys_file, &worker_keys, why, sizeof(why)) != CT_OK) {
        ct_log(LOG_ERR, "card keyring %s: %s", conf->card_keys_file, why);
        worker_keys = NULL;
    }
    return worker_keys;
}

struct ct_card_who
ct_card_who_customer(const struct ct_req *req)
{
    struct ct_card_who w = {CT_CARD_BY_CUSTOMER, req->ident.partner_id, req->ident.subject, 0,
                            req->ident.subject};

    return w;
}

struct ct_card_who
ct_card_who_partner(const struct ct_req *req, const char *customer_id)
{
    struct ct_card_who w = {CT_CARD_BY_PARTNER, req->ident.partner_id, customer_id, 0,
                            req->ident.partner_ref};

    return w;
}

struct ct_card_who
ct_card_who_processor(const struct ct_req *req)
{
    struct ct_card_who w = {CT_CARD_BY_PROCESSOR, 0, NULL, req->ident.processor_id,
                            req->ident.partner_ref};

    return w;
}

struct ct_card_who
ct_card_who_operator(const struct ct_req *req)
{
    struct ct_card_who w = {CT_CARD_BY_OPERATOR, req->ident.partner_id, NULL, 0,
                            req->ident.subject};

    return w;
}

/* A refusal from card.c through the route's envelope: out of scope is a plain 404. */
static enum ct_err
refused(struct ct_req *req, enum ct_err err, const char *code, const char *what)
{
    if (err == CT_E_NOTFOUND)
        return ct_req_fail(req, err, NULL, what);
    if (err == CT_E_BUSY || err == CT_E_INTERNAL)
        return ct_req_fail(req, err, NULL, "the card could not be processed");
    return ct_req_fail(req, err, code, ct_card_refusal(code));
}

static enum ct_err
reply_card(struct ct_req *req, int status, const struct ct_card *c)
{
    return ct_reply_json(req, status, ct_card_json(c));
}

/* Routes without a request body: a body, if any, must be empty or {}. */
static enum ct_err
no_body(struct ct_req *req)
{
    static const char *const none[] = {NULL};

    if (ct_req_json(req) != NULL)
        ct_body_only(req, none);
    if (ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "this request takes no fields");
    return CT_OK;
}

enum ct_err
ct_card_route_create(struct ct_req *req, const struct ct_card_who *who, const char *balance_id,
                     enum ct_card_type type)
{
    static const char *const virtual_fields[] = {"cardholder_name", NULL};
    static const char *const physical_fields[] = {"cardholder_name", "delivery_address", NULL};
    const struct ct_card_keys *keys = keys_of(req);
    struct json_object *body = ct_req_json(req), *v = NULL;
    struct ct_card_address addr;
    struct ct_card_new n;
    struct ct_card c;
    const char *code = NULL;
    char name[CT_CARD_NAME_MAX + 1];
    enum ct_err err;

    if (keys == NULL)
        return ct_req_fail(req, CT_E_INTERNAL, NULL, "cards are not configured");
    memset(&n, 0, sizeof(n));
    n.balance_id = balance_id;
    n.type = type;
    if (type == CT_CARD_PHYSICAL && ct_req_need_body(req) != CT_OK)
        return CT_E_BADREQ;
    if (body != NULL) {
        ct_body_only(req, type == CT_CARD_PHYSICAL ? physical_fields : virtual_fields);
        if (json_object_object_get_ex(body, "cardholder_name", &v) &&
            ct_card_read_name(v, name, field_err, req))
            n.cardholder_name = name;
    }
    if (type == CT_CARD_PHYSICAL) {
        v = NULL;
        (void)json_object_object_get_ex(body, "delivery_address", &v);
        if (ct_card_read_address(v, &addr, field_err, req))
            n.delivery = &addr;
    }
    if (ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "some fields are invalid");
    if (ct_req_header(req, "Idempotency-Key") != NULL) {
        struct create_ctx x = {keys, who, &n};
        char scope[80];

        /* the key is the customer's: scoped by partner and customer (the path names the balance) */
        (void)snprintf(scope, sizeof(scope), "cards:%lld:%s", (long long)who->partner_id,
                       who->customer_id != NULL ? who->customer_id : "-");
        return ct_req_idempotent(req, scope, create_idem, &x);
    }
    err = ct_card_create(req->db, keys, who, &n, &c, &code);
    if (err != CT_OK)
        return refused(req, err, code, "balance not found");
    return reply_card(req, 201, &c);
}

/* A creation with an Idempotency-Key: the card and its fee are made in the unit that records the
 * answer, so a retry (or a twin sent at once) replays the first card instead of making a second
 * one and charging its fee again. */
static enum ct_err
create_idem(struct ct_req *req, void *arg, int *status, struct json_object **answer)
{
    const struct create_ctx *x = arg;
    const char *code = NULL;
    struct ct_card c;
    enum ct_err err;

    memset(&c, 0, sizeof(c));
    err = ct_card_create_in(req->db, x->keys, x->who, x->n, &c, &code);
    if (err != CT_OK)
        return refused(req, err, code, "balance not found");
    *status = 201;
    *answer = ct_card_json(&c);
    return CT_OK;
}

enum ct_err
ct_card_route_list(struct ct_req *req, const struct ct_card_who *who)
{
    struct ct_card *items = NULL;
    struct json_object *arr;
    int64_t page, per_page, total = 0;
    size_t n = 0, i;
    enum ct_err err;

    if (!ct_req_page(req, PAGE_DEFAULT, PAGE_MAX, &page, &per_page) || ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "invalid query parameters");
    err = ct_card_list(req->db, who, page, per_page, &items, &n, &total);
    if (err != CT_OK)
        return refused(req, err, NULL, "customer not found");
    arr = json_object_new_array();
    for (i = 0; i < n; i++)
        json_object_array_add(arr, ct_card_json(&items[i]));
    free(items);
    ct_reply_pagination(req, total, page, per_page);
    return ct_reply_json(req, 200, arr);
}

enum ct_err
ct_card_route_get(struct ct_req *req, const struct ct_card_who *who, const char *card_id)
{
    struct ct_card c;
    enum ct_err err = ct_card_get(req->db, who, card_id, &c);

    if (err != CT_OK)
        return refused(req, err, NULL, "card not found");
    return reply_card(req, 200, &c);
}

enum ct_err
ct_card_route_full(struct ct_req *req, const struct ct_card_who *who, const char *card_id)
{
    const struct ct_card_keys *keys = keys_of(req);
    struct json_object *o;
    struct ct_card c;
    const char *code = NULL;
    char pan[CT_CARD_PAN_MAX + 1], cvc2[4], expiry[6];
    enum ct_err err;

    /* an operator is refused by ct_card_full (FULL_DATA_FORBIDDEN), before any card is read */
    if (keys == NULL)
        return ct_req_fail(req, CT_E_INTERNAL, NULL, "cards are not configured");
    err = ct_card_full(req->db, keys, who, card_id, &c, pan, cvc2, &code);
    if (err != CT_OK)
        return refused(req, err, code, "card not found");
    ct_card_expiry_text(c.expiry, expiry);
    o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_string(c.id));
    json_object_object_add(o, "pan", json_object_new_string(pan));
    json_object_object_add(o, "expiry", json_object_new_string(expiry));
    json_object_object_add(o, "cvc2", json_object_new_string(cvc2));
    json_object_object_add(o, "cardholder_name", json_object_new_string(c.cardholder_name));
    OPENSSL_cleanse(pan, sizeof(pan));
    OPENSSL_cleanse(cvc2, sizeof(cvc2));
    /* the library seals this answer to the client's key and wipes its clear text */
    return ct_reply_json(req, 200, o);
}

static enum ct_err
act(struct ct_req *req, const struct ct_card_who *who, const char *card_id,
    enum ct_card_action action, int reason, const char *pin)
{
    const struct ct_card_keys *keys = keys_of(req);
    struct ct_card c;
    const char *code = NULL;
    enum ct_err err;

    if (keys == NULL)
        return ct_req_fail(req, CT_E_INTERNAL, NULL, "cards are not configured");
    memset(&c, 0, sizeof(c));
    err = ct_card_act(req->db, keys, who, card_id, action, reason, pin, &c, &code);
    if (err != CT_OK)
        return refused(req, err, code, "card not found");
    if (action == CT_CARD_REMOVE || action == CT_CARD_SET_PIN)
        return ct_reply_empty(req, 204);
    return reply_card(req, 200, &c);
}

enum ct_err
ct_card_route_lock(struct ct_req *req, const struct ct_card_who *who, const char *card_id)
{
    static const char *const fields[] = {"reason", NULL};
    struct json_object *v = NULL;
    int reason = 0;

    if (ct_req_need_body(req) != CT_OK)
        return CT_E_BADREQ;
    ct_body_only(req, fields);
    (void)json_object_object_get_ex(ct_req_json(req), "reason", &v);
    (void)ct_card_read_lock_reason(v, &reason, field_err, req);
    if (ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "some fields are invalid");
    return act(req, who, card_id, CT_CARD_LOCK, reason, NULL);
}

/* An action without a request body (an empty one or {} is fine). */
static enum ct_err
act_bare(struct ct_req *req, const struct ct_card_who *who, const char *card_id,
         enum ct_card_action action)
{
    if (no_body(req) != CT_OK)
        return CT_E_RULE;
    return act(req, who, card_id, action, 0, NULL);
}

enum ct_err
ct_card_route_unlock(struct ct_req *req, const struct ct_card_who *who, const char *card_id)
{
    return act_bare(req, who, card_id, CT_CARD_UNLOCK);
}

enum ct_err
ct_card_route_activate(struct ct_req *req, const struct ct_card_who *who, const char *card_id)
{
    return act_bare(req, who, card_id, CT_CARD_ACTIVATE);
}

enum ct_err
ct_card_route_remove(struct ct_req *req, const struct ct_card_who *who, const char *card_id)
{
    return act(req, who, card_id, CT_CARD_REMOVE, 0, NULL);
}

enum ct_err
ct_card_route_cvv_reset(struct ct_req *req, const struct ct_card_who *who, const char *card_id)
{
    return act_bare(req, who, card_id, CT_CARD_RESET_CVV);
}

enum ct_err
ct_card_route_pin(struct ct_req *req, const struct ct_card_who *who, const char *card_id)
{
    char pin[CT_CARD_PIN_MAX + 1];
    enum ct_err err;

    memset(pin, 0, sizeof(pin));
    if (ct_req_need_body(req) != CT_OK)
        return CT_E_BADREQ;
    if (!ct_card_read_pin(ct_req_json(req), pin, field_err, req))
        return ct_req_fail(req, CT_E_RULE, NULL, "some fields are invalid");
    err = act(req, who, card_id, CT_CARD_SET_PIN, 0, pin);
    OPENSSL_cleanse(pin, sizeof(pin));
    return err;
}

enum ct_err
ct_card_route_link(struct ct_req *req, const struct ct_card_who *who)
{
    static const char *const fields[] = {"reference", "tracking_number", NULL};
    const struct ct_card_keys *keys = keys_of(req);
    const char *ref, *tracking;
    struct ct_card c;
    const char *code = NULL;
    enum ct_err err;

    if (keys == NULL)
        return ct_req_fail(req, CT_E_INTERNAL, NULL, "cards are not configured");
    if (ct_req_need_body(req) != CT_OK)
        return CT_E_BADREQ;
    ct_body_only(req, fields);
    ref = ct_body_str(req, "reference", true, CT_UUID_LEN);
    if (ref != NULL && !ct_uuid_valid(ref))
        ct_req_field_error(req, "reference", "must be the order reference of a card");
    tracking = ct_body_str(req, "tracking_number", true, 64);
    if (ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "some fields are invalid");
    memset(&c, 0, sizeof(c));
    err = ct_card_link(req->db, keys, who, ref, tracking, &c, &code);
    if (err != CT_OK)
        return refused(req, err, code, "no ordered card has this reference");
    return reply_card(req, 200, &c);
}
