/*
 * Prompt templates: the system and user messages of a request with what varies between calls of
 * the same template masked, so that calls group by template and the first workloads to move can
 * be named. Masked: the sensitive spans the scanner found (<email>, <iban>, ...), numbers (#),
 * identifiers (tokens with digits: <id>), addresses (<email>), capitalised words inside a sentence
 * (<name>), double-quoted text ("<text>"), fenced blocks (<code>), and supplied content: the rest
 * of a line after a "Text:"-style label, and everything after a line that ends with ':'
 * ("Summarize the following:\n..." -> <content>). Whitespace runs become one space.
 */
#include "audit/audit_int.h"
#include "common/buf.h"
#include "route/classify.h"

#include <string.h>
#include <strings.h>

static const char *const labels[] = {"text",    "email",       "message", "review",  "ticket", "document", "article",
                                     "input",   "passage",     "context", "content", "data",   "notes",    "transcript",
                                     "comment", "description", "body",    "query",   "code",   "sentence", "paragraph",
                                     "report",  "feedback",    "excerpt", "record",  "json",   "log",      NULL};

static bool is_label(const char *w, size_t n)
{
    for (size_t i = 0; labels[i]; i++)
        if (strlen(labels[i]) == n && !strncasecmp(labels[i], w, n))
            return true;
    return false;
}

static inline bool alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static void put(struct sov_buf *o, const char *s)
{
    sov_buf_puts(o, s);
}

/* masks one message's text into o */
static void mask(const char *t, size_t n, const struct sov_decision *d, uint32_t msg, struct sov_buf *o)
{
    size_t i = 0;
    bool sentence_start = true, line_start = true, space = false;
    size_t hit = 0;
    while (i < n) {
        /* a sensitive span the scanner found in this message */
        while (hit < d->n_hits && (d->hits[hit].message < msg || (d->hits[hit].message == msg && d->hits[hit].end <= i)))
            hit++;
        if (hit < d->n_hits && d->hits[hit].message == msg && d->hits[hit].start <= i) {
            if (space)
                sov_buf_putc(o, ' ');
            space = false;
            sov_buf_putc(o, '<');
            put(o, sov_pii_type_name(d->hits[hit].type));
            sov_buf_putc(o, '>');
            i = d->hits[hit].end;
            sentence_start = line_start = false;
            continue;
        }
        unsigned char c = (unsigned char)t[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            if (c == '\n') {
                /* a line that ends with ':' introduces supplied content */
                size_t k = o->len;
                while (k > 0 && o->data[k - 1] == ' ')
                    k--;
                if (k > 0 && o->data[k - 1] == ':' && n - i > 1) {
                    put(o, " <content>");
                    return;
                }
                line_start = sentence_start = true;
            }
            space = o->len > 0;
            i++;
            continue;
        }
        if (space)
            sov_buf_putc(o, ' ');
        space = false;
        if (c == '`' && i + 2 < n && t[i + 1] == '`' && t[i + 2] == '`') {
            const char *end = memmem(t + i + 3, n - i - 3, "```", 3);
            put(o, "<code>");
            i = end ? (size_t)(end - t) + 3 : n;
            continue;
        }
        if (c == '"') {
            const char *end = memchr(t + i + 1, '"', n - i - 1);
            if (end) {
                put(o, "\"<text>\"");
                i = (size_t)(end - t) + 1;
                sentence_start = line_start = false;
                continue;
            }
        }
        if (alnum(c)) {
            size_t s = i;
            bool digit = false, at = false, upper = c >= 'A' && c <= 'Z', lower = false;
            while (i < n && (alnum((unsigned char)t[i]) ||
                             ((t[i] == '-' || t[i] == '.' || t[i] == '@' || t[i] == '/' || t[i] == ':' || t[i] == ',') &&
                              i + 1 < n && alnum((unsigned char)t[i + 1]) && (t[i] != ':' || digit) &&
                              (t[i] != ',' || (digit && t[i + 1] >= '0' && t[i + 1] <= '9'))))) {
                digit |= t[i] >= '0' && t[i] <= '9';
                lower |= t[i] >= 'a' && t[i] <= 'z';
                at |= t[i] == '@';
                i++;
            }
            size_t wl = i - s;
            if (line_start && i < n && t[i] == ':' && is_label(t + s, wl)) {
                /* "Text: ..." -> the label, then the content masked to the end of the line */
                sov_buf_append(o, t + s, wl);
                put(o, ": <content>");
                const char *nl = memchr(t + i, '\n', n - i);
                size_t after = nl ? (size_t)(nl - t) : n;
                /* a label alone on its line: its content is what follows */
                bool alone = true;
                for (size_t k = i + 1; k < after; k++)
                    alone &= t[k] == ' ' || t[k] == '\t' || t[k] == '\r';
                if (alone)
                    return;
                i = after;
                line_start = sentence_start = true;
                continue;
            }
            if (at)
                put(o, "<email>");
            else if (digit)
                put(o, (t[s] >= '0' && t[s] <= '9') && wl <= 24 ? "#" : "<id>");
            else if (upper && lower && !sentence_start && wl > 1) /* acronyms (JSON, IBAN) stay */
                put(o, "<name>");
            else
                sov_buf_append(o, t + s, wl);
            sentence_start = line_start = false;
            continue;
        }
        sov_buf_putc(o, (char)c);
        if (c == '.' || c == '!' || c == '?' || c == ':' || c == ';' || c == '(' || c == '-' || c == '*' || c == '#' || c == '>' ||
            c == '[')
            sentence_start = true;
        else if (c >= 0x80 || c == ',')
            sentence_start = false;
        line_start = false;
        i++;
    }
}

uint64_t sov__audit_template(const struct sov_router_msg *msgs, size_t n, const struct sov_decision *d, struct sov_buf *o,
                             char *display, size_t cap)
{
    sov_buf_reset(o);
    for (size_t m = 0; m < n; m++) {
        if (msgs[m].role[0] != 's' && msgs[m].role[0] != 'u')
            continue; /* assistant and tool turns are the conversation, not the template */
        if (o->len)
            sov_buf_puts(o, " | ");
        mask(msgs[m].text, msgs[m].len, d, (uint32_t)m, o);
    }
    uint64_t h = sov_classify_fnv1a(o->data ? o->data : "", o->len, 0xcbf29ce484222325ull);
    size_t k = o->len < cap - 1 ? o->len : cap - 1;
    /* never cut a UTF-8 sequence */
    while (k > 0 && k < o->len && ((unsigned char)o->data[k] & 0xC0) == 0x80)
        k--;
    if (k)
        memcpy(display, o->data, k);
    display[k] = '\0';
    return h;
}
