/* textkey.h — the text global search indexes for a record, and how a query
 * is matched against it.
 *
 * Global search (modules/search.c) keeps two FTS5 tables per entity on
 * SQLite: a trigram one, answering any substring of 3 or more characters
 * (names, phone digits, e-mails, codes, pinyin initials), and a word one
 * for what trigrams cannot answer: one or two Chinese characters (every
 * character and every pair of neighbours is a token: 贸易有限 -> 贸 贸易 易
 * 易有 有 有限 限) and two-letter pinyin initials. On PostgreSQL the same
 * texts are matched with LIKE. */
#ifndef GX_TEXTKEY_H
#define GX_TEXTKEY_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Longest run of pinyin initials stored from one character on. */
#define PINYIN_SPAN 8

/* Append " <token>" for each Chinese character and each pair of
 * neighbouring Chinese characters of text (letters and digits are left to
 * the trigram index). */
void textkey_han(Buf *out, const char *text);

/* Append " <initials>" for each Chinese character of text: the pinyin
 * initials of the characters from there on, one token per combination of
 * readings (长沙 -> "cs zs s"), at most span (<= PINYIN_SPAN) letters; with
 * span 2, only the two-letter ones ("cs zs"). */
void textkey_pinyin(Buf *out, const char *text, int span);

/* Append " <digits>" of a stored phone number (E.164 without +, without
 * the extension), each digit written as ⓪ ① … ⑨ so that its trigrams are
 * not shared with other digits in the index (see textkey_digits_query). */
void textkey_digits(Buf *out, const char *phone);

/* Append " <suffix>" for every run of 3 or more digits that ends a stored
 * phone number's digits (E.164 without +, without the extension): any part
 * of the number is then the beginning of one of them, found with an FTS5
 * prefix query (8613812345678 -> 8613812345678 613812345678 … 678). */
void textkey_digit_suffixes(Buf *out, const char *phone);

/* The digits of a phone query written as textkey_digits writes them. */
char *textkey_digits_query(Arena *a, const char *digits);

/* Is q one or two Chinese characters (the word index answers it)? */
bool textkey_han_query(const char *q);

/* Is q made of min..max ASCII letters? */
bool textkey_letters(const char *q, size_t min, size_t max);

/* q as one FTS5 string ("…" with quotes doubled, ASCII lowercased). */
char *textkey_phrase(Arena *a, const char *q);

#endif
