/* ct_fee.h - fees a partner charges its users (seed 003, "Fee management"): the partner's fee
 * schedule (one rule per event and currency), the computation of a fee, and charging it as a
 * ledger entry from the user's balance to the partner's fee income account.
 *
 * Who calls what:
 * - GET /admin/fees: ct_fee_schedule_load(db, partner, &s), reply ct_fee_schedule_json(&s).
 * - PUT /admin/fees: ct_fee_schedule_read_req(req, &in) (CT_E_RULE: fail 422 with the recorded
 *   field errors), then ct_fee_schedule_set(db, partner, &in, in.version, &out, &code)
 *   (CT_E_CONFLICT FEE_SCHEDULE_CHANGED: 409), reply ct_fee_schedule_json(&out).
 * - A balance opened: ct_balance_open calls ct_fee_charge_event (CT_FEE_ACCOUNT_CREATION).
 * - A card issued, in the unit that stores it: ct_fee_charge_event with CT_FEE_CARD_CREATION,
 *   the card's balance's account and currency, card_id and reference the card's id.
 * - Transfers, FX, card payments, ATM: ct_fee_charge_event with the event's amount.
 * - Monthly: the scheduler's `fees` task (ct_fee_monthly_accounts, ct_card_monthly_fees which
 *   lists the cards for ct_fee_monthly_cards, ct_fee_collect_due). */
#ifndef CT_FEE_H
#define CT_FEE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include "ct/ct_db.h"
#include "ct/ct_err.h"
#include "ct/ct_req.h"

/* What a fee is charged for; the names are the JSON and SQL enum text. */
enum ct_fee_event {
    CT_FEE_ACCOUNT_CREATION = 1, /* "account_creation": a balance is opened */
    CT_FEE_CARD_CREATION,        /* "card_creation": a card is issued */
    CT_FEE_MONTHLY_CARD,         /* "monthly_card": per card and month */
    CT_FEE_MONTHLY_ACCOUNT,      /* "monthly_account": per balance and month */
    CT_FEE_TRANSFER,             /* "transfer": an outgoing transfer, on its amount */
    CT_FEE_FX,                   /* "fx": a currency conversion, on the converted amount */
    CT_FEE_POS,                  /* "pos": a card payment at a point of sale */
    CT_FEE_ECOM,                 /* "ecom": a card payment online */
    CT_FEE_ATM,                  /* "atm": a cash withdrawal */
};
#define CT_FEE_EVENT_LAST CT_FEE_ATM
/* "account_creation", ...; NULL for a bad value. */
const char *ct_fee_event_name(enum ct_fee_event event);
/* The event of a name (exact, lower case); 0 when unknown or NULL. */
enum ct_fee_event ct_fee_event_from_name(const char *name);
/* Whether the event's fee may have a rate (transfer, FX, POS, eCom, ATM: it has an amount). */
bool ct_fee_event_has_rate(enum ct_fee_event event);

/* One rule: fee = fixed + amount * rate_bp / 10000 (rounded half up to the minor unit), then
 * raised to min and lowered to max (max 0: no maximum). Amounts in the currency's minor units. */
#define CT_FEE_RATE_MAX 10000 /* basis points: 100 % */
struct ct_fee_rule {
    enum ct_fee_event event;
    char currency[4];
    int64_t fixed;
    int32_t rate_bp;
    int64_t min;
    int64_t max;
};

/* A partner's whole schedule. A plain value (no heap): it can live on the stack. version counts
 * the replacements (0: never set); updated_at is ISO 8601 UTC ("" when never set). */
#define CT_FEE_RULES_MAX 256
struct ct_fee_schedule {
    int64_t partner_id;
    int64_t version;
    char updated_at[32];
    size_t n;
    struct ct_fee_rule rules[CT_FEE_RULES_MAX];
};

/* The rule of an event in a currency, borrowed from s; NULL when the schedule has none. */
const struct ct_fee_rule *ct_fee_rule_find(const struct ct_fee_schedule *s, enum ct_fee_event event,
                                           const char *currency);

/* The fee for an event of `amount` minor units (0 for events without an amount). Integer
 * arithmetic only: the rate part is amount * rate_bp / 10000 rounded half up (half a minor unit
 * and more goes up: 0.5 cent -> 1 cent), computed without an intermediate product that could
 * overflow; then fixed is added, the sum raised to min, then lowered to max when max > 0.
 * CT_E_BADREQ for a negative amount or a rule outside the limits ct_fee_schedule_read enforces. */
