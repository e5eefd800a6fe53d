/* ct_serve.h - the worker runtime: pre-fork N workers on one FastCGI socket and dispatch. */
#ifndef CT_SERVE_H
#define CT_SERVE_H
#include "ct/ct_req.h"

/* The whole life of a pool binary: `comptoir-<pool> [CONFIG]`. Loads the configuration, binds the
 * unix socket, forks conf.workers workers (each with its own DB connection), restarts a worker
 * that dies, and on SIGTERM stops the workers (each finishes its current request) and returns 0.
 * routes ends with an all-NULL row. */
int ct_serve(const char *pool, const struct ct_route *routes, int argc, char **argv);

#endif /* CT_SERVE_H */
