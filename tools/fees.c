/* fees.c - the platform operator's side of fees (seed 003, "Fee management"): a partner's fee
 * schedule, and the monthly and due-fee runs the scheduler's `fees` task makes every minute. The
 * admin channel (GET/PUT /admin/fees) serves the same schedule to a partner's ADMIN operators.
 *
 *   comptoir-fees CONF show --partner PUBLIC_ID
 *   comptoir-fees CONF set --partner PUBLIC_ID FILE.json [--if-unset]
 *   comptoir-fees CONF charge-monthly [--month YYYY-MM]
 *   comptoir-fees CONF collect
 *
 * show prints the schedule as GET /admin/fees answers it (docs/openapi.yaml FeeSchedule); set
 * replaces the whole schedule with FILE's (the PUT body; each field error on stderr) and prints
 * version=N, or with --if-unset leaves a schedule that was ever set alone (and says "exists" on
 * stderr); charge-monthly charges the monthly account and card fees of the month (default: last
 * month, UTC) still missing and prints period=... charged= due= already= failed=; collect books the
 * due fees their balances now cover and prints charged= due= failed=. Exit: 0 done, 1 refused
 * (unknown partner, a bad file), 2 usage or failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_conf.h"
#include "ct/ct_db.h"
#include "ct/ct_fee.h"
#include "ct/ct_partner.h"
#include "ct/ct_tool.h"
#include "ct/ct_util.h"

#define FILE_MAX (1024 * 1024)

struct args {
    const char *cmd, *partner, *file, *month;
    bool if_unset;
    int64_t partner_id;
};

static int usage(void);
static bool parse(int argc, char **argv, struct args *a);
static void report(void *arg, const char *field, const char *message);
static char *read_file(const char *path, size_t *len);
static int cmd_show(struct ct_db *db, const struct args *a);
static int cmd_set(struct ct_db *db, const struct args *a);
static int cmd_monthly(struct ct_db *db, const struct args *a);
static int cmd_collect(struct ct_db *db);
static int run(struct ct_db *db, const struct args *a);

static int
usage(void)
{
    fprintf(stderr, "usage: comptoir-fees CONF show --partner PUBLIC_ID\n"
                    "       comptoir-fees CONF set --partner PUBLIC_ID FILE.json [--if-unset]\n"
                    "       comptoir-fees CONF charge-monthly [--month YYYY-MM]\n"
                    "       comptoir-fees CONF collect\n");
    return 2;
}

static bool
parse(int argc, char **argv, struct args *a)
{
    int i;

    a->cmd = argv[2];
    for (i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--partner") == 0 && i + 1 < argc)
            a->partner = argv[++i];
        else if (strcmp(argv[i], "--month") == 0 && i + 1 < argc)
            a->month = argv[++i];
        else if (strcmp(argv[i], "--if-unset") == 0)
            a->if_unset = true;
        else if (argv[i][0] != '-' && a->file == NULL)
            a->file = argv[i];
        else
            return false;
    }
    if (strcmp(a->cmd, "show") == 0)
        return a->partner != NULL && a->file == NULL && a->month == NULL && !a->if_unset;
    if (strcmp(a->cmd, "set") == 0)
        return a->partner != NULL && a->file != NULL && a->month == NULL;
    if (strcmp(a->cmd, "charge-monthly") == 0)
        return a->partner == NULL && a->file == NULL && !a->if_unset &&
               (a->month == NULL || ct_fee_period_valid(a->month));
    return strcmp(a->cmd, "collect") == 0 && argc == 3;
}

static void
report(void *arg, const char *field, const char *message)
{
    (void)arg;
    fprintf(stderr, "fees: %s: %s\n", field, message);
}

/* The whole file (NUL-terminated, heap) when it is at most FILE_MAX bytes; NULL otherwise. */
static char *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0;

    if (f == NULL)
        return NULL;
    buf = malloc(FILE_MAX + 1);
    if (buf != NULL)
        n = fread(buf, 1, FILE_MAX + 1, f);
    if (buf != NULL && (ferror(f) || n > FILE_MAX)) {
        free(buf);
        buf = NULL;
    }
    (void)fclose(f);
    if (buf != NULL) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

