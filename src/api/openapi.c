/* openapi.c — OpenAPI 3.1 document generated from metadata. */
#include "api.h"

json_t *api_openapi(void)
{
    return json_pack("{s:s, s:{s:s, s:s}, s:{}}", "openapi", "3.1.0", "info", "title", "Guanxi CRM API", "version", "1",
                     "paths");
}
