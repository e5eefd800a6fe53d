/* ct_operation.h - operations: the customer's view of ledger postings (done) and of active holds
 * (upcoming) on an account, with the enrichment the ledger does not hold (operation_meta). */
#ifndef CT_OPERATION_H
#define CT_OPERATION_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ct/ct_db.h"
#include "ct/ct_err.h"
#include "ct/ct_json.h"

/* Identifiers. A done operation's id is its posting id (> 0). An upcoming operation is an active
 * hold and its id is minus the hold id (< 0), so the two never collide and GET /operations/{id}
 * resolves both. */

/* The accounts a caller may see (ledger account id and currency); the list functions never look
 * at any other account. */
struct ct_op_account {
    int64_t id;
    char currency[4];
};

struct ct_operation {
    int64_t id;
    int64_t account_id;
    char currency[4];
    int64_t amount;      /* signed minor units: < 0 debits the account */
    bool upcoming;       /* an active hold, not booked yet */
    char label[256];     /* entry description (hold reference), or a label made from the kind */
    char category[33];   /* customer override, else from the kind (operation_kind), else other */
    int afb_code;        /* from the kind and direction, 91 when unknown */
    int64_t created_at;  /* Unix seconds: the entry's (hold's) creation */
    int64_t executed_at; /* Unix seconds: booking time; 0 for upcoming */
    int64_t updated_at;  /* Unix seconds: latest of booking and enrichment */
    char comment[1025];  /* "" when none */
    bool has_vat;
    int64_t vat_amount;      /* minor units */
    int64_t vat_rate_bp;     /* hundredths of a percent: 2000 = 20 % */
    int64_t vat_category_id; /* 0 when none */
    int64_t attachments;     /* files attached (operation_document rows) */
    struct ct_op_file {
        bool present;
        char filename[256];
        char mime_type[65];
        int64_t updated_at;
    } document, bill; /* the customer's document and the bank's bill, if attached */
};

/* Filters of GET /operations (seed 001). Set with ct_op_filter_init, then fill. */
struct ct_op_filter {
    bool upcoming;          /* active holds instead of postings */
    const char *search;     /* free text in label and comment (case and accent blind) */
    int type;               /* 0 any, 1 credit, -1 debit */
    const char *category;   /* NULL any */
    int afb_code;           /* 0 any */
    int card;               /* -1 any, 1 card operations (AFB 11), 0 the others */
    int attachment;         /* -1 any, 1 with an attached file (operation_document), 0 without */
    int64_t from_usec;      /* executed (or created, when upcoming) at or after; 0 = open */
    int64_t to_usec;        /* ... strictly before; 0 = open */
    int64_t min_e4, max_e4; /* magnitude bounds in 1/10000 currency units; -1 = open */
};
void ct_op_filter_init(struct ct_op_filter *f);

/* Parse a decimal amount in currency units ("12", "12.5", "0.0001") into 1/10000 units, exactly.
 * false for a sign, an exponent, more than 4 decimals, more than 14 integer digits or NULL. */
bool ct_op_parse_e4(const char *text, int64_t *out);

/* One page (1-based, per_page >= 1) of the operations of the given accounts matching f, newest
 * first (booking time, then id); *total counts every match (X-Pagination-Total-Count). With one
 * account the page is one index range scan of ledger_posting (account_id, booked_at, id); with
 * several, each account gives its first page * per_page rows and they are merged. The page's
 * attached files come in one more query for its postings. A page past the last is CT_OK with *n
 * 0. On CT_OK *out is a caller-owned array (free(); NULL when *n is 0). */
enum ct_err ct_operation_list(struct ct_db *db, const struct ct_op_account *accts, size_t nacct,
                              const struct ct_op_filter *f, int64_t page, int64_t per_page,
                              struct ct_operation **out, size_t *n, int64_t *total);

/* The operation by id if it belongs to one of the accounts; CT_E_NOTFOUND otherwise (another
 * customer's operation is not found, not forbidden). */
enum ct_err ct_operation_get(struct ct_db *db, const struct ct_op_account *accts, size_t nacct,
                             int64_t id, struct ct_operation *out);

/* Writes the seed 001 Operation object to w (as an array element: the caller begins and ends the
 * array, or writes just the one object). `lang` picks category_label: "en" English, else French.
 * document/bill carry url /operations/{id}/document and /operations/{id}/bill. */
void ct_operation_write(struct ct_json *w, const struct ct_operation *op, const char *lang);

/* Whether `category` is one of seed 001's categories. */
bool ct_op_category_valid(const char *category);

#endif /* CT_OPERATION_H */
