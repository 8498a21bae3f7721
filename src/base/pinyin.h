/* pinyin.h — pinyin initials of Chinese characters, for searching names by
 * the first letters of their syllables (长沙 -> "cs" and "zs").
 *
 * The table is generated at build time from the Unihan database of Debian's
 * unicode-data package (tools/gen_pinyin.py) and covers U+3400..U+9FFF. */
#ifndef GX_PINYIN_H
#define GX_PINYIN_H

#include <stdint.h>

/* The initials of every Mandarin reading of code point cp as a bit set
 * (bit 0 = 'a' … bit 25 = 'z'); 0 if cp is not a covered ideograph. */
uint32_t pinyin_initials(uint32_t cp);

/* The initial of cp's most common reading ('a'..'z'), or 0 if none. */
char pinyin_primary(uint32_t cp);

#endif
