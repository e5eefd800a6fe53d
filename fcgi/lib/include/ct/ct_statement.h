/* ct_statement.h - monthly account statements: computed from the ledger's running balances,
 * stored once per user balance and month, rendered as PDF and camt.053, listed per customer. */
#ifndef CT_STATEMENT_H
#define CT_STATEMENT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include "ct/ct_db.h"
#include "ct/ct_err.h"
#include "ct/ct_iban.h"
#include "ct/ct_util.h"

/* Balances a customer may see: owned, or declared as a trusted third party (sql/0008). Use as
 * "... FROM balance b WHERE b.partner_id = ? AND " CT_SQL_BALANCE_VISIBLE with the customer id
 * bound twice. */
#define CT_SQL_BALANCE_VISIBLE                                                                     \
    "(b.customer_id = ? OR EXISTS (SELECT 1 FROM balance_third_party t "                           \
    "WHERE t.balance_id = b.id AND t.customer_id = ?))"

/* One operation of the month: a ledger posting on the account. */
struct ct_stmt_line {
    int64_t posting_id;
    char booked_at[32]; /* DATETIME(6) text, UTC */
    char kind[33];      /* ledger_entry.kind */
    char label[256];    /* ledger_entry.description, or the kind when there is none */
    int64_t amount;     /* signed minor units: < 0 debit, > 0 credit */
};

struct ct_stmt {
    int64_t id; /* 0 until stored */
    int64_t partner_id;
    char balance_id[CT_UUID_LEN + 1];
    int64_t account_id;
    int year, month;
    char currency[4];
    int64_t opening, closing; /* balance before the month, balance at its end (eom_balance) */
    int64_t total_credit, total_debit; /* both >= 0 */
    int credit_count, debit_count;
    char generated_at[32]; /* DATETIME(6) text */
    char pdf_sha256[65], camt_sha256[65];
    /* who and what the documents show */
    char bank_name[129]; /* the partner's name: the bank the customer sees */
    char holder[202];    /* "First Last" */
    char iban[CT_IBAN_MAX + 1];
    char bic[12];
    /* the month's operations, oldest first (heap, ct_stmt_free); only after ct_stmt_compute() */
    struct ct_stmt_line *lines;
    size_t nlines;
};

void ct_stmt_free(struct ct_stmt *st); /* NULL-safe: frees lines, keeps the rest */

/* "YYYY-MM" to year and month (1..12, year 2000..9998); false for anything else. */
bool ct_stmt_parse_month(const char *text, int *year, int *month);
/* First instant of the month and of the next one, DATETIME(6) text (32 bytes each). */
void ct_stmt_window(int year, int month, char start[32], char end[32]);

/* Fill st->account_id's month: opening = balance_after of the last posting booked before the
 * month (0 if none), closing = that of the last posting before the next month, and every posting
 * in between. CT_E_INTERNAL when opening + postings != closing (a broken ledger: logged).
 * st->account_id, year and month must be set. */
enum ct_err ct_stmt_compute(struct ct_db *db, struct ct_stmt *st);

/* Statement of a user balance for a month, made once: inside one transaction (ct_db_txn inside),
 * if the (account, month) row exists *created is false and *id is its id; otherwise computes it,
 * stores the row, writes the PDF and camt.053 files under files_dir/statements/ and records
 * their SHA-256. CT_E_NOTFOUND for an unknown balance; CT_E_RULE when the month has not ended. */
enum ct_err ct_stmt_generate(struct ct_db *db, const char *files_dir, const char *balance_id,
                             int year, int month, int64_t *id, bool *created);

/* One balance's outcome in ct_stmt_make_month: err CT_OK with the statement's id and whether this
 * call made it, or the error of that balance (id 0). Return false to stop the run there (the
 * statements made so far stay: each is its own transaction). */
typedef bool (*ct_stmt_month_fn)(const char *balance_id, int64_t id, bool created, enum ct_err err,
                                 void *arg);

struct ct_stmt_month {
    size_t balances; /* balances listed (and reported, unless the callback stopped the run) */
    size_t created, failed;
};

/* Make the statements of month year-month: for every user balance opened before the month ended
 * (only balance_id when not NULL), ct_stmt_generate, then report (may be NULL) with the outcome.
 * missing_only lists only the balances that have no statement for the month yet (a cheap check
 * when nothing is missing); otherwise existing ones are reported with created false. Safe to run
 * again and from several processes at once. CT_E_RULE when the month has not ended (nothing is
 * made); an error listing the balances is returned as is; a balance that fails is counted in
 * out->failed and the run goes on. out (written on CT_OK and on a stopped run) may be NULL. */
enum ct_err ct_stmt_make_month(struct ct_db *db, const char *files_dir, int year, int month,
                               const char *balance_id, bool missing_only, ct_stmt_month_fn report,
                               void *arg, struct ct_stmt_month *out);

/* The stored statement `id` if the customer may see its balance (CT_E_NOTFOUND otherwise), with
 * the bank, holder and account filled; lines are not loaded (ct_stmt_compute for them). */
enum ct_err ct_stmt_get(struct ct_db *db, int64_t partner_id, const char *customer_id, int64_t id,
                        struct ct_stmt *out);

/* One page of the statements the customer may see, newest month first; year 0 = every year.
 * On CT_OK *out is a caller-owned array of *n (free()); *total counts every match. */
enum ct_err ct_stmt_list(struct ct_db *db, int64_t partner_id, const char *customer_id, int year,
                         int64_t page, int64_t per_page, struct ct_stmt **out, size_t *n,
                         int64_t *total);

/* Path of a statement file: kind "pdf" or "xml". out holds outsz bytes; false when it does not
 * fit. */
bool ct_stmt_path(const char *files_dir, int64_t id, const char *kind, char *out, size_t outsz);
/* Read a statement file and check it against the stored SHA-256 (hex). On CT_OK *data is heap
 * memory (free()) of *len bytes. CT_E_INTERNAL (logged) when missing, unreadable or altered. */
enum ct_err ct_stmt_read_file(const char *files_dir, const struct ct_stmt *st, const char *kind,
                              unsigned char **data, size_t *len);

/* Seed 001 Statement: {id, month, year, eom_balance (number, currency units), currency,
 * balance_id, opening_balance, generated_at, document {updated_at, filename, mime_type, url},
 * document_url}. */
struct json_object *ct_stmt_json(const struct ct_stmt *st);
/* "statement-2026-10-12.pdf" style name for the files (ext "pdf" or "xml"); out 64 bytes. */
void ct_stmt_filename(const struct ct_stmt *st, const char *ext, char out[64]);

#endif /* CT_STATEMENT_H */
