/* partner_balance.c - a partner's credit, deposit and technical balances, each a set of ledger
 * accounts (shards) listed in partner_account, and the partner's funding account their reloads
 * come from. Money moves only through ct_ledger_post. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_balance.h"
#include "ct/ct_ledger.h"
#include "ct/ct_mem.h"
#include "ct/ct_money.h"
#include "ct/ct_partner_balance.h"
#include "ct/ct_req.h"

/* Credit and deposit balances are charged by every user's movement: split over this many ledger
 * accounts, a user always on the same one (by its account id), concurrent movements of different
 * users rarely wait on each other's row lock. A technical balance is moved rarely: one account. */
#define PBAL_SHARDS 16
/* partner_account.role of the bank-side account a partner's money arrives on (unbounded: it is
 * the other side of the bank transfer, outside the ledger's view) */
#define ROLE_FUNDING 0

static const char *role_name(int role);
static int shards_of(enum ct_pbal_type type);
static bool cache_get(int64_t partner_id, const char *currency, int role, int shard,
                      int64_t *account_id);
static void cache_put(int64_t partner_id, const char *currency, int role, int shard,
                      int64_t account_id);
static enum ct_err shard_account(struct ct_db *db, int64_t partner_id, const char *currency,
                                 int role, int shard, int64_t *account_id);
static enum ct_err funding_account(struct ct_db *db, int64_t partner_id, const char *currency,
                                   int64_t *account_id);
static enum ct_err open_one(struct ct_db *db, int64_t partner_id, enum ct_pbal_type type,
                            const char *currency, char id[CT_UUID_LEN + 1]);
static enum ct_err pbal_query(struct ct_db *db, const char *where, int64_t partner_id,
                              const char *id, struct ct_pbal **out, size_t *n);
static enum ct_err even_out(struct ct_db *db, const struct ct_pbal_charge *c, int64_t shard_acct,
                            const char **code);
static enum ct_err charge_once(struct ct_db *db, const struct ct_pbal_charge *c, int64_t from,
                               int64_t *entry_id, int64_t *to_after, const char **code);

static const char *const type_names[] = {NULL, "credit", "deposit", "technical"};

const char *
ct_pbal_type_name(enum ct_pbal_type type)
{
    return type >= CT_PBAL_CREDIT && type <= CT_PBAL_TECHNICAL ? type_names[type] : NULL;
}

enum ct_pbal_type
ct_pbal_type_from_name(const char *name)
{
    int t;

    for (t = CT_PBAL_CREDIT; name != NULL && t <= CT_PBAL_TECHNICAL; t++)
        if (strcmp(type_names[t], name) == 0)
            return (enum ct_pbal_type)t;
    return 0;
}

/* partner_account.role text: the balance types and the funding account. */
static const char *
role_name(int role)
{
    return role == ROLE_FUNDING ? "funding" : ct_pbal_type_name((enum ct_pbal_type)role);
}

static int
shards_of(enum ct_pbal_type type)
{
    return type == CT_PBAL_TECHNICAL ? 1 : PBAL_SHARDS;
}

/* ---- which ledger account is which ------------------------------------------------------- */

/* (partner, currency, role, shard) -> account never changes once made, so a worker keeps the
 * ones it has seen; another worker or host that has not seen one reads it from the table. */
#define ACCOUNT_CACHE 256
static struct {
    int64_t partner_id;
    char currency[4];
    int role;
    int shard;
    int64_t account_id;
} cache[ACCOUNT_CACHE];
static size_t cached;

static bool
cache_get(int64_t partner_id, const char *currency, int role, int shard, int64_t *account_id)
{
    size_t i;

    for (i = 0; i < cached; i++)
        if (cache[i].partner_id == partner_id && cache[i].role == role && cache[i].shard == shard &&
            strcmp(cache[i].currency, currency) == 0) {
            *account_id = cache[i].account_id;
            return true;
        }
    return false;
}

static void
cache_put(int64_t partner_id, const char *currency, int role, int shard, int64_t account_id)
{
    size_t i = cached < ACCOUNT_CACHE ? cached++ : (size_t)account_id % ACCOUNT_CACHE;

    cache[i].partner_id = partner_id;
    (void)snprintf(cache[i].currency, sizeof(cache[i].currency), "%s", currency);
    cache[i].role = role;
    cache[i].shard = shard;
    cache[i].account_id = account_id;
}

