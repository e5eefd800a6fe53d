/* main.c - the secure pool: the partner channel (/secure), authenticated by x509 certificates. */
#include "ct/ct_serve.h"
#include "secure.h"

int
main(int argc, char **argv)
{
    return ct_serve("secure", secure_routes, argc, argv);
}
