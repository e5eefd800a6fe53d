/* fee_charge.c - charging fees: one fee_charge row per fee, booked as a ledger entry (kind "fee")
 * from the user's account to the partner's fee income account, or left due when the account
 * cannot cover it; the collection of due fees and the monthly fees. Money moves only through
 * ct_ledger_post. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ct/ct_card.h"
#include "ct/ct_fee.h"
#include "ct/ct_ledger.h"
#include "ct/ct_log.h"
#include "ct/ct_money.h"

#define BATCH 200 /* rows a batch query reads (its LIMIT) */

struct charge_ctx {
    const struct ct_fee_event_ref *ref;
    struct ct_fee_result res;
};

struct collect_ctx {
    int64_t id;
    bool charged, gone;
};

static bool ref_valid(const struct ct_fee_event_ref *ref);
static enum ct_err rule_load(struct ct_db *db, const struct ct_fee_event_ref *ref,
                             struct ct_fee_rule *rule, bool *found);
static enum ct_err book(struct ct_db *db, int64_t charge_id, int64_t partner_id, int64_t account_id,
                        const char *currency, int64_t amount, const char *what, bool *booked,
                        int64_t *entry_id);
static enum ct_err charge_unit(struct ct_db *db, void *arg);
static void run_count(struct ct_fee_run *run, enum ct_err err, const struct ct_fee_result *res,
                      const char *what);
static enum ct_err collect_unit(struct ct_db *db, void *arg);

enum ct_err
ct_fee_income_account(struct ct_db *db, int64_t partner_id, const char *currency, int64_t key,
                      int64_t *account_id)
{
    static const char sql[] = "SELECT account_id FROM partner_account WHERE partner_id = ? "
                              "AND currency = ? AND role = 'fee_income' AND shard = ?";
    static const char sql_ins[] = "INSERT INTO partner_account (partner_id, currency, role, "
                                  "shard, account_id) VALUES (?, ?, 'fee_income', ?, ?)";
    int shard = (int)((uint64_t)key % CT_FEE_INCOME_SHARDS);
    struct ct_rows *r = NULL;
    enum ct_err err = ct_db_query(db, sql, &r, "lsi", partner_id, currency, shard);
    bool found = err == CT_OK && ct_rows_count(r) == 1 && ct_rows_i64(r, 0, 0, account_id);

    ct_rows_free(r);
    if (err != CT_OK || found)
        return err;
    err = ct_ledger_account_open(db, partner_id, CT_ACCT_FEE_INCOME, currency, false, account_id);
    if (err == CT_OK)
        err = ct_db_exec(db, sql_ins, NULL, "lsil", partner_id, currency, shard, *account_id);
    /* two first uses racing: the loser meets the winner's row on the primary key, and its whole
     * unit runs again and finds it */
    return err == CT_E_CONFLICT ? CT_E_BUSY : err;
}

static bool
ref_valid(const struct ct_fee_event_ref *ref)
{
    return ct_fee_event_name(ref->event) != NULL && ref->partner_id > 0 && ref->account_id > 0 &&
           ct_currency_find(ref->currency) != NULL && ref->amount >= 0 &&
           (ref->card_id == NULL || strlen(ref->card_id) <= 64) &&
           (ref->period == NULL || ct_fee_period_valid(ref->period)) &&
           (ref->reference == NULL || strlen(ref->reference) <= 64);
}

static enum ct_err
rule_load(struct ct_db *db, const struct ct_fee_event_ref *ref, struct ct_fee_rule *rule,
          bool *found)
{
    static const char sql[] = "SELECT fixed, rate_bp, min_amount, max_amount FROM fee_rule "
                              "WHERE partner_id = ? AND event = ? AND currency = ?";
    struct ct_rows *r = NULL;
    int64_t bp = 0;
    enum ct_err err = ct_db_query(db, sql, &r, "lss", ref->partner_id,
                                  ct_fee_event_name(ref->event), ref->currency);

    memset(rule, 0, sizeof(*rule));
    *found = err == CT_OK && ct_rows_count(r) == 1;
    if (*found && (!ct_rows_i64(r, 0, 0, &rule->fixed) || !ct_rows_i64(r, 0, 1, &bp) ||
                   !ct_rows_i64(r, 0, 2, &rule->min) || !ct_rows_i64(r, 0, 3, &rule->max)))
        err = CT_E_INTERNAL;
    ct_rows_free(r);
    rule->event = ref->event;
    rule->rate_bp = (int32_t)bp;
    (void)snprintf(rule->currency, sizeof(rule->currency), "%s", ref->currency);
    return err;
}

