/* ct_card.h - payment cards (seed 003): the state machine in one place, the request body readers,
 * and the card rows (create, order, link, act, read) every channel shares. Route handlers are in
 * ct_card_route.h. */
#ifndef CT_CARD_H
#define CT_CARD_H
#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>
#include "ct/ct_card_keys.h"
#include "ct/ct_card_pan.h"
#include "ct/ct_card_pin.h"
#include "ct/ct_db.h"
#include "ct/ct_fee.h"
#include "ct/ct_util.h"

enum ct_card_type { CT_CARD_VIRTUAL = 0, CT_CARD_PHYSICAL };

/* Where a card is in its life. A lock is not a status but a flag beside it (lock_reason), so an
 * unlock returns the card to where it was; the answers show LOCKED while it is set. */
enum ct_card_status {
    CT_CARD_ORDERED = 0, /* physical, being personalised (about 48 hours): no PAN yet */
    CT_CARD_INACTIVE,    /* physical, linked by the processor: PAN known, not usable yet */
    CT_CARD_ACTIVE,
    CT_CARD_REMOVED, /* final */
};

enum ct_card_action {
    CT_CARD_LINK = 0,  /* processor: a personalised physical card, ORDERED -> INACTIVE */
    CT_CARD_ACTIVATE,  /* physical, INACTIVE -> ACTIVE */
    CT_CARD_LOCK,      /* with a reason 1-8; a reversible lock may be replaced by another */
    CT_CARD_UNLOCK,    /* refused for reasons 1, 2, 5, 8 */
    CT_CARD_REMOVE,    /* -> REMOVED, final */
    CT_CARD_SET_PIN,   /* linked or active, not locked */
    CT_CARD_RESET_CVV, /* virtual, active, not locked */
    CT_CARD_READ_FULL, /* PAN, expiry, CVC2: linked or active, not locked */
};

/* Who acts, recorded on every event (card_event.channel). */
enum ct_card_channel {
    CT_CARD_BY_CUSTOMER = 0,
    CT_CARD_BY_PARTNER,
    CT_CARD_BY_OPERATOR,
    CT_CARD_BY_PROCESSOR,
    CT_CARD_BY_SYSTEM,
};

/* The longest cardholder name embossed (ISO/IEC 7813 track 1), without its NUL. */
#define CT_CARD_NAME_MAX 26
#define CT_CARD_LOCK_MIN 1
#define CT_CARD_LOCK_MAX 8
/* Seed 003's table: the reason, the action code a POS/ATM authorization of the locked card
 * answers, and whether an unlock is refused. */
struct ct_card_lock_reason {
    int code;
    const char *name;        /* "CARD_LOST" */
    const char *action_code; /* "2008" */
    bool irreversible;
};
/* The row of reason code (1..8), NULL for any other. */
const struct ct_card_lock_reason *ct_card_lock_reason(int code);

struct ct_card_state {
    enum ct_card_type type;
    enum ct_card_status status;
    int lock_reason; /* 0: not locked */
};

/* The state machine: whether `action` (with `reason` for CT_CARD_LOCK) may be taken from *s. On
 * CT_OK *s is the state after it (unchanged for SET_PIN, RESET_CVV and READ_FULL); otherwise *s is
 * untouched, the result is CT_E_RULE (or CT_E_BADREQ for a lock reason outside 1-8) and *code
 * says why: CARD_REMOVED, CARD_NOT_PHYSICAL, CARD_NOT_VIRTUAL, CARD_NOT_ORDERED, CARD_NOT_LINKED,
 * CARD_ALREADY_ACTIVE, CARD_LOCKED, CARD_NOT_LOCKED, CARD_LOCK_IRREVERSIBLE, INVALID_LOCK_REASON.
 */
enum ct_err ct_card_transition(struct ct_card_state *s, enum ct_card_action action, int reason,
                               const char **code);
/* The status an answer shows: ORDERED, INACTIVE, ACTIVE, LOCKED (any status with a lock) or
 * REMOVED. */
