/* main.c - the customers pool: the customer channel (/customers), end users with a session. */
#include "ct/ct_serve.h"
#include "customers.h"

int
main(int argc, char **argv)
{
    return ct_serve("customers", customers_routes, argc, argv);
}