/* The entry of a recorded fee and its row marked charged; *booked false (CT_OK, nothing moved)
 * when the account cannot cover it or is closed: the ledger put its legs back. */
static enum ct_err
book(struct ct_db *db, int64_t charge_id, int64_t partner_id, int64_t account_id,
     const char *currency, int64_t amount, const char *what, bool *booked, int64_t *entry_id)
{
    static const char sql[] = "UPDATE fee_charge SET status = 'charged', entry_id = ?, "
                              "charged_at = NOW(6) WHERE id = ?";
    struct ct_leg legs[2];
    struct ct_entry e;
    const char *code = NULL;
    char desc[96];
    enum ct_err err;

    *booked = false;
    legs[0].account_id = account_id;
    legs[0].amount = -amount;
    /* the user's shard of the partner's fee income: fees of different users rarely wait on
     * each other's row lock */
    err = ct_fee_income_account(db, partner_id, currency, account_id, &legs[1].account_id);
    legs[1].amount = amount;
    if (err != CT_OK)
        return err;
    (void)snprintf(desc, sizeof(desc), "Fee: %s", what);
    memset(&e, 0, sizeof(e));
    e.partner_id = partner_id;
    e.kind = "fee";
    e.description = desc;
    e.currency = currency;
    e.legs = legs;
    e.nlegs = 2;
    err = ct_ledger_post(db, &e, entry_id, &code);
    if (err == CT_E_RULE && code != NULL &&
        (strcmp(code, "INSUFFICIENT_FUNDS") == 0 || strcmp(code, "ACCOUNT_CLOSED") == 0))
        return CT_OK;
    if (err == CT_OK)
        err = ct_db_exec(db, sql, NULL, "ll", *entry_id, charge_id);
    *booked = err == CT_OK;
    return err;
}

enum ct_err
ct_fee_charge_event(struct ct_db *db, const struct ct_fee_event_ref *ref, struct ct_fee_result *out)
{
    static const char sql[] =
        "INSERT INTO fee_charge (partner_id, event, account_id, card_id, period, currency, "
        "base_amount, amount, fixed, rate_bp, reference, status) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'due')";
    struct ct_fee_rule rule;
    bool found = false, booked = false;
    char what[96];
    enum ct_err err;

    memset(out, 0, sizeof(*out));
    if (!ref_valid(ref))
        return CT_E_BADREQ;
    err = rule_load(db, ref, &rule, &found);
    if (err != CT_OK || !found)
        return err;
    if (ct_fee_compute(&rule, ref->amount, &out->amount) != CT_OK)
        return CT_E_BADREQ;
    if (out->amount == 0)
        return CT_OK; /* a free event leaves no row */
    /* the row first: for a monthly fee its unique key is the claim on the period */
    err = ct_db_exec(db, sql, NULL, "lslssslllis", ref->partner_id, ct_fee_event_name(ref->event),
                     ref->account_id, ref->card_id != NULL ? ref->card_id : "", ref->period,
                     ref->currency, ref->amount, out->amount, rule.fixed, (int)rule.rate_bp,
                     ref->reference);
    if (err == CT_E_CONFLICT && ref->period != NULL) {
        out->status = CT_FEE_ALREADY;
        return CT_OK;
    }
    if (err != CT_OK)
        return err;
    out->charge_id = ct_db_last_id(db);
    (void)snprintf(what, sizeof(what), "%s%s%s", ct_fee_event_name(ref->event),
                   ref->period != NULL ? " " : "", ref->period != NULL ? ref->period : "");
    err = book(db, out->charge_id, ref->partner_id, ref->account_id, ref->currency, out->amount,
               what, &booked, &out->entry_id);
    if (err == CT_OK)
        out->status = booked ? CT_FEE_CHARGED : CT_FEE_DUE;
    return err;
}

/* ---- batches ---------------------------------------------------------------------------- */

static enum ct_err
charge_unit(struct ct_db *db, void *arg)
{
    struct charge_ctx *c = arg;

    return ct_fee_charge_event(db, c->ref, &c->res);
}

static void
run_count(struct ct_fee_run *run, enum ct_err err, const struct ct_fee_result *res,
          const char *what)
{
    if (err != CT_OK) {
        ct_log(LOG_ERR, "fees: %s failed (%s); the next run retries", what, ct_err_code(err));
        run->failed++;
    } else if (res->status == CT_FEE_CHARGED)
        run->charged++;
    else if (res->status == CT_FEE_DUE)
        run->due++;
    else if (res->status == CT_FEE_ALREADY)
        run->already++;
}