/* The ledger account of one shard; CT_E_NOTFOUND when the partner has none. */
static enum ct_err
shard_account(struct ct_db *db, int64_t partner_id, const char *currency, int role, int shard,
              int64_t *account_id)
{
    static const char sql[] = "SELECT account_id FROM partner_account WHERE partner_id = ? "
                              "AND currency = ? AND role = ? AND shard = ?";
    struct ct_rows *rows = NULL;
    enum ct_err err;

    if (cache_get(partner_id, currency, role, shard, account_id))
        return CT_OK;
    err = ct_db_query(db, sql, &rows, "lssi", partner_id, currency, role_name(role), shard);
    if (err == CT_OK && (ct_rows_count(rows) != 1 || !ct_rows_i64(rows, 0, 0, account_id)))
        err = CT_E_NOTFOUND;
    ct_rows_free(rows);
    if (err == CT_OK)
        cache_put(partner_id, currency, role, shard, *account_id);
    return err;
}

/* The partner's funding account in a currency, opened on first use. Two first uses racing both
 * open an account; the loser's partner_account insert fails on the primary key and the whole
 * unit is re-run (CT_E_BUSY), finding the winner's account. */
static enum ct_err
funding_account(struct ct_db *db, int64_t partner_id, const char *currency, int64_t *account_id)
{
    static const char sql_ins[] = "INSERT INTO partner_account (partner_id, currency, role, "
                                  "shard, account_id) VALUES (?, ?, 'funding', 0, ?)";
    enum ct_err err;

    err = shard_account(db, partner_id, currency, ROLE_FUNDING, 0, account_id);
    if (err != CT_E_NOTFOUND)
        return err;
    err = ct_ledger_account_open(db, partner_id, CT_ACCT_BANK_INTERNAL, currency, true, account_id);
    if (err == CT_OK)
        err = ct_db_exec(db, sql_ins, NULL, "lsl", partner_id, currency, *account_id);
    /* not cached yet: the transaction may still roll back */
    return err == CT_E_CONFLICT ? CT_E_BUSY : err;
}

/* ---- opening and reading ------------------------------------------------------------------ */

static const enum ct_account_kind kinds[] = {0, CT_ACCT_PARTNER_CREDIT, CT_ACCT_PARTNER_DEPOSIT,
                                             CT_ACCT_TECHNICAL};

static enum ct_err
open_one(struct ct_db *db, int64_t partner_id, enum ct_pbal_type type, const char *currency,
         char id[CT_UUID_LEN + 1])
{
    static const char sql_bal[] = "INSERT INTO partner_balance (id, partner_id, type, currency, "
                                  "shards, created_at) VALUES (?, ?, ?, ?, ?, NOW(6))";
    static const char sql_acct[] = "INSERT INTO partner_account (partner_id, currency, role, "
                                   "shard, account_id) VALUES (?, ?, ?, ?, ?)";
    const char *name = ct_pbal_type_name(type);
    enum ct_err err;
    int64_t acct;
    int shard;

    err = ct_uuid_new(id);
    if (err == CT_OK)
        err =
            ct_db_exec(db, sql_bal, NULL, "slssi", id, partner_id, name, currency, shards_of(type));
    for (shard = 0; err == CT_OK && shard < shards_of(type); shard++) {
        err = ct_ledger_account_open(db, partner_id, kinds[type], currency, false, &acct);
        if (err == CT_OK)
            err = ct_db_exec(db, sql_acct, NULL, "lssil", partner_id, currency, name, shard, acct);
    }
    return err;
}

enum ct_err
ct_pbal_open(struct ct_db *db, int64_t partner_id, enum ct_pbal_type type, const char *currency,
             struct ct_pbal *out, const char **code)
{
    static const char sql_has[] = "SELECT 1 FROM partner_balance WHERE partner_id = ? "
                                  "AND type = ? AND currency = ?";
    struct ct_rows *rows = NULL;
    char id[CT_UUID_LEN + 1];
    enum ct_err err;
    bool tech;