const char *ct_card_status_name(const struct ct_card_state *s);
const char *ct_card_type_name(enum ct_card_type type);
const char *ct_card_channel_name(enum ct_card_channel channel);
/* What a refusal's code means, for the answer's message; never NULL. */
const char *ct_card_refusal(const char *code);

/* ---- request bodies: pure readers, no request needed (fuzzed by tests/fuzz/fuzz_card_request.c)
 * Each reports every problem through err(ctx, field, message) and returns false if there was
 * one. */
typedef void (*ct_card_field_err)(void *ctx, const char *field, const char *message);

struct ct_card_address {
    char line1[101];
    char line2[101];
    char city[65];
    char postal_code[17];
    char country[3]; /* ISO 3166 alpha-2, upper case */
};
/* The object `v` as a delivery address {line1, line2 (optional), city, postal_code, country}:
 * printable text without control characters within the column sizes; nothing else. Field names
 * in errors are "delivery_address.<member>". */
bool ct_card_read_address(struct json_object *v, struct ct_card_address *out, ct_card_field_err err,
                          void *ctx);
/* A lock reason: a JSON integer 1..8 or a string of one digit 1..8 (field "reason"). */
bool ct_card_read_lock_reason(struct json_object *v, int *reason, ct_card_field_err err, void *ctx);
/* The decrypted PIN payload {"pin": "4 to 12 digits"} (nothing else) into pin, which the caller
 * wipes. The message never repeats the value. */
bool ct_card_read_pin(struct json_object *body, char pin[CT_CARD_PIN_MAX + 1],
                      ct_card_field_err err, void *ctx);
/* A cardholder name as embossed: 2 to 26 characters of A-Z, space, '-', '.', '\'' once upper
 * cased (ASCII letters only, as on a card). */
bool ct_card_read_name(struct json_object *v, char out[CT_CARD_NAME_MAX + 1], ct_card_field_err err,
                       void *ctx);

/* ---- rows ------------------------------------------------------------------------------- */

/* Whose cards a call may see: a customer's (partner and customer), a partner's (partner,
 * customer when the route names one), a processor's (the programs it processes). Cards out of
 * scope are CT_E_NOTFOUND, never "forbidden". */
struct ct_card_who {
    enum ct_card_channel channel;
    int64_t partner_id;      /* 0: any (processor) */
    const char *customer_id; /* NULL: any of the partner's */
    int64_t processor_id;    /* 0: any (customer, partner, operator) */
    const char *actor;       /* recorded on events: customer id, partner or processor id, ... */
};

struct ct_card {
    char id[CT_UUID_LEN + 1];
    int64_t partner_id;
    char customer_id[CT_UUID_LEN + 1];
    char balance_id[CT_UUID_LEN + 1];
    int64_t program_id;
    struct ct_card_state st;
    char bin[9];
    int pan_length;
    char pan_sealed[CT_CARD_PAN_SEALED_MAX + 1]; /* "" until linked (physical) */
    char pan_lookup[CT_CARD_LOOKUP_HEX + 1];     /* set when a PAN is issued (not read back) */
    char last4[5];
    char expiry[5]; /* YYMM, "" until linked */
    unsigned cvv_generation;
    bool pin_set;
    char cardholder_name[CT_CARD_NAME_MAX + 1];
    bool has_address;
    struct ct_card_address delivery;
    char reference[CT_UUID_LEN + 1]; /* the order reference the processor links with */
    char tracking_number[65];
    char personalisation_due[32]; /* ISO 8601, physical cards */
    char created_at[32];
    char updated_at[32];
};

/* A new card, in one transaction, with the partner's card creation fee (booked, or due when
 * the balance cannot cover it: ct_fee_charge_event): the customer must be the partner's and
 * VERIFIED (KYC_NOT_VERIFIED), the balance the customer's and active (BALANCE_NOT_ACTIVE), the
 * partner must have a default card program (NO_CARD_PROGRAM). A virtual card gets its PAN, expiry
 * and an ACTIVE status now; a physical one is ORDERED with the delivery address, an order reference
 * and the personalisation's due time (+48 h) for the processor to link. cardholder_name NULL: the
 * customer's names. CT_E_NOTFOUND for a customer or balance out of scope. */
