/* creditcode.c — GB 32100-2015 check character (see creditcode.h). */
#include <string.h>

#include "creditcode.h"

static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* Value of ch in the code's alphabet, or -1. */
static int value_of(char ch)
{
    const char *p = ch ? strchr(alphabet, ch) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

CreditCodeStatus credit_code_check(char *s, char *expected)
{
    size_t n = 0;
    for (const char *p = s; *p; p++) {
        char ch = *p;
        if (ch == ' ' || ch == '-')
            continue;
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 32);
        s[n++] = ch;
    }
    s[n] = 0;
    if (n != 18)
        return CREDIT_BAD_FORM;
    int sum = 0, weight = 1;
    for (int i = 0; i < 18; i++) {
        int v = value_of(s[i]);
        if (v < 0)
            return CREDIT_BAD_FORM;
        if (i < 17) {
            sum += v * weight;
            weight = weight * 3 % 31;
        }
    }
    int check = (31 - sum % 31) % 31;
    if (alphabet[check] == s[17])
        return CREDIT_OK;
    if (expected)
        *expected = alphabet[check];
    return CREDIT_BAD_CHECK;
}