/* Claim the row (due -> charged, under its lock: a second collector finds nothing to claim), then
 * book it; when the account still cannot cover it, CT_E_RULE rolls the claim back. */
static enum ct_err
collect_unit(struct ct_db *db, void *arg)
{
    static const char sql_claim[] = "UPDATE fee_charge SET status = 'charged' "
                                    "WHERE id = ? AND status = 'due'";
    static const char sql_row[] = "SELECT partner_id, account_id, currency, amount, event, period "
                                  "FROM fee_charge WHERE id = ?";
    struct collect_ctx *c = arg;
    struct ct_rows *r = NULL;
    int64_t partner_id = 0, account_id = 0, amount = 0, entry_id = 0;
    uint64_t claimed = 0;
    char what[96], currency[4];
    enum ct_err err;

    c->charged = c->gone = false;
    err = ct_db_exec(db, sql_claim, &claimed, "l", c->id);
    if (err != CT_OK || claimed == 0) {
        c->gone = err == CT_OK;
        return err;
    }
    err = ct_db_query(db, sql_row, &r, "l", c->id);
    if (err == CT_OK && (ct_rows_count(r) != 1 || !ct_rows_i64(r, 0, 0, &partner_id) ||
                         !ct_rows_i64(r, 0, 1, &account_id) || !ct_rows_i64(r, 0, 3, &amount)))
        err = CT_E_INTERNAL;
    if (err == CT_OK) {
        (void)snprintf(currency, sizeof(currency), "%s", ct_rows_str(r, 0, 2));
        (void)snprintf(what, sizeof(what), "%s%s%s", ct_rows_str(r, 0, 4),
                       ct_rows_str(r, 0, 5) != NULL ? " " : "",
                       ct_rows_str(r, 0, 5) != NULL ? ct_rows_str(r, 0, 5) : "");
    }
    ct_rows_free(r);
    if (err == CT_OK)
        err =
            book(db, c->id, partner_id, account_id, currency, amount, what, &c->charged, &entry_id);
    return err == CT_OK && !c->charged ? CT_E_RULE : err;
}

enum ct_err
ct_fee_collect_due(struct ct_db *db, ct_fee_go_fn go, void *arg, struct ct_fee_run *run)
{
    /* only those whose account seems to cover them now: a fee that stays due costs no unit at
     * every run (the unit checks again, under the locks) */
    static const char sql[] =
        "SELECT fc.id FROM fee_charge fc JOIN ledger_account a ON a.id = fc.account_id "
        "WHERE fc.status = 'due' AND fc.id > ? AND a.balance - a.held + a.overdraft >= fc.amount "
        "ORDER BY fc.id LIMIT 200"; /* BATCH */
    struct ct_rows *r = NULL;
    int64_t last = 0;
    size_t i, n;
    enum ct_err err;

    memset(run, 0, sizeof(*run));
    do {
        err = ct_db_query(db, sql, &r, "l", last);
        n = err == CT_OK ? ct_rows_count(r) : 0;
        for (i = 0; i < n && (go == NULL || go(arg)); i++) {
            struct collect_ctx c = {0, false, false};
            enum ct_err e;

            if (!ct_rows_i64(r, i, 0, &c.id)) {
                err = CT_E_INTERNAL;
                break;
            }
            last = c.id;
            e = ct_db_txn(db, collect_unit, &c);
            if (e == CT_OK && !c.gone)
                run->charged++;
            else if (e == CT_E_RULE)
                run->due++;
            else if (e != CT_OK) {
                ct_log(LOG_ERR, "fees: collecting fee %lld failed (%s); the next run retries",
                       (long long)c.id, ct_err_code(e));
                run->failed++;
            }
        }
        ct_rows_free(r);
        r = NULL;
    } while (err == CT_OK && n == BATCH && i == n);
    return err;
}

bool
ct_fee_period_valid(const char *text)
{
    int i;

    if (text == NULL || strlen(text) != 7 || text[4] != '-')
        return false;
    for (i = 0; i < 7; i++)
        if (i != 4 && (text[i] < '0' || text[i] > '9'))
            return false;
    return text[0] >= '2' && ((text[5] == '0' && text[6] >= '1') ||
                              (text[5] == '1' && text[6] >= '0' && text[6] <= '2'));
}

enum ct_err
ct_fee_period_end(const char *period, char out[32])
{
    int y, m;

    if (!ct_fee_period_valid(period))
        return CT_E_BADREQ;
    y = (period[0] - '0') * 1000 + (period[1] - '0') * 100 + (period[2] - '0') * 10 +
        (period[3] - '0');
    m = (period[5] - '0') * 10 + (period[6] - '0');
    if (m == 12) {
        y++;
        m = 0;
    }
    if (y > 9999)
        return CT_E_BADREQ;
    (void)snprintf(out, 32, "%04d-%02d-01 00:00:00", y, m + 1);
    return CT_OK;
}