enum ct_err ct_fee_compute(const struct ct_fee_rule *r, int64_t amount, int64_t *fee);

/* ---- JSON (the body of GET and PUT /admin/fees: docs/openapi.yaml FeeSchedule, FeeRule) ---- */

/* Field errors go to report(arg, field, message): field is "rules", "rules[3].fixed", ...,
 * both strings valid only during the call (copy them). report may be NULL (errors unsaid). */
typedef void (*ct_fee_report_fn)(void *arg, const char *field, const char *message);

/* Reads {"rules": [FeeRule...], "version": n (optional), "updated_at": ignored} strictly: unknown
 * fields, a missing or unknown event, a bad currency, a negative or malformed amount (decimal
 * string or number in currency units, never through a double), a rate outside 0..10000 or given
 * for an event without an amount, min above max, two rules for one event and currency, more than
 * CT_FEE_RULES_MAX rules: each is reported. CT_OK with *out filled (partner_id 0; version the
 * body's, -1 when absent), or CT_E_RULE after at least one report. */
enum ct_err ct_fee_schedule_read(struct json_object *body, struct ct_fee_schedule *out,
                                 ct_fee_report_fn report, void *arg);
/* The same from JSON text (len bytes; depth-limited, strict UTF-8, one object): CT_E_BADREQ with
 * one report (field "body") when the text is not a JSON object. */
enum ct_err ct_fee_schedule_parse(const char *text, size_t len, struct ct_fee_schedule *out,
                                  ct_fee_report_fn report, void *arg);
/* For PUT /admin/fees: reads the request's JSON body, recording field errors on req
 * (ct_req_field_error); CT_E_RULE when there are any (the handler then fails with
 * ct_req_fail(req, CT_E_RULE, NULL, ...) so the 422 carries them), CT_E_BADREQ without a body. */
enum ct_err ct_fee_schedule_read_req(struct ct_req *req, struct ct_fee_schedule *out);
/* {"version", "updated_at" (null when never set), "rules": [{"event", "currency", "fixed",
 * "rate_bp", "min", "max"}]} with amounts as decimal strings and max null when there is none.
 * The caller owns the object. */
struct json_object *ct_fee_schedule_json(const struct ct_fee_schedule *s);

/* ---- storage ---------------------------------------------------------------------------- */

/* The partner's schedule (rules ordered by event, then currency); an empty one (n 0, version 0)
 * when it was never set. */
enum ct_err ct_fee_schedule_load(struct ct_db *db, int64_t partner_id, struct ct_fee_schedule *out);
/* Inside a unit of work: replaces the partner's whole schedule with s's rules and opens the
 * partner's fee income accounts of every currency they name. When expect_version >= 0 and the
 * stored version differs: CT_E_CONFLICT with *code FEE_SCHEDULE_CHANGED (someone replaced it
 * since the caller read it). */
enum ct_err ct_fee_schedule_replace(struct ct_db *db, int64_t partner_id,
                                    const struct ct_fee_schedule *s, int64_t expect_version,
                                    const char **code);
/* ct_fee_schedule_replace in its own retried unit of work (ct_db_txn), then the stored schedule
 * into *out: what PUT /admin/fees calls (expect_version: the body's version, -1 for none). */
enum ct_err ct_fee_schedule_set(struct ct_db *db, int64_t partner_id,
                                const struct ct_fee_schedule *s, int64_t expect_version,
                                struct ct_fee_schedule *out, const char **code);

/* ---- charging (fee_charge.c) ------------------------------------------------------------ */

/* The partner's fee income in a currency is CT_FEE_INCOME_SHARDS ledger accounts (kind
 * fee_income, listed in partner_account under the role fee_income): a fee is credited to the
 * shard of the charged account's id, so fees of different users rarely queue on one row lock.
 * The account of shard key % CT_FEE_INCOME_SHARDS, opened on first use; inside a unit of work
 * (a race between two first uses is CT_E_BUSY: the unit runs again). */
#define CT_FEE_INCOME_SHARDS 8
enum ct_err ct_fee_income_account(struct ct_db *db, int64_t partner_id, const char *currency,
                                  int64_t key, int64_t *account_id);

