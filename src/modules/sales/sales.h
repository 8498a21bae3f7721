/* sales.h — what the sales modules (issue #6) share with each other and
 * with the rest of the program: products and opportunity stages, the
 * line-totals library, quotes and orders, approvals, payments and balances,
 * targets and customer value. Each area keeps its own file under
 * src/modules/sales/ and declares here only what other areas call. */
#ifndef GX_SALES_H
#define GX_SALES_H

#include "../../base/ctx.h"
#include "totals.h" /* line totals and the rounding rule (docs) */

#endif
