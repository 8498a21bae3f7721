/* china.c — UI side of the China-specific data checks: the engine's
 * messages for phone numbers (base/phone.h) and credit codes
 * (modules/china.c), listed so that xgettext extracts them and
 * ui_engine_msg shows them in Chinese. */
#include "ui.h"

static const char *const china_messages[] __attribute__((unused)) = {
    N_("may contain only digits, spaces, dashes, brackets, a leading + and an extension (转 123)"),
    N_("may have a + only at the start"),
    N_("has an extension that is not 1 to 6 digits"),
    N_("is too long to be a phone number"),
    N_("is too short to be a phone number"),
    N_("is too short for an international number"),
    N_("is too long for an international number (at most 15 digits)"),
    N_("has a country code that starts with 0"),
    N_("is not a valid phone number (too many leading zeros)"),
    N_("has too few digits for a 400/800 number (10)"),
    N_("has too many digits for a 400/800 number (10)"),
    N_("has too few digits for a mobile number (11)"),
    N_("has too many digits for a mobile number (11)"),
    N_("is not a valid mobile number (mobile numbers start with 13 to 19)"),
    N_("needs the area code (e.g. 010 8888 6666)"),
    N_("is not a valid phone number"),
    N_("has an area code that does not exist"),
    N_("has too few digits for a landline (7 or 8 after the area code)"),
    N_("has too many digits for a landline (7 or 8 after the area code)"),
    N_("must be 18 characters: digits and capital letters except I, O, S, V and Z"),
    N_("has a check character that does not match (GB 32100); confirm to save it anyway"),
    N_("has a province that is not a province of China"),
    N_("has a city that is not in its province"),
    N_("has a district that is not in its city"),
    N_("needs the province of its city"),
    N_("needs the city of its district"),
};
