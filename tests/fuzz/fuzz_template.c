/* libFuzzer harness for notify's templates (services/notify/render.h): an
 * operator's template and an event's values rendered as every channel puts
 * them — the text, the email's HTML part, and the SMS gateway's JSON body
 * template with each value JSON-escaped. The input: a template, then up to
 * five values, split at 0x1f bytes. Any crash, leak or undefined behaviour
 * is a bug, and so is an answer that breaks a promise: a template without
 * "{{" renders as itself; the HTML part holds no '<' but its own tags; the
 * SMS body is a JSON object whose text is the rendered text, exactly. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PARTS 6

/* The HTML part has only its own tags: <html><body><p>, <br>, and the ends. */
static void s_html_ok(const char *html)
{
    static const char *const tags[] = {"<html>", "<body>", "<p>", "<br>", "</p>", "</body>", "</html>"};
    for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
        int known = 0;
        for (size_t i = 0; i < sizeof tags / sizeof *tags; i++)
            known |= strncmp(p, tags[i], strlen(tags[i])) == 0;
        if (!known)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *part[PARTS];
    size_t n = 0;
    part[n++] = text;
    for (char *p = text; *p && n < PARTS; p++)
        if (*p == '\x1f') {
            *p = '\0';
            part[n++] = p + 1;
        }
    for (size_t i = n; i < PARTS; i++)
        part[i] = "";
    static const char *const names[] = {"case_id", "unit", "reporter_phone", "description", "text"};
    render_vars_t vars = {0};
    for (size_t i = 0; i < PARTS - 1; i++)
        render_set(&vars, names[i], part[i + 1]);
    char *out = render_template(part[0], &vars);
    if (out && !strstr(part[0], "{{") && strcmp(out, part[0]) != 0)
        abort();
    if (out) {
        char *html = render_html(out);
        if (html)
            s_html_ok(html);
        free(html);
        /* the SMS gateway's body, as notify's default GOV_NOTIFY_SMS_BODY */
        char *json_text = render_json_inner(out);
        if (json_text) {
            render_vars_t body = {0};
            render_set(&body, "phone", "13800000000");
            render_set(&body, "text", json_text);
            char *doc = render_template("{\"phone\":\"{{phone}}\",\"text\":\"{{text}}\"}", &body);
            json_error_t jerr;
            json_t *parsed = doc ? json_loads(doc, 0, &jerr) : NULL;
            const char *back = parsed ? json_string_value(json_object_get(parsed, "text")) : NULL;
            if (doc && (!back || strcmp(back, out) != 0))
                abort();
            json_decref(parsed);
            free(doc);
            free(json_text);
        }
        char *copy = strdup(out);
        if (copy) {
            size_t max = 4 + size % 200;
            render_cut(copy, max);
            if (strlen(copy) > max)
                abort();
            free(copy);
        }
    }
    free(out);
    free(text);
    return 0;
}
