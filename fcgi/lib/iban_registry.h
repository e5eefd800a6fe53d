/* iban_registry.h - the generated IBAN country table; internal to fcgi/lib (iban.c and tests). */
#ifndef CT_IBAN_REGISTRY_H
#define CT_IBAN_REGISTRY_H
#include <stddef.h>
#include "ct/ct_iban.h"

/* Every country of the SWIFT registry extract, sorted by code (tools/gen-iban-registry.sh writes
 * iban_registry.c; do not edit that file by hand). Read-only. */
extern const struct ct_iban_country ct__iban_registry[];
extern const size_t ct__iban_registry_count;

#endif /* CT_IBAN_REGISTRY_H */
