/* main.c - the admin pool: the admin channel (/admin), operators with a session and a role. */
#include "ct/ct_serve.h"
#include "admin.h"

int
main(int argc, char **argv)
{
    return ct_serve("admin", admin_routes, argc, argv);
}