enum ct_err
ct_fee_monthly_accounts(struct ct_db *db, const char *period, ct_fee_go_fn go, void *arg,
                        struct ct_fee_run *run)
{
    /* balances of partners with a monthly rule in their currency, opened before the period's
     * end, without a fee of the period yet (the unique key settles any race) */
    static const char sql[] =
        "SELECT b.partner_id, b.account_id, b.currency, b.id FROM balance b "
        "JOIN fee_rule fr ON fr.partner_id = b.partner_id AND fr.event = 'monthly_account' "
        "AND fr.currency = b.currency AND fr.fixed > 0 "
        "LEFT JOIN fee_charge fc ON fc.account_id = b.account_id AND fc.event = 'monthly_account' "
        "AND fc.card_id = '' AND fc.period = ? "
        "WHERE b.status = 'active' AND b.created_at < ? AND b.account_id > ? AND fc.id IS NULL "
        "ORDER BY b.account_id LIMIT 200"; /* BATCH */
    struct ct_rows *r = NULL;
    char end[32];
    int64_t last = 0;
    size_t i, n;
    enum ct_err err;

    memset(run, 0, sizeof(*run));
    err = ct_fee_period_end(period, end);
    if (err != CT_OK)
        return err;
    do {
        err = ct_db_query(db, sql, &r, "ssl", period, end, last);
        n = err == CT_OK ? ct_rows_count(r) : 0;
        for (i = 0; i < n && (go == NULL || go(arg)); i++) {
            struct ct_fee_event_ref ref = {0,   CT_FEE_MONTHLY_ACCOUNT, 0, NULL, 0, NULL, period,
                                           NULL};
            struct charge_ctx c = {&ref, {0, 0, 0, 0}};

            if (!ct_rows_i64(r, i, 0, &ref.partner_id) || !ct_rows_i64(r, i, 1, &ref.account_id)) {
                err = CT_E_INTERNAL;
                break;
            }
            last = ref.account_id;
            ref.currency = ct_rows_str(r, i, 2);
            ref.reference = ct_rows_str(r, i, 3);
            run_count(run, ct_db_txn(db, charge_unit, &c), &c.res, "a monthly account fee");
        }
        ct_rows_free(r);
        r = NULL;
    } while (err == CT_OK && n == BATCH && i == n);
    return err;
}

enum ct_err
ct_fee_monthly_cards(struct ct_db *db, const struct ct_fee_card *cards, size_t n,
                     const char *period, ct_fee_go_fn go, void *arg, struct ct_fee_run *run)
{
    size_t i;

    memset(run, 0, sizeof(*run));
    if (!ct_fee_period_valid(period))
        return CT_E_BADREQ;
    for (i = 0; i < n && (go == NULL || go(arg)); i++) {
        struct ct_fee_event_ref ref = {cards[i].partner_id,
                                       CT_FEE_MONTHLY_CARD,
                                       cards[i].account_id,
                                       cards[i].currency,
                                       0,
                                       cards[i].card_id,
                                       period,
                                       cards[i].card_id};
        struct charge_ctx c = {&ref, {0, 0, 0, 0}};

        if (cards[i].card_id == NULL || cards[i].card_id[0] == '\0')
            return CT_E_BADREQ;
        run_count(run, ct_db_txn(db, charge_unit, &c), &c.res, "a monthly card fee");
    }
    return CT_OK;
}

enum ct_err
ct_fee_monthly(struct ct_db *db, const char *period, ct_fee_go_fn go, void *arg,
               struct ct_fee_run *run)
{
    struct ct_fee_run cards;
    enum ct_err err = ct_fee_monthly_accounts(db, period, go, arg, run);

    if (err != CT_OK)
        return err;
    err = ct_card_monthly_fees(db, period, go, arg, &cards);
    run->charged += cards.charged;
    run->due += cards.due;
    run->already += cards.already;
    run->failed += cards.failed;
    return err;
}

bool
ct_fee_period_last(int64_t now_usec, char out[8])
{
    time_t t = (time_t)(now_usec / 1000000);
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL)
        return false;
    /* tm_mon is 0-based, so it is last month's 1-based number (0: December of last year) */
    return snprintf(out, 8, "%04d-%02d", tm.tm_mon == 0 ? tm.tm_year + 1899 : tm.tm_year + 1900,
                    tm.tm_mon == 0 ? 12 : tm.tm_mon) == 7;
}