    *code = NULL;
    if (ct_pbal_type_name(type) == NULL || ct_currency_find(currency) == NULL)
        return CT_E_BADREQ;
    err = ct_db_query(db, sql_has, &rows, "lss", partner_id, "technical", currency);
    tech = err == CT_OK && ct_rows_count(rows) == 1;
    ct_rows_free(rows);
    if (err != CT_OK)
        return err;
    err = open_one(db, partner_id, type, currency, id);
    if (err == CT_E_CONFLICT) {
        *code = "PARTNER_BALANCE_EXISTS";
        return err;
    }
    /* the technical balance of the currency comes with its first other balance; a race with
     * another first one ends on the unique key, and the unit is run again (CT_E_BUSY) */
    if (err == CT_OK && type != CT_PBAL_TECHNICAL && !tech) {
        char tid[CT_UUID_LEN + 1];

        err = open_one(db, partner_id, CT_PBAL_TECHNICAL, currency, tid);
        if (err == CT_E_CONFLICT)
            err = CT_E_BUSY;
    }
    return err == CT_OK ? ct_pbal_get(db, partner_id, id, out) : err;
}

#define PBAL_SELECT                                                                                \
    "SELECT pb.id, pb.partner_id, pb.type, pb.currency, pb.shards, pb.created_at, "                \
    "SUM(a.balance), SUM(a.balance - a.held + a.overdraft) FROM partner_balance pb "               \
    "JOIN partner_account pa ON pa.partner_id = pb.partner_id AND pa.currency = pb.currency "      \
    "AND pa.role = CAST(pb.type AS CHAR) JOIN ledger_account a ON a.id = pa.account_id "

/* Balances matching `where` (which uses ? for partner_id, then for id when id is not NULL). */
static enum ct_err
pbal_query(struct ct_db *db, const char *where, int64_t partner_id, const char *id,
           struct ct_pbal **out, size_t *n)
{
    char sql[1024];
    struct ct_rows *r = NULL;
    struct ct_pbal *v = NULL;
    enum ct_err err;
    size_t i, rows;

    (void)snprintf(sql, sizeof(sql), "%s%s GROUP BY pb.id ORDER BY pb.currency, pb.type",
                   PBAL_SELECT, where);
    err = id != NULL ? ct_db_query(db, sql, &r, "ls", partner_id, id)
                     : ct_db_query(db, sql, &r, "ll", partner_id, partner_id);
    if (err != CT_OK)
        return err;
    rows = ct_rows_count(r);
    v = rows > 0 ? ct_calloc(rows, sizeof(*v)) : NULL;
    if (rows > 0 && v == NULL)
        err = CT_E_INTERNAL;
    for (i = 0; err == CT_OK && i < rows; i++) {
        int64_t shards = 0;

        (void)snprintf(v[i].id, sizeof(v[i].id), "%s", ct_rows_str(r, i, 0));
        v[i].type = ct_pbal_type_from_name(ct_rows_str(r, i, 2));
        (void)snprintf(v[i].currency, sizeof(v[i].currency), "%s", ct_rows_str(r, i, 3));
        ct_time_from_db(ct_rows_str(r, i, 5), v[i].created_at);
        if (!ct_rows_i64(r, i, 1, &v[i].partner_id) || !ct_rows_i64(r, i, 4, &shards) ||
            !ct_rows_i64(r, i, 6, &v[i].balance) || !ct_rows_i64(r, i, 7, &v[i].available) ||
            v[i].type == 0)
            err = CT_E_INTERNAL;
        v[i].shards = (int)shards;
    }
    ct_rows_free(r);
    if (err != CT_OK) {
        free(v);
        return err;
    }
    *out = v;
    *n = rows;
    return CT_OK;
}

enum ct_err
ct_pbal_get(struct ct_db *db, int64_t partner_id, const char *id, struct ct_pbal *out)
{
    struct ct_pbal *v = NULL;
    size_t n = 0;
    enum ct_err err;

    if (id == NULL || !ct_uuid_valid(id))
        return CT_E_NOTFOUND;
    err = pbal_query(db, "WHERE pb.partner_id = ? AND pb.id = ?", partner_id, id, &v, &n);
    if (err == CT_OK && n != 1)
        err = CT_E_NOTFOUND;
    if (err == CT_OK)
        *out = v[0];
    free(v);
    return err;
}