static int
cmd_show(struct ct_db *db, const struct args *a)
{
    struct ct_fee_schedule *s = malloc(sizeof(*s));
    struct json_object *o = NULL;
    enum ct_err err = s != NULL ? ct_fee_schedule_load(db, a->partner_id, s) : CT_E_INTERNAL;

    if (err == CT_OK) {
        o = ct_fee_schedule_json(s);
        printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
    } else
        fprintf(stderr, "fees: failed (%s)\n", ct_err_code(err));
    free(s);
    return err == CT_OK ? 0 : 2;
}

static int
cmd_set(struct ct_db *db, const struct args *a)
{
    struct ct_fee_schedule *in = calloc(2, sizeof(*in)), *out = in + 1;
    const char *code = NULL;
    size_t len = 0;
    char *text = read_file(a->file, &len);
    enum ct_err err = in == NULL ? CT_E_INTERNAL : CT_OK;
    int rc = 2;

    if (text == NULL) {
        fprintf(stderr, "fees: cannot read %s (or it is over 1 MiB)\n", a->file);
        rc = 1;
        goto out;
    }
    if (err == CT_OK && ct_fee_schedule_parse(text, len, in, report, NULL) != CT_OK) {
        rc = 1;
        goto out;
    }
    /* --if-unset: replaced only while still version 0 (never set), in the same unit as the check */
    if (err == CT_OK)
        err = ct_fee_schedule_set(db, a->partner_id, in, a->if_unset ? 0 : in->version, out, &code);
    if (err == CT_E_CONFLICT && a->if_unset) {
        fprintf(stderr, "fees: exists\n");
        code = NULL;
        err = ct_fee_schedule_load(db, a->partner_id, out);
    }
    if (err == CT_OK) {
        printf("version=%lld\n", (long long)out->version);
        rc = 0;
    } else if (err == CT_E_CONFLICT || err == CT_E_BADREQ) {
        fprintf(stderr, "fees: refused: %s\n", code != NULL ? code : ct_err_code(err));
        rc = 1;
    } else
        fprintf(stderr, "fees: failed (%s)\n", ct_err_code(err));
out:
    free(text);
    free(in);
    return rc;
}

static int
cmd_monthly(struct ct_db *db, const struct args *a)
{
    struct ct_fee_run r;
    char period[8];
    enum ct_err err;

    if (a->month != NULL)
        (void)snprintf(period, sizeof(period), "%s", a->month);
    else if (!ct_fee_period_last(ct_now_usec(), period))
        return 2;
    err = ct_fee_monthly(db, period, NULL, NULL, &r);
    if (err != CT_OK) {
        fprintf(stderr, "fees: failed (%s)\n", ct_err_code(err));
        return 2;
    }
    printf("period=%s charged=%zu due=%zu already=%zu failed=%zu\n", period, r.charged, r.due,
           r.already, r.failed);
    return r.failed == 0 ? 0 : 2;
}

static int
cmd_collect(struct ct_db *db)
{
    struct ct_fee_run r;
    enum ct_err err = ct_fee_collect_due(db, NULL, NULL, &r);

    if (err != CT_OK) {
        fprintf(stderr, "fees: failed (%s)\n", ct_err_code(err));
        return 2;
    }
    printf("charged=%zu due=%zu failed=%zu\n", r.charged, r.due, r.failed);
    return r.failed == 0 ? 0 : 2;
}

static int
run(struct ct_db *db, const struct args *a)
{
    if (strcmp(a->cmd, "show") == 0)
        return cmd_show(db, a);
    if (strcmp(a->cmd, "set") == 0)
        return cmd_set(db, a);
    if (strcmp(a->cmd, "charge-monthly") == 0)
        return cmd_monthly(db, a);
    return cmd_collect(db);
}

int
main(int argc, char **argv)
{
    struct ct_conf conf;
    struct ct_db *db = NULL;
    struct args a;
    enum ct_err err = CT_OK;
    int rc;

    memset(&a, 0, sizeof(a));
    if (argc < 3 || !parse(argc, argv, &a))
        return usage();
    if (!ct_tool_connect("fees", argv[1], &conf, &db))
        return 2;
    if (a.partner != NULL)
        err = ct_partner_find(db, a.partner, &a.partner_id);
    if (err == CT_E_NOTFOUND)
        fprintf(stderr, "fees: unknown partner\n");
    else if (err != CT_OK)
        fprintf(stderr, "fees: failed (%s)\n", ct_err_code(err));
    rc = err == CT_OK ? run(db, &a) : err == CT_E_NOTFOUND ? 1 : 2;
    ct_db_close(db);
    return rc;
}