struct ct_card_new {
    const char *balance_id;
    enum ct_card_type type;
    const char *cardholder_name;
    const struct ct_card_address *delivery; /* physical only */
};
enum ct_err ct_card_create(struct ct_db *db, const struct ct_card_keys *keys,
                           const struct ct_card_who *who, const struct ct_card_new *n,
                           struct ct_card *out, const char **code);
/* The same inside the caller's unit of work (an idempotent request's, ct_req_idempotent). */
enum ct_err ct_card_create_in(struct ct_db *db, const struct ct_card_keys *keys,
                              const struct ct_card_who *who, const struct ct_card_new *n,
                              struct ct_card *out, const char **code);

/* The card by id within who's scope. */
enum ct_err ct_card_get(struct ct_db *db, const struct ct_card_who *who, const char *id,
                        struct ct_card *out);
/* One page of who's cards (customer_id given), newest first; *out is caller-owned (free()). */
enum ct_err ct_card_list(struct ct_db *db, const struct ct_card_who *who, int64_t page,
                         int64_t per_page, struct ct_card **out, size_t *n, int64_t *total);

/* The monthly card fee of `period` ("YYYY-MM") for every card of a partner with a monthly_card
 * rule in its balance's currency that was issued (INACTIVE or ACTIVE, locked or not) and created
 * before the period's end, and not charged for the period yet: listed here, where the card table
 * is, and charged by ct_fee_monthly_cards (each in its own unit, at most once: a unique key).
 * *run adds up what every batch did. */
enum ct_err ct_card_monthly_fees(struct ct_db *db, const char *period, ct_fee_go_fn go, void *arg,
                                 struct ct_fee_run *run);

/* An action on a card, in one transaction under the card's row lock: the state machine decides,
 * the row changes, an event is written. pin (SET_PIN only) is the clear PIN, sealed here with the
 * card's PAN; RESET_CVV moves to the next CVV generation. *out is the card after it. Refusals:
 * CT_E_RULE (or CT_E_BADREQ) with *code as ct_card_transition, CT_E_NOTFOUND out of scope. */
enum ct_err ct_card_act(struct ct_db *db, const struct ct_card_keys *keys,
                        const struct ct_card_who *who, const char *id, enum ct_card_action action,
                        int reason, const char *pin, struct ct_card *out, const char **code);

/* The processor links a personalised physical card by its order reference: the PAN is generated
 * in the program's BIN range and sealed, the expiry set, the tracking number kept; ORDERED ->
 * INACTIVE. who is the processor (its programs only). */
enum ct_err ct_card_link(struct ct_db *db, const struct ct_card_keys *keys,
                         const struct ct_card_who *who, const char *reference,
                         const char *tracking_number, struct ct_card *out, const char **code);

/* Full card data (READ_FULL must be allowed): the clear PAN and CVC2, which the caller wipes.
 * Never for an operator (CT_E_FORBIDDEN, code FULL_DATA_FORBIDDEN). */
enum ct_err ct_card_full(struct ct_db *db, const struct ct_card_keys *keys,
                         const struct ct_card_who *who, const char *id, struct ct_card *out,
                         char pan[CT_CARD_PAN_MAX + 1], char cvc2[4], const char **code);

/* The masked card: {id, type, status, lock_reason, lock_reason_name, action_code, last4,
 * masked_pan, expiry (MM/YY), cardholder_name, balance_id, customer_id, delivery_address,
 * reference, tracking_number, personalisation_due, pin_set, created_at, updated_at}. */
struct json_object *ct_card_json(const struct ct_card *c);
/* "MM/YY" of a YYMM expiry into out[6] ("" for ""). */
void ct_card_expiry_text(const char *yymm, char out[6]);

#endif /* CT_CARD_H */
