/* log.c — see log.h. Each line is written with one fwrite so lines from
 * different threads do not interleave. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

#include "util.h"

static LogLevel min_level = LOG_INFO;

void log_set_level(LogLevel l) { min_level = l; }

void log_msg(LogLevel l, const char *fmt, ...)
{
    if (l < min_level)
        return;
    static const char *names[] = {"debug", "info", "warn", "error"};
    char ts[64], line[2048];
    time_format_ms(time_now_ms(), ts);
    int n = snprintf(line, sizeof line, "%s %s ", ts, names[l]);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    line[len++] = '\n';
    fwrite(line, 1, len, stderr);
}