struct ct_fee_event_ref {
    int64_t partner_id;
    enum ct_fee_event event;
    int64_t account_id;   /* the user's ledger account (balance.account_id) the fee is taken from */
    const char *currency; /* that account's currency: the rule's */
    int64_t amount;       /* the event's amount in minor units (transfer, FX, POS, eCom, ATM) */
    const char *card_id;  /* card events: the card's id (<= 64 chars); NULL otherwise */
    const char *period;   /* monthly fees: "YYYY-MM"; NULL otherwise */
    const char *reference; /* the event's own id (a transfer, an authorization), may be NULL */
};

enum ct_fee_status {
    CT_FEE_NONE = 0, /* no rule for the event, or the fee is 0: nothing recorded */
    CT_FEE_CHARGED,  /* booked: entry_id is the ledger entry */
    CT_FEE_DUE,      /* the balance could not cover it: recorded as due, collected later */
    CT_FEE_ALREADY,  /* a monthly fee already recorded for this account or card and period */
};
struct ct_fee_result {
    enum ct_fee_status status;
    int64_t charge_id; /* fee_charge.id (0 for NONE and ALREADY) */
    int64_t amount;
    int64_t entry_id; /* CHARGED only */
};

/* Inside the caller's unit of work: the fee of the partner's rule for the event in the
 * account's currency, recorded in fee_charge and booked as one ledger entry (kind "fee") from the
 * account to the partner's fee income account (its shard). The debit is conditional like every
 * ledger debit: when the account cannot cover the fee it is recorded as due and nothing moves
 * (never an overdraft); ct_fee_collect_due charges it later. A monthly fee (period set) is recorded
 * at most once per event, account, card and period (a unique key): a second call answers ALREADY.
 * Errors: CT_E_BADREQ (a bad ref), the database's; a refusal is never an error. */
enum ct_err ct_fee_charge_event(struct ct_db *db, const struct ct_fee_event_ref *ref,
                                struct ct_fee_result *out);

/* What a batch did. */
struct ct_fee_run {
    size_t charged; /* booked now */
    size_t due;     /* recorded as due, or still due */
    size_t already; /* monthly fees found recorded */
    size_t failed;  /* units that failed (logged); the next run retries them */
};
/* Optional: called between units; returning false stops the batch (a daemon asked to stop). */
typedef bool (*ct_fee_go_fn)(void *arg);

/* Each due fee (every partner's), oldest first, in its own unit: booked when its account now
 * covers it, left due otherwise. A fee is booked exactly once: its row is claimed with a
 * conditional UPDATE (status due -> charged) before the entry, under the row lock. */
enum ct_err ct_fee_collect_due(struct ct_db *db, ct_fee_go_fn go, void *arg,
                               struct ct_fee_run *run);
/* The monthly account fee of `period` ("YYYY-MM") for every active balance opened before the
 * period's end whose partner has a monthly_account rule in its currency and that has no fee of
 * the period yet, each in its own unit (ct_fee_charge_event). Running it twice charges once. */
enum ct_err ct_fee_monthly_accounts(struct ct_db *db, const char *period, ct_fee_go_fn go,
                                    void *arg, struct ct_fee_run *run);
/* One card to charge a monthly fee for: the caller (the cards module, which owns the card table)
 * lists the cards that were active in the period. */
struct ct_fee_card {
    int64_t partner_id;
    const char *card_id;
    int64_t account_id; /* the ledger account of the card's balance */
    const char *currency;
};
/* The monthly card fee of `period` for each of the n cards, each in its own unit; a card already
 * charged for the period is counted in run->already. */
enum ct_err ct_fee_monthly_cards(struct ct_db *db, const struct ct_fee_card *cards, size_t n,
                                 const char *period, ct_fee_go_fn go, void *arg,
                                 struct ct_fee_run *run);
/* Both monthly fees of `period`: ct_fee_monthly_accounts, then ct_card_monthly_fees (the cards
 * module lists the cards), *run the sum of the two. What the scheduler's `fees` task and
 * `comptoir-fees charge-monthly` run. */
enum ct_err ct_fee_monthly(struct ct_db *db, const char *period, ct_fee_go_fn go, void *arg,
                           struct ct_fee_run *run);
/* The period "YYYY-MM" of the month before now_usec's (UTC microseconds); false when the time
 * cannot be broken down. */
bool ct_fee_period_last(int64_t now_usec, char out[8]);
/* Whether text is a period "YYYY-MM" (year 2000..9999, month 01..12). */
bool ct_fee_period_valid(const char *text);
/* "YYYY-MM-01 00:00:00" of the month after the period (CT_E_BADREQ for a bad period). */
enum ct_err ct_fee_period_end(const char *period, char out[32]);

#endif /* CT_FEE_H */
