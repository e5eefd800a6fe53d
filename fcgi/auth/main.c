/* main.c - the auth pool: OAuth 2.0 connect pages and token endpoint, and nginx's auth_request
 * target for the session and OAuth channels. */
#include "ct/ct_serve.h"
#include "auth.h"

int
main(int argc, char **argv)
{
    /* the page templates are read once, before ct_serve forks the workers */
    if (!auth_setup(argc, argv))
        return 2;
    return ct_serve("auth", auth_routes, argc, argv);
}