enum ct_err
ct_pbal_list(struct ct_db *db, int64_t partner_id, struct ct_pbal **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    return pbal_query(db, "WHERE (? = 0 OR pb.partner_id = ?)", partner_id, NULL, out, n);
}

/* ---- moving money ------------------------------------------------------------------------- */

enum ct_err
ct_pbal_reload(struct ct_db *db, const struct ct_pbal *pb, int64_t amount, const char *description,
               int64_t *entry_id, const char **code)
{
    struct ct_leg legs[1 + PBAL_SHARDS];
    struct ct_entry e;
    size_t n = 1;
    int shard;
    enum ct_err err;

    *code = NULL;
    if (pb->type == CT_PBAL_TECHNICAL) {
        *code = "TECHNICAL_BALANCE_NOT_RELOADABLE";
        return CT_E_RULE;
    }
    if (pb->shards < 1 || pb->shards > PBAL_SHARDS || amount <= 0)
        return CT_E_BADREQ;
    err = funding_account(db, pb->partner_id, pb->currency, &legs[0].account_id);
    legs[0].amount = -amount;
    /* evenly over the shards, the remainder on the first ones: a shard's share only matters to
     * how soon it needs evening out, never to what the balance can cover */
    for (shard = 0; err == CT_OK && shard < pb->shards; shard++) {
        int64_t share = amount / pb->shards + (shard < amount % pb->shards ? 1 : 0);

        if (share == 0)
            continue;
        err = shard_account(db, pb->partner_id, pb->currency, pb->type, shard, &legs[n].account_id);
        legs[n++].amount = share;
    }
    if (err != CT_OK)
        return err == CT_E_NOTFOUND ? CT_E_INTERNAL : err;
    memset(&e, 0, sizeof(e));
    e.partner_id = pb->partner_id;
    e.kind = "partner_reload";
    e.description = description;
    e.currency = pb->currency;
    e.legs = legs;
    e.nlegs = n;
    return ct_ledger_post(db, &e, entry_id, code);
}

static enum ct_err
charge_once(struct ct_db *db, const struct ct_pbal_charge *c, int64_t from, int64_t *entry_id,
            int64_t *to_after, const char **code)
{
    struct ct_leg legs[2];
    int64_t after[2] = {0, 0};
    struct ct_entry e;
    enum ct_err err;

    legs[0].account_id = from;
    legs[0].amount = -c->amount;
    legs[1].account_id = c->to_account;
    legs[1].amount = c->amount;
    memset(&e, 0, sizeof(e));
    e.partner_id = c->partner_id;
    e.kind = c->kind;
    e.description = c->description;
    e.currency = c->currency;
    e.legs = legs;
    e.nlegs = 2;
    e.after = after;
    err = ct_ledger_post(db, &e, entry_id, code);
    if (err == CT_OK && to_after != NULL)
        *to_after = after[1];
    return err;
}

/* The charge's shard could not cover it: lock every shard, and when their sum covers the amount,
 * move money between them so that this shard holds the amount plus an even share of the rest and
 * the others an even share each. Refused (PARTNER_INSUFFICIENT_FUNDS) when the sum does not cover
 * it: read under the locks, that sum is exact, so a refusal is never caused by how the money was
 * spread. The locks are taken by an UPDATE that changes nothing (every shard, through the
 * (partner, kind, currency) index, in ascending id as every evening out does, so two of them
 * cannot deadlock), then read plainly: with a prepared SELECT ... FOR UPDATE, clients under
 * contention were seen waiting forever in mysql_stmt_execute while the server showed their
 * connections idle (docs/ledger.md, "Partner balances"). */
