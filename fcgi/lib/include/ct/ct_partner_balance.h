/* ct_partner_balance.h - a partner's own balances (seed 003): credit (user reloads are charged to
 * it), deposit (card payments will be), technical (money no user balance can take), one of each
 * type per currency. Each is a set of ledger accounts (shards) so that movements of different
 * users do not all queue on one row lock; the balance is their sum. Money moves only through
 * ct_ledger_post. */
#ifndef CT_PARTNER_BALANCE_H
#define CT_PARTNER_BALANCE_H
#include <stdint.h>
#include <json-c/json.h>
#include "ct/ct_db.h"
#include "ct/ct_util.h"

enum ct_pbal_type {
    CT_PBAL_CREDIT = 1,
    CT_PBAL_DEPOSIT,
    CT_PBAL_TECHNICAL,
};
/* "credit", "deposit", "technical"; NULL for a bad value. */
const char *ct_pbal_type_name(enum ct_pbal_type type);
/* The type named by lower-case text, 0 when none. */
enum ct_pbal_type ct_pbal_type_from_name(const char *name);

struct ct_pbal {
    char id[CT_UUID_LEN + 1];
    int64_t partner_id;
    enum ct_pbal_type type;
    char currency[4];
    int shards;
    int64_t balance;   /* posted, summed over the shards */
    int64_t available; /* balance - held + overdraft, summed */
    char created_at[32];
};

/* Inside a transaction: opens the partner's balance of `type` in `currency` (credit and deposit
 * open the currency's technical balance with them, if missing). CT_E_CONFLICT with *code
 * PARTNER_BALANCE_EXISTS when there is one. */
enum ct_err ct_pbal_open(struct ct_db *db, int64_t partner_id, enum ct_pbal_type type,
                         const char *currency, struct ct_pbal *out, const char **code);
/* The partner's balance by public id (CT_E_NOTFOUND for another partner's). */
enum ct_err ct_pbal_get(struct ct_db *db, int64_t partner_id, const char *id, struct ct_pbal *out);
/* Every balance of the partner (partner_id 0: of every partner), by currency then type. On
 * CT_OK *out is a caller-owned array of *n items (free()). */
enum ct_err ct_pbal_list(struct ct_db *db, int64_t partner_id, struct ct_pbal **out, size_t *n);

/* Inside a transaction: money received for the partner (the bank transfer of seed 003's diagram,
 * booked by an operator) from the partner's funding account in the currency to `pb`, spread
 * evenly over its shards. CT_E_RULE with *code TECHNICAL_BALANCE_NOT_RELOADABLE for a technical
 * balance. */
enum ct_err ct_pbal_reload(struct ct_db *db, const struct ct_pbal *pb, int64_t amount,
                           const char *description, int64_t *entry_id, const char **code);

/* A movement charged to a partner balance: `amount` from the partner's balance of `type` in the
 * currency to the ledger account `to_account`, as one entry of `kind`. `key` picks the shard
 * (the same key, the same shard). When the shard cannot cover it, the call answers CT_E_BUSY so
 * that ct_db_txn runs the unit of work again, and the second run evens the shards out under their
 * locks before it charges (call it only inside ct_db_txn): it is refused only when the whole
 * balance cannot cover it (CT_E_RULE, *code PARTNER_INSUFFICIENT_FUNDS), or when the partner has no
 * balance of that type in the currency (CT_E_RULE, *code PARTNER_BALANCE_MISSING). *to_after gets
 * the balance of `to_account` right after it. */
struct ct_pbal_charge {
    int64_t partner_id;
    enum ct_pbal_type type;
    const char *currency;
    int64_t key;
    int64_t to_account;
    int64_t amount;
    const char *kind;
    const char *description;
};
enum ct_err ct_pbal_charge(struct ct_db *db, const struct ct_pbal_charge *c, int64_t *entry_id,
                           int64_t *to_after, const char **code);

/* Sums per currency (seed 003 'Balance Summary'): every user balance, every partner balance, and
 * their total ("wallet"). partner_id 0: every partner. */
struct ct_pbal_summary {
    char currency[4];
    int64_t users;
    int64_t credit, deposit, technical;
    int64_t wallet; /* users + credit + deposit + technical */
};
enum ct_err ct_pbal_summary(struct ct_db *db, int64_t partner_id, struct ct_pbal_summary **out,
                            size_t *n);

/* {id, type, currency, balance, available, created_at}, amounts as decimal strings. */
struct json_object *ct_pbal_json(const struct ct_pbal *pb);
/* {currency, users, partner_credit, partner_deposit, technical, wallet}. */
struct json_object *ct_pbal_summary_json(const struct ct_pbal_summary *s);

#endif /* CT_PARTNER_BALANCE_H */
