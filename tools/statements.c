/* statements.c - comptoir-statements: make the monthly statements (one per user balance and
 * month, idempotent). Run it at every month's start for the month that ended, and on demand:
 *
 *   comptoir-statements CONFIG [--month YYYY-MM] [--account BALANCE_ID]
 *
 * CONFIG is a pool configuration (the banking pool's: same database and files_dir), or "-" for
 * the environment only (COMPTOIR_DB_*, COMPTOIR_FILES_DIR). The default month is the previous one
 * (UTC). A balance gets a statement for every month that ended after it was opened; a statement
 * that exists is left alone, so re-runs and concurrent runs are safe.
 * Exit: 0 done, 1 some statements failed, 2 bad usage or no database.
 * Scheduling (UTC): cron  `15 0 1 * * comptoir-statements /etc/comptoir/banking.conf`, or a
 * systemd timer with OnCalendar=*-*-01 00:15:00 UTC and Persistent=true (a missed run happens at
 * the next boot; the run is idempotent). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ct/ct_conf.h"
#include "ct/ct_db.h"
#include "ct/ct_log.h"
#include "ct/ct_statement.h"

struct opts {
    const char *conf;
    int year, month;
    const char *account;
};

static int usage(void);
static int parse_args(int argc, char **argv, struct opts *o);
static bool report(const char *balance, int64_t id, bool created, enum ct_err err, void *arg);
static int run(struct ct_db *db, const struct ct_conf *conf, const struct opts *o);

static int
usage(void)
{
    fprintf(stderr, "usage: comptoir-statements CONFIG [--month YYYY-MM] [--account BALANCE_ID]\n"
                    "  CONFIG \"-\": environment only; default month: the previous one (UTC)\n"
                    "exit: 0 done, 1 some failed, 2 bad usage or no database\n");
    return 2;
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
    time_t now = time(NULL);
    struct tm tm;
    int i;

    memset(o, 0, sizeof(*o));
    gmtime_r(&now, &tm);
    o->year = tm.tm_mon == 0 ? tm.tm_year + 1900 - 1 : tm.tm_year + 1900;
    o->month = tm.tm_mon == 0 ? 12 : tm.tm_mon; /* tm_mon is 0-based: this is last month */
    if (argc < 2 || argv[1][0] == '\0' || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "--help") == 0)
        return -1;
    o->conf = argv[1];
    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--month") == 0 && i + 1 < argc) {
            if (!ct_stmt_parse_month(argv[++i], &o->year, &o->month))
                return -1;
        } else if (strcmp(argv[i], "--account") == 0 && i + 1 < argc) {
            o->account = argv[++i];
        } else {
            return -1;
        }
    }
    return 0;
}

/* One line per balance, as ct_stmt_make_month goes. */
static bool
report(const char *balance, int64_t id, bool created, enum ct_err err, void *arg)
{
    const struct opts *o = arg;

    if (err != CT_OK)
        printf("failed  balance %s %04d-%02d (%s)\n", balance, o->year, o->month, ct_err_code(err));
    else
        printf("%s statement %lld balance %s %04d-%02d\n", created ? "created" : "exists ",
               (long long)id, balance, o->year, o->month);
    return true;
}

static int
run(struct ct_db *db, const struct ct_conf *conf, const struct opts *o)
{
    struct ct_stmt_month m = {0, 0, 0};
    enum ct_err err = ct_stmt_make_month(db, conf->files_dir, o->year, o->month, o->account, false,
                                         report, (void *)o, &m);

    if (err == CT_E_RULE) {
        fprintf(stderr, "statements: %04d-%02d has not ended yet\n", o->year, o->month);
        return 2;
    }
    if (err != CT_OK) {
        fprintf(stderr, "statements: cannot list the balances\n");
        return 2;
    }
    if (o->account != NULL && m.balances == 0) {
        fprintf(stderr, "statements: no balance %s opened before %04d-%02d ended\n", o->account,
                o->year, o->month);
        m.failed++;
    }
    printf("statements %04d-%02d: %zu balances, %zu created, %zu failed\n", o->year, o->month,
           m.balances, m.created, m.failed);
    return m.failed > 0 ? 1 : 0;
}

int
main(int argc, char **argv)
{
    struct opts o;
    struct ct_conf conf;
    struct ct_db *db = NULL;
    char why[256] = "";
    int rc = 2;

    if (parse_args(argc, argv, &o) != 0)
        return usage();
    ct_log_setup("statements", LOG_WARNING);
    if (ct_conf_load(strcmp(o.conf, "-") == 0 ? NULL : o.conf, &conf, why, sizeof(why)) != CT_OK) {
        fprintf(stderr, "statements: bad configuration: %s\n", why);
        return 2;
    }
    ct_log_setup("statements", conf.log_level);
    if (conf.files_dir[0] == '\0') {
        fprintf(stderr, "statements: files_dir is not set\n");
        return 2;
    }
    if (ct_db_open(&conf, &db) != CT_OK) {
        fprintf(stderr, "statements: cannot connect to the database\n");
        return 2;
    }
    rc = run(db, &conf, &o);
    ct_db_close(db);
    return rc;
}