static enum ct_err
even_out(struct ct_db *db, const struct ct_pbal_charge *c, int64_t shard_acct, const char **code)
{
    static const char sql_lock[] = "UPDATE ledger_account SET balance = balance "
                                   "WHERE partner_id = ? AND kind = ? AND currency = ?";
    static const char sql[] = "SELECT id, balance - held + overdraft FROM ledger_account "
                              "WHERE partner_id = ? AND kind = ? AND currency = ? ORDER BY id";
    const char *kind = ct_account_kind_name(kinds[c->type]);
    struct ct_leg legs[PBAL_SHARDS];
    int64_t avail[PBAL_SHARDS], ids[PBAL_SHARDS], total = 0, rest, share;
    struct ct_rows *r = NULL;
    struct ct_entry e;
    size_t i, n, nlegs = 0;
    enum ct_err err;

    err = ct_db_exec(db, sql_lock, NULL, "lss", c->partner_id, kind, c->currency);
    if (err == CT_OK)
        err = ct_db_query(db, sql, &r, "lss", c->partner_id, kind, c->currency);
    if (err != CT_OK)
        return err;
    n = ct_rows_count(r);
    for (i = 0; i < n && i < PBAL_SHARDS; i++)
        if (!ct_rows_i64(r, i, 0, &ids[i]) || !ct_rows_i64(r, i, 1, &avail[i]) || avail[i] < 0 ||
            __builtin_add_overflow(total, avail[i], &total))
            err = CT_E_INTERNAL;
    ct_rows_free(r);
    if (err != CT_OK || n == 0 || n > PBAL_SHARDS)
        return err != CT_OK ? err : CT_E_INTERNAL;
    if (total < c->amount) {
        *code = "PARTNER_INSUFFICIENT_FUNDS";
        return CT_E_RULE;
    }
    rest = total - c->amount;
    share = rest / (int64_t)n;
    for (i = 0; i < n; i++) {
        int64_t target = share + (ids[i] == shard_acct ? c->amount + rest % (int64_t)n : 0);

        if (target != avail[i]) {
            legs[nlegs].account_id = ids[i];
            legs[nlegs++].amount = target - avail[i];
        }
    }
    if (nlegs < 2)
        return CT_OK; /* already spread so: nothing to move */
    memset(&e, 0, sizeof(e));
    e.partner_id = c->partner_id;
    e.kind = "partner_rebalance";
    e.currency = c->currency;
    e.legs = legs;
    e.nlegs = nlegs;
    return ct_ledger_post(db, &e, NULL, code);
}

/* The last balance this process found dry (one shard short): the unit that found it is run
 * again from the start (CT_E_BUSY), and this time evens the shards out before it touches any.
 * Evening out inside the unit that already holds its shard's lock (the refused conditional debit
 * keeps it) would wait for the other shards while their holders wait for this one: under load
 * that deadlock was the rule, not the exception (docs/ledger.md, "Partner balances"). */
static struct {
    int64_t partner_id;
    enum ct_pbal_type type;
    char currency[4];
} dry;

static bool
dry_is(const struct ct_pbal_charge *c)
{
    return dry.partner_id == c->partner_id && dry.type == c->type &&
           strcmp(dry.currency, c->currency) == 0;
}

enum ct_err
ct_pbal_charge(struct ct_db *db, const struct ct_pbal_charge *c, int64_t *entry_id,
               int64_t *to_after, const char **code)
{
    int shards = shards_of(c->type);
    int64_t from;
    enum ct_err err;

    *code = NULL;
    /* the currency is copied into `dry` whole: exactly three letters and their NUL */
    if (ct_pbal_type_name(c->type) == NULL || c->amount <= 0 || strlen(c->currency) != 3)
        return CT_E_BADREQ;
    err = shard_account(db, c->partner_id, c->currency, c->type,
                        (int)((uint64_t)c->key % (uint64_t)shards), &from);
    if (err == CT_E_NOTFOUND) {
        *code = "PARTNER_BALANCE_MISSING";
        return CT_E_RULE;
    }
    if (err != CT_OK)
        return err;
    if (dry_is(c)) {
        memset(&dry, 0, sizeof(dry));
        err = even_out(db, c, from, code);
        if (err != CT_OK)
            return err;
    }
    err = charge_once(db, c, from, entry_id, to_after, code);
    if (err == CT_E_RULE && *code != NULL && strcmp(*code, "INSUFFICIENT_FUNDS") == 0) {
        /* one shard is the whole balance: nothing to even out, the sum is short */
        if (shards == 1) {
            *code = "PARTNER_INSUFFICIENT_FUNDS";
            return CT_E_RULE;
        }
        dry.partner_id = c->partner_id;
        dry.type = c->type;
        memcpy(dry.currency, c->currency, sizeof(dry.currency));
        *code = NULL;
        return CT_E_BUSY;
    }
    if (err != CT_E_RULE)
        *code = NULL; /* a deadlock or a lost connection is not the refusal of a step before it */
    return err;
}

