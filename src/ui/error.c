/* error.c — the friendly error page for browser routes (403, 404, 409, 500 …),
 * in the user's language, inside the normal frame when someone is logged in. */
#include <string.h>

#include "ui.h"

/* Title and explanation for a status. */
static void texts(int status, const char **title, const char **text)
{
    switch (status) {
    case 400:
        *title = N_("This request could not be understood");
        *text = N_("Something in the address or the form is not right. Go back and try again.");
        break;
    case 401:
        *title = N_("Please log in");
        *text = N_("Your session has ended. Log in again to continue.");
        break;
    case 403:
        *title = N_("Not allowed");
        *text = N_("Your role does not allow this. Ask an administrator if you need access.");
        break;
    case 404:
        *title = N_("Page not found");
        *text = N_("The page or record does not exist, was deleted, or is not visible to you.");
        break;
    case 405:
        *title = N_("Not possible here");
        *text = N_("This page cannot be used this way.");
        break;
    case 409:
        *title = N_("Someone else changed this record");
        *text = N_("Reload the page to see the latest version, then make your change again.");
        break;
    case 413:
        *title = N_("Upload too large");
        *text = N_("The data sent is larger than allowed.");
        break;
    case 422:
        *title = N_("Please check your input");
        *text = N_("Some values are not valid.");
        break;
    case 429:
        *title = N_("Too many attempts");
        *text = N_("Wait a few minutes and try again.");
        break;
    default:
        *title = N_("Something went wrong");
        *text =
            N_("The server could not finish this request. Try again; if it keeps happening, tell your administrator.");
        break;
    }
}

void ui_error_page(Req *r)
{
    int status = gx_http_status(r->c.err);
    if (status == 401 && r->method && (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD"))) {
        Buf b;
        buf_init(&b, &r->arena);
        buf_raw(&b, "/login");
        if (r->path && strcmp(r->path, "/") && strncmp(r->path, "/login", 6)) {
            buf_raw(&b, "?next=");
            buf_url(&b, r->path);
        }
        ctx_clear(&r->c);
        if (ui_htmx(r)) {
            http_add_header(r, "HX-Redirect", b.data);
            r->status = 200;
            return;
        }
        http_redirect(r, b.data);
        return;
    }
    const char *title, *text;
    texts(status, &title, &text);
    buf_clear(&r->out);
    r->out_static = NULL;
    r->status = status;
    Page p = {.title = T(r, title), .bare = r->c.who == NULL};
    ui_begin(r, &p);
    Buf *o = &r->out;
    buf_htmlf(o, "<section class=\"error-page\"><p class=\"error-code\">%d</p><h1>%s</h1><p>%s</p>", status,
              T(r, title), T(r, text));
    if (r->c.err_msg && (status == 400 || status == 409 || status == 422 || status == 429))
        buf_htmlf(o, "<p class=\"muted\">%s</p>", ui_engine_msg(r, r->c.err_msg));
    buf_raw(o, "<p class=\"error-actions\">");
    if (status == 401)
        buf_htmlf(o, "<a class=\"btn primary\" href=\"/login\">%s</a>", T(r, "Log in"));
    else
        buf_htmlf(o, "<a class=\"btn primary\" href=\"/\">%s</a>", T(r, "Back to home"));
    buf_raw(o, "</p></section>");
    ui_end(r, &p);
}
