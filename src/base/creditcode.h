/* creditcode.h — the unified social credit code (统一社会信用代码) of
 * GB 32100-2015: 18 characters from "0123456789ABCDEFGHJKLMNPQRTUWXY" (no
 * I, O, Z, S, V); the 18th is a check character over the first 17 with
 * weights 3^(i-1) mod 31. Some codes issued in practice fail the check, so
 * callers treat a mismatch as a warning, not an error. */
#ifndef GX_CREDITCODE_H
#define GX_CREDITCODE_H

#include <stdbool.h>

/* Outcome of credit_code_check. */
typedef enum CreditCodeStatus {
    CREDIT_OK,        /* well formed and the check character matches */
    CREDIT_BAD_CHECK, /* well formed, but the check character does not match */
    CREDIT_BAD_FORM,  /* wrong length or characters */
} CreditCodeStatus;

/* Normalise s in place (upper case; spaces and dashes removed) and check it.
 * On CREDIT_BAD_CHECK, *expected (if not NULL) is the check character the
 * first 17 call for. */
CreditCodeStatus credit_code_check(char *s, char *expected);

#endif
