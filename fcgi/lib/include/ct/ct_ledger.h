/* ct_ledger.h - the double-entry ledger: accounts, entries, postings, holds, idempotency.
 * The only code in comptoir that writes balances, postings or holds. */
#ifndef CT_LEDGER_H
#define CT_LEDGER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ct/ct_db.h"
#include "ct/ct_err.h"

enum ct_account_kind {
    CT_ACCT_USER_BALANCE = 1,
    CT_ACCT_PARTNER_CREDIT,
    CT_ACCT_PARTNER_DEPOSIT,
    CT_ACCT_TECHNICAL,
    CT_ACCT_BANK_INTERNAL,
    CT_ACCT_FEE_INCOME, /* a partner's fee income (ct_fee.h) */
};
/* "user_balance", "partner_credit", ... (the SQL enum text); NULL for a bad value. */
const char *ct_account_kind_name(enum ct_account_kind kind);

struct ct_account {
    int64_t id;
    int64_t partner_id; /* 0 for the bank's own accounts */
    enum ct_account_kind kind;
    char currency[4];
    int64_t balance;   /* posted */
    int64_t held;      /* sum of active holds */
    int64_t overdraft; /* how far below zero `available` may go; 0 for user balances */
    bool unbounded;    /* bank-side accounts that may go negative (funding, clearing) */
    int64_t available; /* balance - held + overdraft */
};

/* Every function below that changes data must run inside ct_db_txn(). Domain refusals are
 * CT_E_RULE with *code (static, may be NULL on other errors) set to a stable upper-case code:
 * INSUFFICIENT_FUNDS, CURRENCY_MISMATCH, UNBALANCED_ENTRY, HOLD_NOT_ACTIVE, ... */

enum ct_err ct_ledger_account_open(struct ct_db *db, int64_t partner_id, enum ct_account_kind kind,
                                   const char *currency, bool unbounded, int64_t *id);
enum ct_err ct_ledger_account_get(struct ct_db *db, int64_t id, struct ct_account *out);
/* Posted balance at time `at_usec` (microseconds since the epoch, UTC): balance_after of the last
 * posting booked at or before it, 0 before the first. */
enum ct_err ct_ledger_balance_at(struct ct_db *db, int64_t account_id, int64_t at_usec,
                                 int64_t *balance);

struct ct_leg {
    int64_t account_id;
    int64_t amount; /* signed minor units: negative debits the account, positive credits it */
};
struct ct_entry {
    int64_t partner_id;      /* tenant the entry belongs to (0 = bank) */
    const char *kind;        /* "reload", "transfer", "fee", ... (<= 32 chars) */
    const char *description; /* free text, <= 255 chars, may be NULL */
    const char *currency;    /* every leg's account must be in it */
    const struct ct_leg *legs;
    size_t nlegs;   /* 2..32, amounts non-zero, summing to zero */
    int64_t *after; /* optional out: nlegs running balances after the entry, in the
                       order of legs (NULL when not wanted) */
};
/* Book one journal entry: checks the legs, then updates the accounts in ascending id order (a
 * fixed lock order, so concurrent entries cannot deadlock each other), debits with a conditional
 * UPDATE that refuses to pass the account's floor (INSUFFICIENT_FUNDS), and writes one posting per
 * leg with the account's running balance after it. */
enum ct_err ct_ledger_post(struct ct_db *db, const struct ct_entry *e, int64_t *entry_id,
                           const char **code);

/* Holds reduce `available` until captured, released or expired. */
enum ct_err ct_ledger_hold(struct ct_db *db, int64_t account_id, int64_t amount,
                           int64_t expires_usec, const char *reference, int64_t *hold_id,
                           const char **code);
enum ct_err ct_ledger_hold_release(struct ct_db *db, int64_t hold_id, const char **code);
/* Capture up to the held amount into an entry that credits `to_account`; the remainder is
 * released. */
enum ct_err ct_ledger_hold_capture(struct ct_db *db, int64_t hold_id, int64_t amount,
                                   int64_t to_account, const char *kind, int64_t *entry_id,
                                   const char **code);
/* Release every active hold whose expiry passed; *count gets how many. */
enum ct_err ct_ledger_hold_expire(struct ct_db *db, int64_t now_usec, uint64_t *count);

/* Idempotency. The answer is recorded as the last write of the unit of work that made it, so a
 * fresh key costs one statement and a failed attempt leaves nothing (the rollback takes it too).
 * - ct_idem_record, inside the unit after the work, as its last statement: it is sent with the
 *   COMMIT (ct_db_exec_last), so when the key is already recorded (a twin committed first)
 *   ct_db_txn returns CT_E_CONFLICT with the unit rolled back: answer ct_idem_find's.
 * - ct_idem_find, outside any unit: the committed answer for the key, if any (replay->found;
 *   replay->body is heap, caller frees with free()), or CT_E_CONFLICT with *code
 *   IDEMPOTENCY_KEY_REUSED when the key was recorded for another request hash.
 * A twin running while the first attempt is in flight either waits on the rows the first one
 * locked and then fails (at its record, or on a rule the first one's effects now break), or
 * waits at its record on the first one's uncommitted key; a caller that looks the key up after
 * any refusal therefore answers every twin with the first answer (ct_req_idempotent does). */
struct ct_idem_replay {
    bool found;
    int status;
    char *body;
};
enum ct_err ct_idem_record(struct ct_db *db, const char *scope, const char *key,
                           const unsigned char hash[32], int status, const char *body);
enum ct_err ct_idem_find(struct ct_db *db, const char *scope, const char *key,
                         const unsigned char hash[32], struct ct_idem_replay *replay,
                         const char **code);

/* The invariants of DESIGN.md section 3. Returns the number of violations (0 = healthy) and
 * writes one line per violation (at most `max_lines`) to `report` (may be NULL), or -1 when the
 * database could not be read. */
long ct_ledger_check(struct ct_db *db, void (*report)(const char *line, void *arg), void *arg,
                     long max_lines);

#endif /* CT_LEDGER_H */
