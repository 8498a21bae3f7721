/* error.c — the friendly error page for browser routes. */
#include <string.h>

#include "../app/app.h"

void ui_error_page(Req *r)
{
    int status = gx_http_status(r->c.err);
    bool en = r->c.lang && r->c.lang[0] == 'e';
    const char *title;
    switch (status) {
    case 401: title = en ? "Please log in" : "请先登录"; break;
    case 403: title = en ? "Not allowed" : "没有权限"; break;
    case 404: title = en ? "Page not found" : "页面不存在"; break;
    case 413: title = en ? "Upload too large" : "上传内容过大"; break;
    case 429: title = en ? "Too many attempts" : "尝试次数过多"; break;
    default: title = en ? "Something went wrong" : "出错了"; break;
    }
    if (status == 401 && r->method && !strcmp(r->method, "GET")) {
        http_redirect(r, "/login");
        return;
    }
    buf_clear(&r->out);
    r->status = status;
    r->content_type = "text/html; charset=utf-8";
    buf_raw(&r->out, "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">");
    buf_htmlf(&r->out, "<title>%s</title></head><body><main class=\"error-page\"><h1>%d · %s</h1><p>%s</p>", title, status,
              title, r->c.err_msg ? r->c.err_msg : "");
    buf_htmlf(&r->out, "<p><a href=\"/\">%s</a></p></main></body></html>", en ? "Back to home" : "返回首页");
}