/* ---- summary ------------------------------------------------------------------------------ */

enum ct_err
ct_pbal_summary(struct ct_db *db, int64_t partner_id, struct ct_pbal_summary **out, size_t *n)
{
    static const char sql[] =
        "SELECT currency, SUM(IF(kind = 'user_balance', balance, 0)), "
        "SUM(IF(kind = 'partner_credit', balance, 0)), "
        "SUM(IF(kind = 'partner_deposit', balance, 0)), SUM(IF(kind = 'technical', balance, 0)) "
        "FROM ledger_account WHERE (? = 0 OR partner_id = ?) AND kind IN ('user_balance', "
        "'partner_credit', 'partner_deposit', 'technical') GROUP BY currency ORDER BY currency";
    struct ct_pbal_summary *v = NULL;
    struct ct_rows *r = NULL;
    enum ct_err err;
    size_t i, rows;

    *out = NULL;
    *n = 0;
    err = ct_db_query(db, sql, &r, "ll", partner_id, partner_id);
    if (err != CT_OK)
        return err;
    rows = ct_rows_count(r);
    v = rows > 0 ? ct_calloc(rows, sizeof(*v)) : NULL;
    if (rows > 0 && v == NULL)
        err = CT_E_INTERNAL;
    for (i = 0; err == CT_OK && i < rows; i++) {
        (void)snprintf(v[i].currency, sizeof(v[i].currency), "%s", ct_rows_str(r, i, 0));
        if (!ct_rows_i64(r, i, 1, &v[i].users) || !ct_rows_i64(r, i, 2, &v[i].credit) ||
            !ct_rows_i64(r, i, 3, &v[i].deposit) || !ct_rows_i64(r, i, 4, &v[i].technical) ||
            __builtin_add_overflow(v[i].users, v[i].credit, &v[i].wallet) ||
            __builtin_add_overflow(v[i].wallet, v[i].deposit, &v[i].wallet) ||
            __builtin_add_overflow(v[i].wallet, v[i].technical, &v[i].wallet))
            err = CT_E_INTERNAL;
    }
    ct_rows_free(r);
    if (err != CT_OK) {
        free(v);
        return err;
    }
    *out = v;
    *n = rows;
    return CT_OK;
}

/* ---- JSON --------------------------------------------------------------------------------- */

struct json_object *
ct_pbal_json(const struct ct_pbal *pb)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "id", json_object_new_string(pb->id));
    json_object_object_add(o, "type", json_object_new_string(ct_pbal_type_name(pb->type)));
    json_object_object_add(o, "currency", json_object_new_string(pb->currency));
    json_object_object_add(o, "balance", ct_amount_json(pb->balance, pb->currency));
    json_object_object_add(o, "available", ct_amount_json(pb->available, pb->currency));
    json_object_object_add(o, "created_at", json_object_new_string(pb->created_at));
    return o;
}

struct json_object *
ct_pbal_summary_json(const struct ct_pbal_summary *s)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "currency", json_object_new_string(s->currency));
    json_object_object_add(o, "users", ct_amount_json(s->users, s->currency));
    json_object_object_add(o, "partner_credit", ct_amount_json(s->credit, s->currency));
    json_object_object_add(o, "partner_deposit", ct_amount_json(s->deposit, s->currency));
    json_object_object_add(o, "technical", ct_amount_json(s->technical, s->currency));
    json_object_object_add(o, "wallet", ct_amount_json(s->wallet, s->currency));
    return o;
}

enum ct_err
ct_pbal_reply_list(struct ct_req *req)
{
    struct ct_pbal *items = NULL;
    struct json_object *arr;
    size_t n = 0, i;
    enum ct_err err;

    err = ct_pbal_list(req->db, req->ident.partner_id, &items, &n);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "partner balances could not be read");
    arr = json_object_new_array();
    for (i = 0; i < n; i++)
        json_object_array_add(arr, ct_pbal_json(&items[i]));
    free(items);
    return ct_reply_json(req, 200, arr);
}
