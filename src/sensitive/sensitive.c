/*
 * The sensitive-data scanner.
 *
 * One vectorscan (Hyperscan) database holds every detector's pattern (rows of the detector table below)
 * plus the user's custom terms and patterns. It runs once over the text in block mode. Built-in
 * patterns are "triggers": they report only end offsets (no start-of-match tracking, which is cheaper),
 * and the row's validator then locates the token around that end, parses it exactly (Luhn, mod-97,
 * SSN ranges, octets, IPv6 grammar, entropy, context words...) and returns the span. Each row remembers
 * how far its validator has already looked (`seen`), so the many end offsets Hyperscan reports inside
 * one token cost one validation. Rows that cannot find their start by themselves (person, address and
 * the user's patterns) ask Hyperscan for the leftmost start (HS_FLAG_SOM_LEFTMOST).
 *
 * Accepted spans go into a fixed array in the scratch, kept sorted and non-overlapping: a new span
 * replaces the spans it overlaps only if it beats each of them (higher priority, then longer).
 * No allocation happens in sov_scan. Patterns are compiled without HS_FLAG_UTF8, so any bytes are safe
 * to scan (offsets are bytes; non-ASCII bytes are never word characters).
 */
#define SOV_LOG_MODULE "sensitive"

#include "sensitive/sensitive.h"
#include "common/log.h"
#include "common/util.h"
#include "sovereign/sovereign.h"

#include <arpa/inet.h>
#include <hs/hs.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
#include <errno.h>

/* Spans the scratch can hold per scan; more are counted but not kept. */
#define SCAN_CAP 4096

static const char *const type_names[] = {
#define SOV_X_(id, name) name,
    SOV_PII_TYPE_MAP(SOV_X_)
#undef SOV_X_
};

const char *sov_pii_type_name(enum sov_pii_type t)
{
    if ((int)t < 0 || t >= SOV_PII_COUNT)
        return NULL;
    return type_names[t];
}

int sov_pii_type_parse(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < SOV_PII_COUNT; i++)
        if (strcmp(type_names[i], name) == 0)
            return i;
    return -1;
}

/* ---------------------------------------------------------------------------------------------- */
/* Character helpers (ASCII only: bytes >= 0x80 are never letters or digits here)                  */

static inline bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}
static inline bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static inline bool is_alnum(unsigned char c)
{
    return is_digit(c) || is_alpha(c);
}
static inline bool is_word(unsigned char c)
{
    return is_alnum(c) || c == '_';
}
static inline bool is_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}
static inline bool is_lower(unsigned char c)
{
    return c >= 'a' && c <= 'z';
}
static inline bool is_hex(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static inline unsigned char lower(unsigned char c)
{
    return is_upper(c) ? (unsigned char)(c + 32) : c;
}
static inline bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Case-insensitive: does t[pos..) start with the lowercase word w? */
static bool at_word(const unsigned char *t, size_t len, size_t pos, const char *w)
{
    if (pos >= len || lower(t[pos]) != (unsigned char)w[0])
        return w[0] == '\0'; /* the first byte decides most calls without a strlen */
    size_t n = strlen(w);
    if (pos + n > len)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(t[pos + i]) != (unsigned char)w[i])
            return false;
    return true;
}

/* Is any of the lowercase words in t[a..b)? Words must start at a non-letter boundary. */
static bool window_has(const unsigned char *t, size_t len, size_t a, size_t b, const char *const *words)
{
    if (b > len)
        b = len;
    for (size_t p = a; p < b; p++) {
        if (p > 0 && is_alpha(t[p - 1]))
            continue;
        for (const char *const *w = words; *w; w++)
            if (lower(t[p]) == (unsigned char)(*w)[0] && at_word(t, b, p, *w))
                return true;
    }
    return false;
}

static bool context_near(const unsigned char *t, size_t len, size_t s, size_t e, size_t before, size_t after,
                         const char *const *words)
{
    size_t a = s > before ? s - before : 0;
    if (window_has(t, len, a, s, words))
        return true;
    return window_has(t, len, e, e + after, words);
}

/* A numeric token must stand alone: not glued to letters/digits, nor to "-"/"." followed by more of them. */
static bool standalone(const unsigned char *t, size_t len, size_t s, size_t e)
{
    if (s > 0) {
        unsigned char c = t[s - 1];
        if (is_alnum(c) || c == '_')
            return false;
        if ((c == '-' || c == '.' || c == '/') && s > 1 && is_alnum(t[s - 2]))
            return false;
    }
    if (e < len) {
        unsigned char c = t[e];
        if (is_alnum(c) || c == '_')
            return false;
        if ((c == '-' || c == '.' || c == '/') && e + 1 < len && is_alnum(t[e + 1]))
            return false;
    }
    return true;
}

static double entropy(const unsigned char *p, size_t n)
{
    if (n == 0)
        return 0;
    unsigned short cnt[256];
    memset(cnt, 0, sizeof cnt);
    for (size_t i = 0; i < n; i++)
        cnt[p[i]]++;
    double h = 0;
    for (int i = 0; i < 256; i++) {
        if (!cnt[i])
            continue;
        double q = (double)cnt[i] / (double)n;
        h -= q * log2(q);
    }
    return h;
}

/* ---------------------------------------------------------------------------------------------- */
/* Validators. Each gets the text and the end offset Hyperscan reported (`from` when the row asked for
 * the leftmost start, else 0), returns true with [*s, *e) for a valid span, and sets *seen to how far
 * it looked (later reports of the same row ending at or before it are skipped).                   */

struct vctx {
    const unsigned char *t;
    size_t len;
    size_t from, to;
};

typedef bool (*validator_fn)(const struct vctx *v, uint32_t *s, uint32_t *e, size_t *seen);

/* --- email --- */
static inline bool is_local_ch(unsigned char c)
{
    return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c == '\'';
}
static inline bool is_dom_ch(unsigned char c)
{
    return is_alnum(c) || c == '.' || c == '-';
}

static bool v_email(const struct vctx *v, uint32_t *s, uint32_t *e, size_t *seen)
{
    const unsigned char *t = v->t;
    size_t at = v->to;
    while (at > 0 && t[at - 1] != '@' && is_dom_ch(t[at - 1]))
        at--;
    *seen = v->to;
    if (at == 0 || t[at - 1] != '@')
        return false;
    at--; /* t[at] == '@' */
    size_t a = at;
    while (a > 0 && is_local_ch(t[a - 1]) && at - a < 64)
        a--;
    while (a < at && (t[a] == '.' || t[a] == '\''))
        a++;
    if (a == at || t[at - 1] == '.')
        return false;
    /* the domain: labels until something else; drop a trailing dot or hyphen */
    size_t b = at + 1;
    while (b < v->len && is_dom_ch(t[b]))
        b++;
    while (b > at + 1 && (t[b - 1] == '.' || t[b - 1] == '-'))
        b--;
    *seen = b > v->to ? b : v->to;
    /* check labels */
    size_t dots = 0, lab = at + 1, last = at + 1;
    for (size_t i = at + 1; i <= b; i++) {
        if (i == b || t[i] == '.') {
            if (i == lab || t[lab] == '-' || t[i - 1] == '-')
                return false;
            if (i < b)
                dots++;
            last = lab;
            lab = i + 1;
        }
    }
    if (dots == 0 || b - (at + 1) > 253)
        return false;
    /* top-level domain: letters (2+) or an IDN "xn--" label */
    if (!(b - last >= 4 && at_word(t, b, last, "xn--"))) {
        if (b - last < 2)
            return false;
        for (size_t i = last; i < b; i++)
            if (!is_alpha(t[i]))
                return false;
    }
    *s = (uint32_t)a;
    *e = (uint32_t)b;
    return true;
}

/* --- phone --- */
static const char *const phone_ctx[] = {"phone",    "tel",     "mobile", "cell",   "call",     "fax", "desk",
                                        "office",   "contact", "reach",  "dial",   "whatsapp", "sms", "text me",
                                        "landline", "hotline", "ring",   "answer", NULL};

static inline bool is_phone_ch(unsigned char c)
{
    return is_digit(c) || c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '+';
}

static bool v_phone(const struct vctx *v, uint32_t *s, uint32_t *e, size_t *seen)
{
    const unsigned char *t = v->t;
    size_t len = v->len;
    size_t a = v->to, b = v->to;
    while (a > 0 && is_phone_ch(t[a - 1]) && v->to - a < 40)
        a--;
    while (b < len && is_phone_ch(t[b]) && b - a < 48)
        b++;
    *seen = b;
    /* trim: start at '+', '(' or a digit; end at a digit or ')' */
    while (a < b && !(is_digit(t[a]) || t[a] == '+' || t[a] == '('))
        a++;
    while (b > a && !(is_digit(t[b - 1]) || t[b - 1] == ')'))
        b--;
    if (b <= a)
        return false;
    if (t[b - 1] == ')') {
        /* a ")" closing something that opened before the run, e.g. "(call 555 1234)" */
        size_t opens = 0, closes = 0;
        for (size_t i = a; i < b; i++)
            opens += t[i] == '(', closes += t[i] == ')';
        if (closes > opens)
            b--;
        while (b > a && !is_digit(t[b - 1]))
            b--;
    }
    if (t[a] == '(') {
        size_t opens = 0, closes = 0;
        for (size_t i = a; i < b; i++)
            opens += t[i] == '(', closes += t[i] == ')';
        if (opens > closes)
            a++;
    }
    /* parse the groups */
    unsigned groups[8], ng = 0, ndig = 0;
    bool plus = false, paren = false, dot = false, dash = false, space = false, bad = false;
    unsigned cur = 0, run_sep = 0;
    for (size_t i = a; i < b; i++) {
        unsigned char c = t[i];
        if (is_digit(c)) {
            cur++;
            ndig++;
            run_sep = 0;
            continue;
        }
        if (cur) {
            if (ng == 8) {
                bad = true;
                break;
            }
            groups[ng++] = cur;
            cur = 0;
        }
        if (c == '+') {
            if (i != a)
                bad = true;
            plus = true;
            continue;
        }
        run_sep++;
        if (c == '(' || c == ')')
            paren = true;
        else if (c == '.')
            dot = true;
        else if (c == '-')
            dash = true;
        else if (c == ' ')
            space = true;
        if (run_sep > 2)
            bad = true;
    }
    if (cur) {
        if (ng == 8)
            bad = true;
        else
            groups[ng++] = cur;
    }
    if (bad || ng == 0 || ndig < 7 || ndig > 15)
        return false;
    /* extension: "x123", " ext. 123" */
    size_t ext_end = b;
    {
        size_t p = b;
        if (p < len && t[p] == ' ')
            p++;
        size_t q = p;
        if (q < len && lower(t[q]) == 'x')
            q++;
        else if (at_word(t, len, q, "ext"))
            q += 3;
        if (q > p) {
            if (q < len && t[q] == '.')
                q++;
            if (q < len && t[q] == ' ')
                q++;
            size_t d = q;
            while (d < len && is_digit(t[d]) && d - q < 6)
                d++;
            if (d > q && (d >= len || !is_alnum(t[d])))
                ext_end = d;
        }
    }
    bool ext = ext_end > b;
    /* boundaries: not glued to a word or to more digits ("AHC-0933289", "12-34-56-78-90-12"); a label
     * glued after it ("555-0132-Office") is fine */
    {
        size_t z = ext ? ext_end : b;
        if (a > 0 &&
            (is_alnum(t[a - 1]) || t[a - 1] == '_' || ((t[a - 1] == '-' || t[a - 1] == '.') && a > 1 && is_alnum(t[a - 2]))))
            return false;
        if (z < len && (is_alnum(t[z]) || t[z] == '_' || ((t[z] == '-' || t[z] == '.') && z + 1 < len && is_digit(t[z + 1]))))
            return false;
    }
    if (a > 0 && (t[a - 1] == '$' || t[a - 1] == '#' || t[a - 1] == '/' || (t[a - 1] == ':' && a > 1 && is_digit(t[a - 2]))))
        return false;
    if (b < len && (t[b] == '%' || t[b] == '/' || (t[b] == ':' && b + 1 < len && is_digit(t[b + 1]))))
        return false;
    if (dot && !(ng == 3 && groups[0] == 3 && groups[1] == 3 && groups[2] == 4) &&
        !(ng == 4 && groups[0] == 1 && groups[1] == 3 && groups[2] == 3 && groups[3] == 4) &&
        !(ng == 5 && groups[0] == 2 && groups[1] == 2 && groups[2] == 2 && groups[3] == 2 && groups[4] == 2))
        return false; /* dotted: 415.555.0132, 1.415.555.0132, 01.23.45.67.89; not IPs, versions or dates */
    if (!plus && !paren) {
        /* dates, SSNs, card-like groups and years belong to others */
        if (ng == 3 &&
            ((groups[0] == 4 && groups[1] <= 2 && groups[2] <= 2) || (groups[0] <= 2 && groups[1] <= 2 && groups[2] == 4)))
            return false;
        if (ng == 3 && groups[0] == 3 && groups[1] == 2 && groups[2] == 4)
            return false;
        if (ng == 2 && groups[0] == 4 && groups[1] == 4 && t[a] != '0')
            if (!context_near(t, len, a, b, 32, 16, phone_ctx))
                return false;
        if (ng >= 4) {
            bool all4 = true;
            for (unsigned i = 0; i < ng; i++)
                all4 &= groups[i] == 4;
            if (all4)
                return false;
        }
    }
    for (unsigned i = 1; i < ng; i++)
        if (groups[i] > 11)
            return false;
    bool strong = false;
    if (plus && ndig >= 8)
        strong = true;
    else if (ext)
        strong = true;
    else if (paren && ng >= 2 && ndig >= 8)
        strong = true;
    else if (ng >= 3 && groups[ng - 1] == 4 && groups[ng - 2] == 3 && (groups[ng - 3] == 3 || groups[ng - 3] == 1) &&
             (dash || dot) && !space)
        strong = true; /* 415-555-0132, 1-800-555-0100, 415.555.0132 */
    else if (t[a] == '0' && ng >= 2 && ndig >= 9 && ndig <= 12)
        strong = true; /* national trunk prefix: 042 078 6381, 06-10446904 */
    if (!strong && !context_near(t, len, a, ext ? ext_end : b, 48, 24, phone_ctx))
        return false;
    if (!strong && ng == 1 && ndig > 12)
        return false;
    *s = (uint32_t)a;
    *e = (uint32_t)(ext ? ext_end : b);
    return true;
}

/* --- credit card --- */
static bool luhn(const unsigned char *d, size_t n)
{
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned x = d[n - 1 - i] - '0';
        if (i & 1) {
            x *= 2;
            if (x > 9)
                x -= 9;
        }
        sum += x;
    }
    return sum % 10 == 0;
}

static bool v_card(const struct vctx *v, uint32_t *s, uint32_t *e, size_t *seen)
{
    const unsigned char *t = v->t;
    size_t end = v->to;
    *seen = end;
    if (end < v->len && (is_alnum(t[end]) || ((t[end] == '-' || t[end] == '.') && end + 1 < v->len && is_digit(t[end + 1]))))
        return false;
    /* walk back over digits and single separators, trying each group start (longest valid wins) */
    unsigned char digits[19];
    unsigned groups[20], ng = 0, nd = 0, cur = 0;
    unsigned char sep = 0;
    size_t p = end;
    bool found = false;
    size_t best = 0;
    while (p > 0 && nd < 19) {
        unsigned char c = t[p - 1];
        if (is_digit(c)) {
            digits[18 - nd] = c;
            nd++;
            cur++;
            p--;
            if (p > 0 && is_digit(t[p - 1]))
                continue;
            groups[ng++] = cur;
            cur = 0;
            /* a candidate start at p */
            if (nd >= 13 && (p == 0 || !is_alnum(t[p - 1]))) {
                bool ok = true;
                if (ng > 1) {
                    /* groups are in reverse order: groups[ng-1] is the first */
                    unsigned first = groups[ng - 1];
                    if (ng == 3 && first == 4 && groups[1] == 6 && (groups[0] == 5 || groups[0] == 4))
                        ok = true; /* Amex 4-6-5, Diners 4-6-4 */
                    else {
                        for (unsigned i = 1; i < ng; i++)
                            if (groups[i] != 4)
                                ok = false;
                        if (groups[0] < 1 || groups[0] > 4)
                            ok = false;
                    }
                }
                const unsigned char *dg = digits + 19 - nd;
                /* issuer prefixes by length: 13 Visa; 14 Diners; 15 Amex/UATP/JCB; 16 Visa/MC/Discover/JCB/
                 * UnionPay/Maestro; 17-19 Visa/Maestro/JCB/UnionPay */
                char d0 = (char)dg[0];
                bool iin = nd == 13   ? d0 == '4'
                           : nd == 14 ? d0 == '3'
                           : nd == 15 ? (d0 == '1' || d0 == '2' || d0 == '3')
                           : nd == 16 ? (d0 >= '2' && d0 <= '6')
                                      : (d0 >= '3' && d0 <= '6');
                if (ok && iin && luhn(dg, nd)) {
                    bool same = true;
                    for (unsigned i = 1; i < nd; i++)
                        same &= dg[i] == dg[0];
                    if (!same) {
                        found = true;
                        best = p;
                    }
                }
            }
            if (p == 0)
                break;
            c = t[p - 1];
            if (c == ' ' || c == '-') {
                if (sep && sep != c)
                    break;
                if (p < 2 || !is_digit(t[p - 2]))
                    break;
                sep = c;
                p--;
                continue;
            }
            break;
        }
        break;
    }
    if (!found)
        return false;
    if (best > 0 && (t[best - 1] == '-' || t[best - 1] == '.') && best > 1 && is_alnum(t[best - 2]))
        return false;
    *s = (uint32_t)best;
    *e = (uint32_t)end;
    return true;
}

/* --- IBAN --- */
static const struct {
    char cc[3];
    unsigned char len;
} iban_lengths[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22}, {"BH", 22}, {"BI", 27},
    {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28},
    {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18}, {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23},
    {"GL", 18}, {"GR", 27}, {"GT", 28}, {"HN", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26},
    {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21},
    {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NI", 28},
    {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24}, {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22},
    {"RU", 33}, {"SA", 24}, {"SC", 31}, {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25},
    {"SV", 28}, {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}, {"YE", 30},
};

static unsigned iban_country_len(unsigned char a, unsigned char b)
{
    a = (unsigned char)(a & ~0x20);
    b = (unsigned char)(b & ~0x20);
    for (size_t i = 0; i < sizeof iban_lengths / sizeof iban_lengths[0]; i++)
        if (iban_lengths[i].cc[0] == a && iban_lengths[i].cc[1] == b)
            return iban_lengths[i].len;
    return 0;
}

/* c: the compact IBAN (n chars, alphanumeric). */
static bool iban_mod97(const unsigned char *c, size_t n)
{
    unsigned rem = 0;
    for (size_t k = 0; k < n; k++) {
        unsigned char ch = c[(k + 4) % n];
        if (is_digit(ch))
            rem = (rem * 10 + (ch - '0')) % 97;
        else if (is_alpha(ch)) {
            unsigned val = (unsigned)(lower(ch) - 'a' + 10);
            rem = (rem * 100 + val) % 97;
        } else
            return false;
    }
    return rem == 1;
}

static bool v_iban(const struct vctx *v, uint32_t *s, uint32_t *e, size_t *seen)
{
    const unsigned char *t = v->t;
    size_t end = v->to;
    *seen = end;
    if (end < v->len && is_alnum(t[end]))
        return false;
    /* collect up to 34 alnum chars backwards across single spaces/dashes */
    unsigned char buf[40];
    size_t nb = 0, p = end;
    unsigned char sep = 0;
    size_t best = SIZE_MAX, best_n = 0;
    while (p > 0 && nb < 34) {
        unsigned char c = t[p - 1];
        if (is_alnum(c)) {
            buf[39 - nb] = c;
            nb++;
            p--;
            /* candidate start at p */
            if (nb >= 15 && (p == 0 || !is_alnum(t[p - 1]))) {
                const unsigned char *cc = buf + 40 - nb;
                if (is_alpha(cc[0]) && is_alpha(cc[1]) && is_digit(cc[2]) && is_digit(cc[3]) &&
                    iban_country_len(cc[0], cc[1]) == nb && iban_mod97(cc, nb)) {
                    best = p;
                    best_n = nb;
                }
            }
            continue;
        }
        if ((c == ' ' || c == '-') && p >= 2 && is_alnum(t[p - 2]) && (!sep || sep == c)) {
            sep = c;
            p--;
            continue;
        }
        break;
    }
    if (best == SIZE_MAX || best_n == 0)
        return false;
    /* mixed case inside one IBAN ("Gb29nWbk") is not an IBAN */
    bool up = false, lo = false;
    for (size_t i = best; i < end; i++)
        up |= is_upper(t[i]), lo |= is_lower(t[i]);
    if (up && lo)
        return false;
    *s = (uint32_t)best;
    *e = (uint32_t)end;
    return true;
}

/* --- US SSN --- */
static const char *const ssn_ctx[] = {"ssn", "social security", "social sec", "ss#", "ss #", "soc sec", NULL};

static bool v_ssn(const struct vctx *v, uint32_t *s, uint32_t *e, size_t *seen)
{
    const unsigned char *t = v->t;
    size_t end = v->to;
    *seen = end;
    unsigned char d[9];
    size_t p = end, nd = 0;
    unsigned char seps[2] = {0, 0};
    unsigned ns = 0;
    while (p > 0 && nd < 9) {
        unsigned char c = t[p - 1];
        if (is_digit(c)) {
            d[8 - nd] = c;
            nd++;
            p--;
            continue;
        }
        if ((c == '-' || c == ' ' || c == '.') && ns < 2 && (nd == 4 || nd == 6)) {
            seps[ns++] = c;
            p--;
            continue;
        }
        break;
    }
    if (nd != 9 || !(ns == 0 || (ns == 2 && seps[0] == seps[1])))
        return false;
    if (!standalone(t, v->len, p, end))
        return false;
    if (ns == 0 && !context_near(t, v->len, p, end, 40, 0, ssn_ctx))
        return false;
    unsigned area = (unsigned)(d[0] - '0') * 100 + (unsigned)(d[1] - '0') * 10 + (unsigned)(d[2] - '0');
    unsigned group = (unsigned)(d[3] - '0') * 10 + (unsigned)(d[4] - '0');
    unsigned serial =
        (unsigned)(d[5] - '0') * 1000 + (unsigned)(d[6] - '0') * 100 + (unsigned)(d[7] - '0') * 10 + (unsigned)(d[8] - '0');
    if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0)
        return false;
    /* numbers published in advertising and documentation */
    if ((area == 78 && group == 5 && serial == 1120) || (area == 219 && group == 9 && serial == 9999) ||
        (area == 123 && group == 45 && serial == 6789))
        return false;
    *s = (uint32_t)p;
    *e = (uint32_t)end;
    return true;
}

/* --- IP addresses --- */
static const char *const version_ctx[] = {"version", "ver ", "ver.", "release", "build", "firmware", "v.", NULL};

static bool v_ipv4(const struct vctx *v, uint32_t *s, uint32_t *e, size_t *seen)
{
    const unsigned char *t = v->t;
    size_t len = v->len, end = v->to;
    *seen = end;
    size_t p = end;
    unsigned octets = 0;
    while (octets < 4) {
        size_t q = p;
        unsigned val = 0, mul = 1, nd = 0;
        while (q > 0 && is_digit(t[q - 1]) && nd < 4) {
            val += (unsigned)(t[q - 1] - '0') * mul;
            mul *= 10;
            q--;
            nd++;
        }
        if (nd == 0 || nd > 3 || val > 255 || (nd > 1 && t[q] == '0'))
            return false;
        octets++;
        p = q;
        if (octets < 4) {
            if (p == 0 || t[p - 1] != '.')
                return false;
            p--;
        }
    }
    size_t a = p, b = end;
    /* not part of a longer dotted sequence, not glued to a word ("v1.2.3.4") */
    if (a > 0 && (is_word(t[a - 1]) || (t[a - 1] == '.' && a > 1 && is_alnum(t[a - 2]))))
        return false;
    if (b < len && (is_word(t[b]) || (t[b] == '.' && b + 1 < len && is_alnum(t[b + 1]))))
        return false;
    if (a > 0 && context_near(t, len, a, b, 12, 0, version_ctx))
        return false;
    /* CIDR suffix */
    if (b + 1 < len && t[b] == '/' && is_digit(t[b + 1])) {
        size_t q = b + 1;
        unsigned val = 0;
        while (q < len && is_digit(t[q]) && q - b <= 3)
            val = val * 10 + (unsigned)(t[q++] - '0');
        if (q - b - 1 <= 2 && val <= 32 && (q >= len || !is_digit(t[q])))
            b = q;
    }
    *s = (uint32_t)a;
    *e = (uint32_t)b;
    *seen = b;
    return true;
}

static bool v_ipv6(const struct vctx *v, uint32_t *s, uint32_t *e, size_t *seen)
{
    const unsigned char *t = v->t;
    size_t len = v->len;
    size_t a = v->to, b = v->to;
    while (a > 0 && (is_hex(t[a - 1]) || t[a - 1] == ':' || t[a - 1] == '.') && v->to - a < 64)
        a--;
    while (b < len && (is_hex(t[b]) || t[b] == ':' || t[b] == '.') && b - a < 64)
        b++;
    *seen = b;
    while (b > a && t[b - 1] == '.')
        b--;
    /* a single leading/trailing ':' is punctuation ("host:" "::" excepted) */
    if (b - a >= 2 && t[a] == ':' && t[a + 1] != ':')
        a++;
    if (b - a >= 2 && t[b - 1] == ':' && t[b - 2] != ':')
        b--;
    if (b - a < 3 || b - a > 45)
        return false;
    if (a > 0 && (is_word(t[a - 1]) || t[a - 1] == ':' || t[a - 1] == '.'))
        return false;
    if (b < len && (is_word(t[b]) && t[b] != '_'))
        return false;
    char buf[64];
    memcpy(buf, t + a, b - a);
    buf[b - a] = 0;
    unsigned char bin[16];
    if (inet_pton(AF_INET6, buf, bin) != 1)
        return false;
    /* require a digit or several groups: "dead::beef" and "a::b" are more likely code */
    unsigned colons = 0, digits = 0;
    for (size_t i = a; i < b; i++)
        colons += t[i] == ':', digits += is_digit(t[i]);
    if (digits == 0 && colons < 4)
        return false;
    if (b - a == 2) /* "::" alone */
        return false;
    /* zone and prefix */
    if (b + 1 < len && t[b] == '%' && is_alnum(t[b + 1])) {
        size_t q = b + 1;
        while (q < len && is_alnum(t[q]) && q - b < 16)
            q++;
        b = q;
    }
    if (b + 1 < len && t[b] == '/' && is_digit(t[b + 1])) {
        size_t q = b + 1;
        unsigned val = 0;
        while (q < len && is_digit(t[q]) && q - b <= 4)
            val = val * 10 + (unsigned)(t[q++] - '0');
        if (q - b - 1 <= 3 && val <= 128 && (q >= len || !is_digit(t[q])))
            b = q;
    }
    *s = (uint32_t)a;
    *e = (uint32_t)b;
    if (b > *seen)
        *seen = b;
    return true;
}

/* --- secrets --- */
static inline bool is_tok_ch(unsigned char c)
{
    return is_alnum(c) || c == '_' || c == '-';
}

static const struct {
    const char *prefix;
    unsigned short min, max; /* body length after the prefix */
    bool upper_digits;       /* body is [A-Z0-9] only */
} key_prefixes[] = {
    {"sk-ant-", 20, 200, false},     {"sk-proj-", 20, 200, false}, {"sk-", 20, 200, false},      {"AKIA", 16, 16, true},
    {"ASIA", 16, 16, true},          {"AGPA", 16, 16, true},       {"AIDA", 16, 16, true},       {"AROA", 16, 16, true},
    {"ANPA", 16, 16, true},          {"ANVA", 16, 16, true},       {"AIPA", 16, 16, true},       {"ghp_", 36, 255, false},
    {"gho_", 36, 255, false},        {"ghu_", 36, 255, false},     {"ghs_", 36, 255, false},     {"ghr_", 36, 255, false},
    {"github_pat_", 22, 255, false}, {"xoxb-", 10, 255, false},    {"xoxp-", 10, 255, false},    {"xoxa-", 10, 255, false},
    {"xoxr-", 10, 255, false},       {"xoxs-", 10, 255, false},    {"xoxo-", 10, 255, false},    {"AIza", 35, 35, false},
    {"sk_live_", 16, 255, false},    {"sk_test_", 16, 255, false}, {"rk_live_", 16, 255, false}, {"rk_test_", 16, 255, false},
    {"glpat-", 20, 20, false},       {"hf_", 30, 40, false},       {"npm_", 36, 36, false},
};

static bool v_key_prefix(const struct vctx *v, uint32_t *s, uint32_t *e, size_t *seen)
{
    const unsigned char *t = v->t;
    size_t a = v->to, b = v->to;
    while (a > 0 && is_tok_ch(t[a - 1]) && v->to - a < 300)
        a--;
    while (b < v->len && is_tok_ch(t[b]) && b - a < 300)
        b++;
    *seen = b;
    /* the token may start with a prefix somewhere (e.g. "Bearer sk-..." has a space; "key=sk-..." not a tok ch) */
    for (size_t i = 0; i < sizeof key_prefixes / sizeof key_prefixes[0]; i++) {
        size_t pl = strlen(key_prefixes[i].prefix);
        if (b - a < pl || memcmp(t + a, key_prefixes[i].prefix, pl) != 0)
            continue;
        size_t body = b - a - pl;
        if (body < key_prefixes[i].min || body > key_prefixes[i].max)
            return false;
        unsigned dig = 0, up = 0, lo = 0;
        for (size_t k = a + pl; k < b; k++) {
            dig += is_digit(t[k]);
            up += is_upper(t[k]);
            lo += is_lower(t[k]);
            if (key_prefixes[i].upper_digits && !(is_upper(t[k]) || is_digit(t[k])))
                return false;
        }
        /* AWS-style ids (fixed length, [A-Z0-9]) need no digit: AKIATESTTESTTESTTEST is still an id */
        if ((dig == 0 && !key_prefixes[i].upper_digits) || (up + lo == 0 && !key_prefixes[i].upper_digits))
            return false;
        if (body >= 20 && entropy(t + a + pl, body) < 3.0)
            return false;
        *s = (uint32_t)a;
        *e = (uint32_t)b;
        return true;
    }
    return false;
}

static bool v_jwt(const struct vctx *v, uint32_t *s, uint32_t *e, size_t *seen)
{
    const unsigned char *t = v->t;
    size_t a = v->to, b = v->to;
    while (a > 0 && (is_tok_ch(t[a - 1]) || t[a - 1] == '.') && v->to - a < 8192)
        a--;
    while (b < v->len && (is_tok_ch(t[b]) || t[b] == '.') && b - a < 8192)
        b++;
    *seen = b;
    while (a < b && t[a] == '.')
        a++;
    while (b > a && t[b - 1] == '.')
        b--;
    if (b - a < 30 || memcmp(t + a, "eyJ", 3) != 0)
        return false;
    unsigned dots = 0;
    for (size_t i = a; i < b; i++)
        dots += t[i] == '.';
    if (dots != 2)
        return false;
    *s = (uint32_t)a;
    *e = (uint32_t)b;
    return true;
}

static bool v_pem(const struct vctx *v, uint32_t *s, uint32_t *e, size_t *seen)
{
    const unsigned char *t = v->t;
    size_t len = v->len;
    size_t a = v->to;
    *seen = v->to;
    /* find "-----BEGIN" backwards */
    size_t lim = a > 80 ? a - 80 : 0;
    while (a > lim && !(a >= 10 && memcmp(t + a - 10, "-----BEGIN", 10) == 0))
        a--;
    if (a < 10 || memcmp(t + a - 10, "-----BEGIN", 10) != 0)
        return false;
    a -= 10;
    /* the END line, or else the base64 body that follows */
    const unsigned char *endm = NULL;
    size_t rest = len - v->to;
    if (rest > 0)
        endm = memmem(t + v->to, rest > 65536 ? 65536 : rest, "-----END", 8);
    size_t b;
    if (endm) {
        b = (size_t)(endm - t) + 8;
        const unsigned char *close = b < len ? memmem(t + b, len - b > 80 ? 80 : len - b, "-----", 5) : NULL;
        b = close ? (size_t)(close - t) + 5 : b;
    } else {
        b = v->to;
        while (b < len && (is_alnum(t[b]) || t[b] == '+' || t[b] == '/' || t[b] == '=' || is_space(t[b])))
            b++;
        while (b > v->to && is_space(t[b - 1]))
            b--;
    }
    *s = (uint32_t)a;
    *e = (uint32_t)b;
    *seen = b;
    return true;
}

/* "password: X", "api_key = 'X'", "secret is X": the keyword is found by Hyperscan, the rest here. */
enum kw_kind { KW_STRONG, KW_WEAK };
static const struct {
    const char *word;
    enum kw_kind kind;
} kw_words[] = {
    {"password", KW_STRONG}, {"passwd", KW_STRONG}, {"passphrase", KW_STRONG}, {"pwd", KW_STRONG},
    {"secret", KW_STRONG},   {"token", KW_STRONG},  {"apikey", KW_STRONG},     {"credential", KW_STRONG},
    {"pass", KW_WEAK},       {"key", KW_WEAK},      {"auth", KW_WEAK},         {"pin", KW_WEAK},
};
static const char *const kw_bad_suffix[] = {"id",     "ids",   "name",   "names", "type",   "types",   "length", "len", "count",
                                            "size",   "file",  "path",   "url",   "field",  "header",  "prefix", "env", "var",
                                            "format", "limit", "limits", "usage", "expiry", "expires", "ttl",    NULL};
static const char *const kw_placeholders[] = {"null",        "none",       "nil",    "true",  "false",    "undefined", "example",
                                              "changeme",    "password",   "secret", "token", "redacted", "hidden",    "your",
                                              "xxx",         "***",        "...",    "<",     "${",       "{{",        "%(",
                                              "process.env", "os.environ", "getenv", "env[",  NULL};

static bool v_keyword(const struct vctx *v, uint32_t *s, uint32_t *e, size_t *seen)
{
    const unsigned char *t = v->t;
    size_t len = v->len;
    /* the identifier around the keyword */
    size_t ka = v->to, kb = v->to;
    while (ka > 0 && (is_word(t[ka - 1]) || t[ka - 1] == '-' || t[ka - 1] == '.') && v->to - ka < 64)
        ka--;
    while (kb < len && (is_word(t[kb]) || t[kb] == '-') && kb - ka < 80)
        kb++;
    *seen = v->to;
    /* which keyword ends at v->to, and is it a segment of the identifier (not "monkey", "tokenizer")? */
    int kind = -1;
    bool pw_word = false; /* password, passwd, passphrase, pwd: digits-only values count */
    for (size_t i = 0; i < sizeof kw_words / sizeof kw_words[0] && kind < 0; i++) {
        size_t n = strlen(kw_words[i].word);
        if (v->to < n + ka)
            continue;
        size_t ws = v->to - n;
        if (!at_word(t, len, ws, kw_words[i].word))
            continue;
        bool left = ws == ka || !is_alnum(t[ws - 1]) || (is_lower(t[ws - 1]) && is_upper(t[ws])) ||
                    (ws >= ka + 3 && at_word(t, len, ws - 3, "api")) || (ws >= ka + 6 && at_word(t, len, ws - 6, "access")) ||
                    (ws >= ka + 6 && at_word(t, len, ws - 6, "client")) || (ws >= ka + 6 && at_word(t, len, ws - 6, "secret")) ||
                    (ws >= ka + 7 && at_word(t, len, ws - 7, "private"));
        size_t we = v->to;
        if (we < kb && lower(t[we]) == 's')
            we++;
        bool right = we == kb || !is_alnum(t[we]) || (is_lower(t[we - 1]) && is_upper(t[we]));
        if (left && right) {
            kind = kw_words[i].kind;
            pw_word = kw_words[i].word[0] == 'p' && kind == KW_STRONG;
        }
    }
    if (kind < 0)
        return false;
    /* the last segment of the identifier must not say it is an id, a name, a length... */
    {
        size_t ls = kb;
        while (ls > ka && is_alnum(t[ls - 1]) && !(ls < kb && is_upper(t[ls]) && is_lower(t[ls - 1])))
            ls--;
        for (const char *const *w = kw_bad_suffix; *w; w++)
            if (ls < len && lower(t[ls]) == (unsigned char)(*w)[0] && kb - ls == strlen(*w) && at_word(t, len, ls, *w))
                return false;
    }
    /* separator */
    size_t p = kb;
    if (p < len && (t[p] == '"' || t[p] == '\''))
        p++;
    while (p < len && (t[p] == ' ' || t[p] == '\t') && p - kb < 4)
        p++;
    bool sep = false;
    if (p < len && (t[p] == '=' || t[p] == ':')) {
        sep = true;
        p++;
        if (p < len && (t[p] == '=' || t[p] == '>'))
            p++;
    } else if (kind == KW_STRONG) {
        if (at_word(t, len, p, "is ") || at_word(t, len, p, "was "))
            p += t[p] == 'i' || t[p] == 'I' ? 3 : 4, sep = true;
        else if (p > kb)
            sep = true; /* "password Qr7!dke#39" */
    }
    if (!sep)
        return false;
    while (p < len && (t[p] == ' ' || t[p] == '\t') && p - kb < 12)
        p++;
    if (sep && kind == KW_STRONG && (p >= len || t[p] == '\n' || t[p] == '\r')) {
        /* an empty value: the value is on the next, more indented line(s) ("secrets =\n    hunter2" in INI,
         * "password:\n    secure: X" in YAML); the span covers those lines */
        size_t ls = ka;
        while (ls > 0 && t[ls - 1] != '\n')
            ls--;
        size_t ind = 0;
        while (ls + ind < ka && (t[ls + ind] == ' ' || t[ls + ind] == '\t'))
            ind++;
        size_t q0 = p, first = 0, last = 0;
        for (int line = 0; line < 4; line++) {
            while (q0 < len && t[q0] != '\n')
                q0++;
            if (q0 >= len)
                break;
            size_t l = ++q0, i2 = 0;
            while (l + i2 < len && (t[l + i2] == ' ' || t[l + i2] == '\t'))
                i2++;
            if (i2 <= ind || l + i2 >= len || t[l + i2] == '\n' || t[l + i2] == '#' || t[l + i2] == ';')
                break;
            size_t vs2 = l + i2, ve2 = vs2;
            while (ve2 < len && t[ve2] != '\n' && t[ve2] != '\r')
                ve2++;
            /* a nested "key: value": the value */
            for (size_t c = vs2; c + 1 < ve2; c++)
                if (t[c] == ':' && t[c + 1] == ' ') {
                    vs2 = c + 2;
                    while (vs2 < ve2 && t[vs2] == ' ')
                        vs2++;
                    break;
                }
            bool word = ve2 - vs2 >= 6;
            for (size_t c = vs2; c < ve2 && word; c++)
                word = !is_space(t[c]);
            if (!word)
                break;
            if (!first)
                first = vs2;
            last = ve2;
            q0 = ve2;
        }
        if (!first)
            return false;
        *s = (uint32_t)first;
        *e = (uint32_t)last;
        *seen = last;
        return true;
    }
    unsigned char q = 0;
    if (p < len && (t[p] == '"' || t[p] == '\'' || t[p] == '`'))
        q = t[p++];
    size_t vs = p, ve = p;
    if (q) {
        while (ve < len && t[ve] != q && t[ve] != '\n' && ve - vs < 512)
            ve++;
        if (ve >= len || t[ve] != q)
            return false;
    } else {
        while (ve < len && !is_space(t[ve]) && t[ve] != ',' && t[ve] != ';' && t[ve] != '"' && t[ve] != '\'' && t[ve] != '`' &&
               t[ve] != ')' && t[ve] != '}' && t[ve] != ']' && t[ve] != '<' && t[ve] != '>' && ve - vs < 512)
            ve++;
        /* a sentence's final period is not part of the value */
        while (ve > vs && (t[ve - 1] == '.' || t[ve - 1] == ':'))
            ve--;
    }
    size_t n = ve - vs;
    if (n < 6 || n > 512)
        return false;
    for (size_t i = vs; i < ve; i++)
        if (t[i] == ' ' || t[i] == '\t' || (t[i] == '@' && memchr(t + i, '.', ve - i)) ||
            (t[i] == ':' && i + 2 < ve && t[i + 1] == '/'))
            return false; /* prose, an email address or a URL, not a value */
    for (const char *const *w = kw_placeholders; *w; w++) {
        size_t wl = strlen(*w);
        if (wl > n)
            continue;
        bool whole = (*w)[0] >= 'a' && (*w)[0] <= 'z' && wl >= 4;
        if (whole) {
            if (n == wl && at_word(t, len, vs, *w))
                return false;
            if ((strcmp(*w, "your") == 0 || strcmp(*w, "example") == 0) && at_word(t, len, vs, *w))
                return false;
        } else {
            for (size_t i = vs; i + wl <= ve; i++)
                if (at_word(t, len, i, *w))
                    return false;
        }
    }
    unsigned dig = 0, up = 0, lo = 0, sym = 0;
    for (size_t i = vs; i < ve; i++) {
        unsigned char c = t[i];
        dig += is_digit(c);
        up += is_upper(c);
        lo += is_lower(c);
        sym += !is_alnum(c);
    }
    unsigned classes = (dig > 0) + (up > 0) + (lo > 0) + (sym > 0);
    if (dig == n && (kind == KW_WEAK || n < 6))
        return false; /* "pin: 1234", "key = 678912345" */
    if (dig == n && pw_word && n >= 8) {
        *s = (uint32_t)vs; /* "password = 12345678901234" */
        *e = (uint32_t)ve;
        *seen = ve;
        return true;
    }
    if (kind == KW_WEAK && up + lo < 2)
        return false; /* "keyB = 456789123a" */
    /* identifiers and dotted names in code: "self.token", "config.api_key", "get_token()" */
    if (!q) {
        if (dig == 0 && sym > 0) {
            bool ident = true;
            for (size_t i = vs; i < ve; i++)
                if (!(is_alnum(t[i]) || t[i] == '_' || t[i] == '.' || t[i] == '-' || t[i] == '(' || t[i] == '[' || t[i] == ':'))
                    ident = false; /* "self.token", "detect_secrets.main:detect_secrets" */
            if (ident)
                return false;
        }
        if (classes < 2 || (dig == 0 && sym == 0))
            return false;
    } else {
        if (classes < 2 && entropy(t + vs, n) < 3.0)
            return false;
    }
    if (kind == KW_WEAK && !q && classes < 3 && entropy(t + vs, n) < 3.0)
        return false;
    *s = (uint32_t)vs;
    *e = (uint32_t)ve;
    *seen = ve;
    return true;
}

/* The password in "scheme://user:password@host". */
static bool v_url_cred(const struct vctx *v, uint32_t *s, uint32_t *e, size_t *seen)
{
    const unsigned char *t = v->t;
    *seen = v->to;
    size_t at = v->to - 1; /* t[at] == '@' */
    size_t p = at;
    while (p > 0 && t[p - 1] != ':')
        p--;
    if (p == 0 || at - p < 3)
        return false;
    if (at - p >= 3 && (t[p] == '<' || t[p] == '$' || t[p] == '{' || t[p] == '*'))
        return false;
    if (at - p == 8 && at_word(t, v->len, p, "password"))
        return false;
    *s = (uint32_t)p;
    *e = (uint32_t)at;
    return true;
}

/* "user@example.com / S3cret!pw": the token after an email address and a slash or bar. */
static bool v_login_pair(const struct vctx *v, uint32_t *s, uint32_t *e, size_t *seen)
{
    const unsigned char *t = v->t;
    size_t a = v->to - 1, b = a;
    while (b < v->len && !is_space(t[b]) && t[b] != ',' && t[b] != ';' && t[b] != '"' && t[b] != '\'' && b - a < 128)
        b++;
    *seen = b;
    while (b > a && (t[b - 1] == '.' || t[b - 1] == ')'))
        b--;
    size_t n = b - a;
    if (n < 6 || n > 127)
        return false;
    unsigned dig = 0, up = 0, lo = 0, sym = 0;
    for (size_t i = a; i < b; i++)
        dig += is_digit(t[i]), up += is_upper(t[i]), lo += is_lower(t[i]), sym += !is_alnum(t[i]);
    if ((dig > 0) + (up > 0) + (lo > 0) + (sym > 0) < 3)
        return false;
    *s = (uint32_t)a;
    *e = (uint32_t)b;
    return true;
}

/* A long base64/hex-looking string assigned to something: "mimi=gX69YO4Cv...", 'x: "8b1118b3..."'. */
static bool v_assigned_entropy(const struct vctx *v, uint32_t *s, uint32_t *e, size_t *seen)
{
    const unsigned char *t = v->t;
    size_t len = v->len;
    size_t a = v->to, b = v->to;
    while (a > 0 && (is_alnum(t[a - 1]) || t[a - 1] == '+' || t[a - 1] == '/' || t[a - 1] == '_' || t[a - 1] == '-') &&
           v->to - a < 1024)
        a--;
    while (b < len && (is_alnum(t[b]) || t[b] == '+' || t[b] == '/' || t[b] == '_' || t[b] == '-' || t[b] == '=') && b - a < 1024)
        b++;
    *seen = b;
    size_t n = b - a;
    if (n < 20 || n > 1000)
        return false;
    if (b < len &&
        !(is_space(t[b]) || t[b] == '"' || t[b] == '\'' || t[b] == ',' || t[b] == ';' || t[b] == ')' || t[b] == '}' || t[b] == '`'))
        return false;
    /* assigned: preceded by optional quote, spaces, and '=' or ':' */
    size_t p = a;
    if (p > 0 && (t[p - 1] == '"' || t[p - 1] == '\''))
        p--;
    while (p > 0 && t[p - 1] == ' ')
        p--;
    if (p == 0 || (t[p - 1] != '=' && t[p - 1] != ':'))
        return false;
    /* digests are not secrets */
    static const char *const digest_words[] = {"sha", "md5", "hash", "checksum", "digest", "commit", "etag", "integrity", NULL};
    if (context_near(t, len, p, p, 24, 0, digest_words))
        return false;
    unsigned dig = 0, up = 0, lo = 0, hex = 0, slash = 0, dash = 0;
    for (size_t i = a; i < b; i++) {
        dig += is_digit(t[i]);
        up += is_upper(t[i]);
        lo += is_lower(t[i]);
        hex += is_hex(t[i]);
        slash += t[i] == '/';
        dash += t[i] == '-';
    }
    if (slash > 2 || dig == 0)
        return false; /* paths */
    /* UUIDs are identifiers */
    if (n == 36 && dash == 4 && t[a + 8] == '-' && t[a + 13] == '-')
        return false;
    double h = entropy(t + a, n);
    if (hex == n) {
        if (n < 32 || h < 3.0)
            return false;
    } else {
        if (up == 0 || lo == 0 || h < 4.2)
            return false;
    }
    *s = (uint32_t)a;
    *e = (uint32_t)b;
    return true;
}

/* --- person and address: Hyperscan gives the start (SOM); these check the words --- */
static const char *const not_names[] = {
    "the",     "and",        "or",       "but",       "of",       "in",       "on",       "at",       "to",    "for",   "with",
    "from",    "by",         "is",       "was",       "are",      "street",   "road",     "avenue",   "lane",  "drive", "monday",
    "tuesday", "wednesday",  "thursday", "friday",    "saturday", "sunday",   "january",  "february", "march", "april", "may",
    "june",    "july",       "august",   "september", "october",  "november", "december", "company",  "inc",   "ltd",   "llc",
    "corp",    "university", "school",   "hospital",  "bank",     "city",     "county",   "state",    "new",   "north", "south",
    "east",    "west",       "said",     "says",      "please",   "thanks",   "thank",    "dear",     "hello", "hi",    "team",
    "group",   "department", "office",   "i",         "i'm",      "i've",     "i'll",     "i'd",      "it",    "he",    "she",
    "we",      "they",       "you",      "his",       "her",      "this",     "that",     "there",    "here",  "when",  "what",
    "who",     "how",        "if",       "as",        NULL};

static bool is_not_name(const unsigned char *t, size_t len, size_t a, size_t b)
{
    for (const char *const *w = not_names; *w; w++)
        if (a < len && lower(t[a]) == (unsigned char)(*w)[0] && b - a == strlen(*w) && at_word(t, len, a, *w))
            return true;
    return false;
}

static const char *const honorifics[] = {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "madam", "mx", NULL};
/* words after which a capitalised word is taken for a name ("my name is X", "said X", "Dear X") */
static const char *const person_leads[] = {"is",   "name", "me", "said",  "says",   "asked",
                                           "told", "dear", "hi", "hello", "thanks", NULL};
/* first names that are also common words, places or languages: never a name on their own */
static const char *const ambiguous_names[] = {
    "mark",     "grace",   "rose",   "iris",   "ivy",      "violet", "hazel", "aurora",    "victoria", "virginia", "jordan",
    "frank",    "jack",    "ruby",   "julia",  "bill",     "sofia",  "lily",  "stella",    "harper",   "riley",    "miles",
    "hudson",   "carter",  "mason",  "austin", "lawrence", "hope",   "joy",   "summer",    "chase",    "martin",   "simon",
    "victor",   "hector",  "oscar",  "felix",  "hugo",     "scott",  "carol", "christian", "nancy",    "georgia",  "paris",
    "florence", "chelsea", "sydney", "israel", "ravi",     "rahul",  "raj",   NULL};

/* A known first name on its own, not at the start of a sentence ("they had 6: Malon, Mark and Kaylee"). */
static bool v_first_name(const struct vctx *v, uint32_t *s, uint32_t *e, size_t *seen)
{
    const unsigned char *t = v->t;
    size_t len = v->len, b = v->to, a = b;
    *seen = b;
    while (a > 0 && is_alpha(t[a - 1]))
        a--;
    /* the trigger has no word boundaries: the whole word must be the name (one capital, at its start) */
    if (b < len && (is_alnum(t[b]) || t[b] >= 0x80))
        return false;
    if (a > 0 && (is_digit(t[a - 1]) || t[a - 1] >= 0x80))
        return false;
    for (size_t i = a + 1; i < b; i++)
        if (is_upper(t[i]))
            return false;
    if (b - a <= 3 || (a > 0 && (t[a - 1] == '-' || t[a - 1] == '_' || t[a - 1] == '@' || t[a - 1] == '/')) ||
        (b < len && (t[b] == '-' || t[b] == '@' || t[b] == '_' || (t[b] == '.' && b + 1 < len && is_alnum(t[b + 1])))))
        return false;
    for (const char *const *w = ambiguous_names; *w; w++)
        if (a < len && lower(t[a]) == (unsigned char)(*w)[0] && b - a == strlen(*w) && at_word(t, len, a, *w))
            return false;
    /* the previous non-space character: none, or the end of a sentence, means a sentence start */
    size_t p = a;
    while (p > 0 && (t[p - 1] == ' ' || t[p - 1] == '\t'))
        p--;
    if (p == 0 || t[p - 1] == '.' || t[p - 1] == '!' || t[p - 1] == '?' || t[p - 1] == '\n' || t[p - 1] == '"' || t[p - 1] == '>' ||
        t[p - 1] == '#' || t[p - 1] == '*' || t[p - 1] == '(' || t[p - 1] == '[')
        return false;
    *s = (uint32_t)a;
    *e = (uint32_t)b;
    return true;
}

static bool v_person(const struct vctx *v, uint32_t *s, uint32_t *e, size_t *seen)
{
    const unsigned char *t = v->t;
    size_t len = v->len;
    *seen = v->to;
    size_t b = v->to;
    /* the trigger ends after a capital letter: a middle initial ("J. Smith") or the capitalised word */
    if (b + 2 < len && t[b] == '.' && t[b + 1] == ' ' && is_upper(t[b + 2]))
        b += 3;
    while (b < len && (is_lower(t[b]) || t[b] >= 0x80 || t[b] == '\'' || t[b] == '-'))
        b++;
    if (b - v->to < 1 && !(b > 0 && is_lower(t[b - 1])))
        return false;
    if (b < len && (is_upper(t[b]) || is_digit(t[b]) || t[b] == '_'))
        return false;
    /* from the end: the capitalised word, an optional middle initial, then the word before it (a first
     * name, an honorific, or the lead-in "my name is"/"name:") */
    size_t a = b;
    while (a > 0 && (is_alpha(t[a - 1]) || t[a - 1] >= 0x80 || t[a - 1] == '\'' || t[a - 1] == '-'))
        a--;
    size_t p = a;
    while (p > 0 && (t[p - 1] == ' ' || t[p - 1] == '\t'))
        p--;
    if (p >= 2 && t[p - 1] == '.' && is_upper(t[p - 2]) && (p < 3 || !is_alpha(t[p - 3]))) {
        p -= 2; /* middle initial */
        while (p > 0 && (t[p - 1] == ' ' || t[p - 1] == '\t'))
            p--;
    }
    size_t w1e = p;
    if (w1e > 0 && (t[w1e - 1] == '.' || t[w1e - 1] == ':' || t[w1e - 1] == '?' || t[w1e - 1] == ','))
        w1e--;
    size_t w1 = w1e;
    while (w1 > 0 && is_alpha(t[w1 - 1]))
        w1--;
    bool lead = false;
    for (const char *const *h = honorifics; *h; h++)
        if (w1 < len && lower(t[w1]) == (unsigned char)(*h)[0] && w1e - w1 == strlen(*h) && at_word(t, len, w1, *h))
            lead = true;
    for (const char *const *l = person_leads; *l; l++)
        if (w1 < len && lower(t[w1]) == (unsigned char)(*l)[0] && w1e - w1 == strlen(*l) && at_word(t, len, w1, *l))
            lead = true;
    if (!lead)
        a = w1; /* "John [Q.] Smith" */
    if (a >= b || !is_upper(t[a]))
        return false;
    /* extend over up to two following capitalised words on the same line */
    size_t q = b;
    for (int k = 0; k < 2; k++) {
        size_t r = q;
        if (r < len && t[r] == ' ')
            r++;
        else
            break;
        size_t ws = r;
        if (!(r < len && is_upper(t[r])))
            break;
        r++;
        while (r < len && (is_lower(t[r]) || t[r] >= 0x80 || t[r] == '\'' || t[r] == '-'))
            r++;
        if (r - ws < 2 || (r < len && (is_upper(t[r]) || is_digit(t[r]))) || is_not_name(t, len, ws, r))
            break;
        q = r;
    }
    b = q;
    /* no word may be a stop word ("Monday", "Street", "The") */
    size_t ws = a;
    for (size_t i = a; i <= b; i++) {
        if (i == b || t[i] == ' ' || t[i] == '\t') {
            if (i > ws && is_not_name(t, len, ws, i))
                return false;
            ws = i + 1;
        }
    }
    *s = (uint32_t)a;
    *e = (uint32_t)b;
    *seen = b;
    return true;
}

static const char *const addr_stop[] = {"the", "a",       "an",    "to",    "down", "up",    "along",  "of",   "on",  "in", "at",
                                        "my",  "your",    "his",   "her",   "our",  "their", "this",   "that", "and", "or", "miles",
                                        "km",  "minutes", "hours", "years", "days", "times", "people", "cars", NULL};

static bool is_addr_stop(const unsigned char *t, size_t len, size_t a, size_t b)
{
    for (const char *const *w = addr_stop; *w; w++)
        if (a < len && lower(t[a]) == (unsigned char)(*w)[0] && b - a == strlen(*w) && at_word(t, len, a, *w))
            return true;
    return false;
}

static inline bool is_street_ch(unsigned char c)
{
    return is_alpha(c) || c >= 0x80 || c == '\'' || c == '.' || c == '-';
}

/* "<number> <1-4 words> <suffix>": the trigger is the suffix word; look back for the words and the number. */
static bool v_addr_suffix(const struct vctx *v, uint32_t *s, uint32_t *e, size_t *seen)
{
    const unsigned char *t = v->t;
    size_t len = v->len;
    *seen = v->to;
    size_t b = v->to;
    if (b < len && t[b] == '.')
        b++;
    size_t p = v->to;
    while (p > 0 && is_alpha(t[p - 1]))
        p--; /* start of the suffix */
    unsigned words = 0;
    for (;;) {
        size_t q = p;
        while (q > 0 && (t[q - 1] == ' ' || t[q - 1] == '\t'))
            q--;
        if (q == p || q == 0)
            return false;
        size_t ws = q;
        while (ws > 0 && is_street_ch(t[ws - 1]) && q - ws < 40)
            ws--;
        if (ws == q) {
            /* a number? */
            size_t ns = q;
            if (ns > 0 && is_alpha(t[ns - 1]) && ns > 1 && is_digit(t[ns - 2]))
                ns--; /* "12b" */
            size_t de = ns;
            while (ns > 0 && is_digit(t[ns - 1]) && de - ns < 6)
                ns--;
            if (ns == de || de - ns > 5 || words == 0)
                return false;
            if (ns > 0 && (is_alnum(t[ns - 1]) || t[ns - 1] == '.' || t[ns - 1] == ',' || t[ns - 1] == '$' || t[ns - 1] == '-'))
                return false;
            *s = (uint32_t)ns;
            *e = (uint32_t)b;
            return true;
        }
        if (is_addr_stop(t, len, ws, q) || ++words > 4)
            return false;
        p = ws;
    }
}

/* "Nassaustraat 123": the trigger covers the street word's ending and the number; find the word's start. */
static bool v_addr_eu(const struct vctx *v, uint32_t *s, uint32_t *e, size_t *seen)
{
    const unsigned char *t = v->t;
    *seen = v->to;
    size_t a = v->to;
    while (a > 0 && !is_space(t[a - 1]))
        a--; /* the number */
    while (a > 0 && is_space(t[a - 1]))
        a--;
    while (a > 0 && (is_alpha(t[a - 1]) || t[a - 1] >= 0x80 || t[a - 1] == '-') && v->to - a < 64)
        a--;
    if (a > 0 && (is_digit(t[a - 1]) || t[a - 1] == '_'))
        return false;
    *s = (uint32_t)a;
    *e = (uint32_t)v->to;
    return true;
}

/* "48 Rue Abdelaziz", "12, via Roma": the trigger is the street word and the next word's first letter. */
static bool v_addr_prefix(const struct vctx *v, uint32_t *s, uint32_t *e, size_t *seen)
{
    const unsigned char *t = v->t;
    size_t len = v->len;
    size_t b = v->to;
    while (b < len && is_street_ch(t[b]))
        b++;
    *seen = b;
    /* the street keyword starts after the spaces before the last word */
    size_t p = v->to - 1;
    while (p > 0 && (t[p - 1] == ' ' || t[p - 1] == '\t'))
        p--;
    while (p > 0 && is_alpha(t[p - 1]))
        p--;
    size_t q = p;
    while (q > 0 && (t[q - 1] == ' ' || t[q - 1] == '\t'))
        q--;
    if (q > 0 && t[q - 1] == ',')
        q--;
    size_t de = q;
    while (q > 0 && is_digit(t[q - 1]) && de - q < 6)
        q--;
    if (q == de || de - q > 5 || de == p || (q > 0 && (is_alnum(t[q - 1]) || t[q - 1] == '.' || t[q - 1] == '$')))
        return false;
    /* up to two more capitalised words */
    for (int k = 0; k < 2; k++) {
        size_t r = b;
        if (r + 1 < len && t[r] == ' ' && is_upper(t[r + 1])) {
            r++;
            while (r < len && is_street_ch(t[r]))
                r++;
            b = r;
        } else
            break;
    }
    *s = (uint32_t)q;
    *e = (uint32_t)b;
    *seen = b;
    return true;
}

/* "lives at Jakobi 69", "address: 19 Sokolska 1475": after an address lead-in, the rest of the line's clause,
 * if it holds a house number. */
static bool v_addr_lead(const struct vctx *v, uint32_t *s, uint32_t *e, size_t *seen)
{
    const unsigned char *t = v->t;
    size_t len = v->len;
    size_t a = v->to - 1; /* the trigger ends with the first character of the address */
    size_t b = a;
    bool digit = false;
    while (b < len && b - a < 80 && t[b] != '\n' && t[b] != ',' && t[b] != ';' && t[b] != '?' && t[b] != '!' && t[b] != '(' &&
           !(t[b] == '.' && (b + 1 >= len || is_space(t[b + 1]))))
        digit |= is_digit(t[b++]);
    *seen = b;
    while (b > a && is_space(t[b - 1]))
        b--;
    if (!digit || b - a < 4)
        return false;
    /* a house number must be a word of 1-5 digits (optionally with a letter) */
    bool house = false;
    for (size_t i = a; i < b; i++) {
        if (!is_digit(t[i]) || (i > a && is_alnum(t[i - 1])))
            continue;
        size_t j = i;
        while (j < b && is_digit(t[j]))
            j++;
        if (j - i <= 5 && (j == b || !is_alnum(t[j]) || (j + 1 <= b && is_alpha(t[j]) && (j + 1 == b || !is_alnum(t[j + 1])))))
            house = true;
    }
    if (!house)
        return false;
    *s = (uint32_t)a;
    *e = (uint32_t)b;
    return true;
}

/* "Apt. 974", "Suite 446", "P.O. Box 1234": look back from the number for the keyword. */
static bool v_addr_unit(const struct vctx *v, uint32_t *s, uint32_t *e, size_t *seen)
{
    static const char *const kws[] = {"psc ",     "cmr ",    "apt",    "apartment", "suite", "unit",
                                      "p.o. box", "p.o.box", "po box", "p o box",   NULL};
    const unsigned char *t = v->t;
    *seen = v->to;
    size_t lim = v->to > 24 ? v->to - 24 : 0;
    for (size_t p = v->to; p-- > lim;) {
        if (p > 0 && is_alnum(t[p - 1]))
            continue;
        for (const char *const *k = kws; *k; k++)
            if (at_word(t, v->len, p, *k)) {
                *s = (uint32_t)p;
                *e = (uint32_t)v->to;
                return true;
            }
    }
    return false;
}

/* ---------------------------------------------------------------------------------------------- */
/* The detector table: one row per Hyperscan pattern.                                              */

struct detector {
    enum sov_pii_type type;
    unsigned char prio; /* overlap resolution: higher wins, then longer */
    bool som;           /* needs the start of match from Hyperscan */
    unsigned flags;     /* extra HS_FLAG_* */
    validator_fn validate;
    const char *regex;
};

#define FIRST_NAMES                                                                                                                \
    "James|John|Robert|Michael|William|David|Richard|Joseph|Thomas|Charles|Christopher|Daniel|Matthew|Anthony|Mark|"               \
    "Donald|Steven|Paul|Andrew|Joshua|Kenneth|Kevin|Brian|George|Timothy|Ronald|Edward|Jason|Jeffrey|Ryan|Jacob|Gary|"             \
    "Nicholas|Eric|Jonathan|Stephen|Larry|Justin|Scott|Brandon|Benjamin|Samuel|Gregory|Alexander|Frank|Patrick|"                   \
    "Raymond|Jack|Dennis|Jerry|Tyler|Aaron|Jose|Adam|Nathan|Henry|Douglas|Zachary|Peter|Kyle|Ethan|Walter|Noah|"                   \
    "Jeremy|Christian|Keith|Roger|Terry|Gerald|Harold|Sean|Austin|Carl|Arthur|Lawrence|Dylan|Jesse|Jordan|Bryan|Billy|"            \
    "Joe|Bruce|Gabriel|Logan|Albert|Willie|Alan|Juan|Wayne|Elijah|Randy|Roy|Vincent|Ralph|Eugene|Russell|Bobby|Mason|"             \
    "Philip|Louis|Mary|Patricia|Jennifer|Linda|Elizabeth|Barbara|Susan|Jessica|Sarah|Karen|Lisa|Nancy|Betty|Margaret|"             \
    "Sandra|Ashley|Kimberly|Emily|Donna|Michelle|Carol|Amanda|Dorothy|Melissa|Deborah|Stephanie|Rebecca|Sharon|Laura|"             \
    "Cynthia|Kathleen|Amy|Angela|Shirley|Anna|Brenda|Pamela|Emma|Nicole|Helen|Samantha|Katherine|Christine|Debra|"                 \
    "Rachel|Carolyn|Janet|Catherine|Maria|Heather|Diane|Ruth|Julie|Olivia|Joyce|Virginia|Victoria|Kelly|Lauren|"                   \
    "Christina|Joan|Evelyn|Judith|Megan|Andrea|Cheryl|Hannah|Jacqueline|Martha|Gloria|Teresa|Ann|Sara|Madison|Frances|"            \
    "Kathryn|Janice|Jean|Abigail|Alice|Julia|Judy|Sophia|Grace|Denise|Amber|Doris|Marilyn|Danielle|Beverly|Isabella|"              \
    "Theresa|Diana|Natalie|Brittany|Charlotte|Marie|Kayla|Alexis|Lori|Tiffany|Colleen|Shelby|Jane|Tracy|Lily|Sylvia|"              \
    "Erin|Priya|Rahul|Arun|Amit|Anil|Sunil|Ravi|Raj|Vijay|Sanjay|Deepak|Pooja|Neha|Anjali|Sunita|Mohammed|Muhammad|"               \
    "Ahmed|Ali|Omar|Hassan|Fatima|Aisha|Wei|Li|Ming|Hiroshi|Yuki|Kenji|Akira|Sakura|Hans|Klaus|Jurgen|Stefan|Wolfgang|"            \
    "Dieter|Helmut|Uwe|Frank|Sabine|Ursula|Monika|Petra|Pierre|Jean|Jacques|Michel|Philippe|Alain|Nicolas|Julien|"                 \
    "Camille|Sophie|Marie|Nathalie|Isabelle|Giuseppe|Giovanni|Marco|Luca|Francesco|Alessandro|Matteo|Giulia|Chiara|"               \
    "Francesca|Carlos|Luis|Miguel|Javier|Antonio|Manuel|Pedro|Pablo|Alejandro|Sofia|Lucia|Carmen|Elena|Ana|Ivan|Dmitri|"           \
    "Sergei|Vladimir|Olga|Natalia|Irina|Tatiana|Lars|Nils|Erik|Anders|Jan|Piotr|Tomasz|Katarzyna|Magdalena|Wijtze|"                \
    "Filip|Ronald|Arne|Emil|Oscar|Hugo|Leo|Max|Felix|Lukas|Jonas|Finn|Mia|Lena|Lea|Laura|Nora|Ida|Freya|Astrid|Ingrid|"            \
    "Karin|Helena|Samira|Mark|Lisa|Emily|Brian|Jake|Josh|Tom|Tim|Bob|Bill|Jim|Mike|Dave|Steve|Chris|Matt|Nick|Ben|Sam|"            \
    "Alex|Kate|Katie|Liz|Beth|Meg|Jenny|Jen|Becky|Vicky|Maggie|Ellen|Eleanor|Lucy|Ella|Chloe|Zoe|Ruby|Isla|Ava|"                   \
    "Harper|Aria|Layla|Riley|Nora|Zara|Leah|Stella|Hazel|Violet|Aurora|Naomi|Eva|Ivy|Clara|Iris|Rose|Alice|Liam|Lucas|"            \
    "Oliver|Elias|Sebastian|Theo|Owen|Caleb|Isaac|Luke|Julian|Levi|Miles|Ezra|Hudson|Carter|Wyatt|Grayson|Leonardo|"               \
    "Diego|Mateo|Santiago|Rafael|Fernando|Ricardo|Roberto|Eduardo|Sergio|Mario|Jorge|Andres|Victor|Hector|Ruben|Martin|"           \
    "Simon|Oskar|Viktor|Mikhail|Andrei|Boris|Yuri|Pavel|Kristoffer|Rasmus|Mads|Soren|Bjorn|Sven|Leif|Knut|Olav|Anton|"             \
    "Nina|Maja|Ewa|Agnieszka|Zuzana|Jana|Eva|Petr|Jiri|Karel|Tomas|Marek|Ondrej|Laszlo|Istvan|Zoltan|Gabor|Bence"

static const struct detector detectors[] = {
    /* email: a local-part character, '@', a domain with a TLD */
    {SOV_PII_EMAIL, 65, false, 0, v_email,
     "[A-Za-z0-9_%+\\-]@[A-Za-z0-9](?:[A-Za-z0-9\\-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9\\-]+)*\\.(?:xn--[A-Za-z0-9\\-]+|[A-Za-z]{2,24})"
     "\\b"},
    /* phone: a run of 7+ digits with separators (the validator finds a leading "+" or "(" itself) */
    {SOV_PII_PHONE, 50, false, 0, v_phone, "\\d[\\d \\-.()]{5,24}\\d\\b"},
    /* payment cards: 13-19 digits, optionally grouped */
    {SOV_PII_CREDIT_CARD, 75, false, 0, v_card, "\\b\\d{4}(?:[ \\-]?\\d){9,15}\\b"},
    /* IBAN: country, check digits, BBAN (compact or in groups of four) */
    {SOV_PII_IBAN, 80, false, HS_FLAG_CASELESS, v_iban, "\\b[A-Z]{2}\\d{2}(?:[ \\-]?[A-Z0-9]{1,4}){3,8}\\b"},
    /* US SSN: 3-2-4 with one separator kind; bare 9 digits only near an SSN keyword (validator) */
    {SOV_PII_SSN, 70, false, 0, v_ssn, "\\b\\d{3}([\\- .])\\d{2}[\\- .]\\d{4}\\b"},
    {SOV_PII_SSN, 70, false, 0, v_ssn, "\\b\\d{9}\\b"},
    /* IPv4 with an optional CIDR prefix (validator), IPv6 (validator parses the token) */
    {SOV_PII_IP_ADDRESS, 60, false, 0, v_ipv4, "\\b\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\b"},
    {SOV_PII_IP_ADDRESS, 60, false, HS_FLAG_CASELESS, v_ipv6, "[0-9a-f]{0,4}:[0-9a-f]{0,4}:[0-9a-f]{1,4}"},
    {SOV_PII_IP_ADDRESS, 60, false, HS_FLAG_CASELESS, v_ipv6, "[0-9a-f]{1,4}::"},
    /* secrets */
    {SOV_PII_SECRET, 90, false, 0, v_key_prefix,
     "(?:sk-|AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA|gh[pousr]_|github_pat_|xox[abposr]-|AIza|[sr]k_(?:live|test)_|glpat-|hf_|npm_)"
     "[A-Za-z0-9_\\-]{10}"},
    {SOV_PII_SECRET, 90, false, 0, v_jwt, "eyJ[A-Za-z0-9_\\-]{5,}\\.eyJ[A-Za-z0-9_\\-]{5}"},
    {SOV_PII_SECRET, 92, false, 0, v_pem, "-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----"},
    {SOV_PII_SECRET, 88, false, HS_FLAG_CASELESS, v_keyword,
     "pass(?:word|wd|phrase)?|pwd|secret|token|apikey|credential|key|auth|pin"},
    {SOV_PII_SECRET, 89, false, 0, v_url_cred, "://[^/\\s:@]{1,64}:[^/\\s@]{1,128}@"},
    {SOV_PII_SECRET, 89, false, 0, v_login_pair, "[A-Za-z0-9]@[A-Za-z0-9.\\-]+\\.[A-Za-z]{2,24}[ \\t]{0,3}[/|][ \\t]{0,3}[^\\s]"},
    {SOV_PII_SECRET, 85, false, 0, v_assigned_entropy, "[=:][ ]{0,3}[\"']?[A-Za-z0-9+/_\\-]{20}"},
    /* person: honorific + capitalised word; known first name + capitalised word; "my name is X". The triggers
     * end inside the capitalised word; the validator finishes it */
    {SOV_PII_PERSON, 20, false, 0, v_person,
     "\\b(?:[Mm]r|[Mm]rs|[Mm]s|[Mm]iss|[Dd]r|[Pp]rof|[Ss]ir|[Mm]adam|[Mm]x)\\.?[ \\t]+[A-Z]"},
    {SOV_PII_PERSON, 20, false, 0, v_person, "\\b(?:" FIRST_NAMES ")[ \\t]+[A-Z]"},
    {SOV_PII_PERSON, 20, false, 0, v_person,
     "\\b(?:[Nn]ame is|[Nn]ame[:?]|call me|calls me|said|says|asked|told|[Dd]ear|[Hh]i|[Hh]ello|[Tt]hanks),?[ \\t]+[A-Z]"},
    {SOV_PII_PERSON, 19, false, 0, v_first_name, "(?:" FIRST_NAMES ")"}, /* plain literals: \\b here costs 2x */
    /* addresses: number + street words + suffix; European street words + number; "12 Rue X"; units, PO boxes */
    {SOV_PII_ADDRESS, 30, false, HS_FLAG_CASELESS, v_addr_suffix,
     "[ \\t](?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|place|pl|square|sq|terrace|"
     "parkway|pkwy|highway|hwy|way|circle|cir|crescent|close|row|trail|alley)\\b"},
    {SOV_PII_ADDRESS, 30, false, HS_FLAG_CASELESS, v_addr_eu,
     "(?:stra\\xc3\\x9fe|strasse|straat|gasse|weg|laan|vej|gatan|gata|gade|platz|allee|plein|kade|veien)[ \\t]+\\d{1,5}[a-z]?\\b"},
    {SOV_PII_ADDRESS, 30, false, HS_FLAG_CASELESS, v_addr_prefix,
     "\\d,?[ \\t]+(?:rue|avenue|boulevard|chemin|via|calle|avenida|rua)[ \\t]+[a-z\\x80-\\xff]"},
    {SOV_PII_ADDRESS, 30, false, HS_FLAG_CASELESS, v_addr_unit,
     "\\b(?:apt|apartment|suite|unit|box)\\.?[ \\t]*#?\\d{1,5}[a-z]?\\b"},
    {SOV_PII_ADDRESS, 29, false, 0, v_addr_lead,
     "\\b(?:[Ll]ives at|[Ll]ive at|[Ll]iving at|[Ll]ocated at|[Aa]ddress is|[Aa]ddress:|[Rr]eturn to|[Ss]end it to|[Ss]ent to|"
     "[Ss]hip to|[Dd]eliver to|[Mm]oved to|office is at)[ \\t]+[A-Z0-9\\x80-\\xff]"},
};
#define N_DETECTORS (sizeof detectors / sizeof detectors[0])

#define CUSTOM_PRIO 100

/* ---------------------------------------------------------------------------------------------- */
/* Scanner                                                                                          */

struct sov_scanner {
    hs_database_t *db;
    size_t n_rows;                /* built-in rows in use + custom rows */
    const struct detector **rows; /* NULL for custom rows */
    uint16_t *custom_rule;        /* per row: the custom rule index */
    size_t n_custom;
    char **custom_names; /* per custom rule: the pattern's name, or "term" */
    /* the compiled expressions (kept for the benchmark's PCRE2 comparison) */
    char **exprs;
    unsigned *flags;
};

struct scan_span {
    uint32_t start, end;
    uint16_t rule;
    unsigned char type, prio;
};

struct sov_scan_scratch {
    const struct sov_scanner *owner;
    hs_scratch_t *hs;
    size_t *seen; /* per row */
    struct scan_span *spans;
    size_t n, overflow;
    /* per scan */
    const unsigned char *text;
    size_t len;
};

static const struct sov_yaml_node *map_get(const struct sov_yaml_node *m, const char *key, int *line)
{
    if (!m || m->type != SOV_YAML_MAP)
        return NULL;
    for (size_t i = 0; i < m->n; i++)
        if (m->keys[i] && strcmp(m->keys[i], key) == 0) {
            if (line)
                *line = m->key_lines ? m->key_lines[i] : m->items[i]->line;
            return m->items[i];
        }
    return NULL;
}

static char *regex_escape_term(const char *term)
{
    size_t n = strlen(term);
    char *out = malloc(n * 4 + 8);
    if (!out)
        return NULL;
    size_t o = 0;
    const unsigned char *u = (const unsigned char *)term;
    if (n && is_word(u[0])) {
        memcpy(out + o, "\\b", 2);
        o += 2;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = u[i];
        if (is_alnum(c) || c == '_' || c == ' ') {
            out[o++] = (char)c;
        } else {
            static const char hexd[] = "0123456789abcdef";
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hexd[c >> 4];
            out[o++] = hexd[c & 15];
        }
    }
    if (n && is_word(u[n - 1])) {
        memcpy(out + o, "\\b", 2);
        o += 2;
    }
    out[o] = 0;
    return out;
}

void sov_scanner_free(struct sov_scanner *s)
{
    if (!s)
        return;
    hs_free_database(s->db);
    for (size_t i = 0; i < s->n_rows; i++)
        free(s->exprs ? s->exprs[i] : NULL);
    for (size_t i = 0; i < s->n_custom; i++)
        free(s->custom_names ? s->custom_names[i] : NULL);
    free(s->custom_names);
    free(s->exprs);
    free(s->flags);
    free(s->rows);
    free(s->custom_rule);
    free(s);
}

struct custom_src {
    const char *key; /* "terms" or "patterns" */
    size_t index;
    int line;
};

/* ---- compiled-database cache -------------------------------------------------------------------
 * Compiling the database takes most of a second; loading a serialised one takes milliseconds. The
 * cache file is named by a hash of the vectorscan version and every expression, flag and id, so a
 * changed configuration or library never reads a stale database; vectorscan itself refuses a
 * database built for another platform (we then compile). Best effort: any cache failure just
 * compiles. $SOVEREIGN_CACHE_DIR (or $XDG_CACHE_HOME/sovereign, or ~/.cache/sovereign) holds it;
 * SOVEREIGN_CACHE_DIR=off disables it. */

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ c[i]) * 1099511628211ull;
    return h;
}

static char *db_cache_path(const struct sov_scanner *s, const unsigned *ids, size_t n)
{
    const char *dir = getenv("SOVEREIGN_CACHE_DIR");
    char *base = NULL;
    if (dir && !strcmp(dir, "off"))
        return NULL;
    if (dir && *dir)
        base = sov_asprintf("%s", dir);
    else if ((dir = getenv("XDG_CACHE_HOME")) && *dir)
        base = sov_asprintf("%s/sovereign", dir);
    else if ((dir = getenv("HOME")) && *dir)
        base = sov_asprintf("%s/.cache/sovereign", dir);
    if (!base)
        return NULL;
    uint64_t h = 1469598103934665603ull;
    const char *v = hs_version();
    h = fnv1a(h, v, strlen(v));
    for (size_t i = 0; i < n; i++) {
        h = fnv1a(h, s->exprs[i], strlen(s->exprs[i]) + 1);
        h = fnv1a(h, &s->flags[i], sizeof s->flags[i]);
        h = fnv1a(h, &ids[i], sizeof ids[i]);
    }
    char *p = NULL;
    /* make the directory (and its parent, for ~/.cache) */
    char *slash = strrchr(base, '/');
    if (slash && slash != base) {
        *slash = '\0';
        mkdir(base, 0700);
        *slash = '/';
    }
    if (mkdir(base, 0700) == 0 || errno == EEXIST)
        p = sov_asprintf("%s/scanner-%016llx.hsdb", base, (unsigned long long)h);
    free(base);
    return p;
}

static int db_cache_load(const char *path, hs_database_t **db)
{
    size_t len;
    char *data = sov_read_file(path, 256u << 20, &len, NULL);
    if (!data)
        return -1;
    *db = NULL;
    hs_error_t rc = hs_deserialize_database(data, len, db);
    free(data);
    return rc == HS_SUCCESS ? 0 : -1;
}

static void db_cache_store(const char *path, const hs_database_t *db)
{
    if (access(path, R_OK) == 0)
        return;
    char *bytes = NULL;
    size_t len = 0;
    if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS)
        return;
    char *tmp = sov_asprintf("%s.%ld.tmp", path, (long)getpid());
    FILE *f = tmp ? fopen(tmp, "wb") : NULL;
    if (f) {
        bool ok = fwrite(bytes, 1, len, f) == len;
        ok &= fclose(f) == 0;
        if (!ok || rename(tmp, path) != 0)
            unlink(tmp);
    }
    free(tmp);
    free(bytes);
}

static struct sov_scanner *scanner_build(const struct sov_yaml_node *section, bool som_all, char **err)
{
    if (err)
        *err = NULL;
    struct sov_scanner *s = calloc(1, sizeof *s);
    if (!s)
        goto nomem;
    const struct sov_yaml_node *terms = NULL, *patterns = NULL, *disable = NULL;
    int terms_line = 0, patterns_line = 0, disable_line = 0;
    bool disabled[SOV_PII_COUNT] = {false};
    if (section) {
        if (section->type != SOV_YAML_MAP) {
            if (err)
                *err = sov_asprintf("sensitive (line %d): expected a map", section->line);
            goto fail;
        }
        for (size_t i = 0; i < section->n; i++) {
            const char *k = section->keys[i];
            if (strcmp(k, "terms") && strcmp(k, "patterns") && strcmp(k, "disable")) {
                if (err)
                    *err = sov_asprintf("sensitive.%s (line %d): unknown key (expected terms, patterns, disable)", k,
                                        section->key_lines ? section->key_lines[i] : section->items[i]->line);
                goto fail;
            }
        }
        terms = map_get(section, "terms", &terms_line);
        patterns = map_get(section, "patterns", &patterns_line);
        disable = map_get(section, "disable", &disable_line);
        if (terms && terms->type != SOV_YAML_SEQ) {
            if (err)
                *err = sov_asprintf("sensitive.terms (line %d): expected a list of strings", terms_line);
            goto fail;
        }
        if (patterns && patterns->type != SOV_YAML_SEQ) {
            if (err)
                *err = sov_asprintf("sensitive.patterns (line %d): expected a list of {name, regex}", patterns_line);
            goto fail;
        }
        if (disable) {
            if (disable->type != SOV_YAML_SEQ) {
                if (err)
                    *err = sov_asprintf("sensitive.disable (line %d): expected a list of entity types", disable_line);
                goto fail;
            }
            for (size_t i = 0; i < disable->n; i++) {
                const struct sov_yaml_node *it = disable->items[i];
                int ty = it->type == SOV_YAML_SCALAR ? sov_pii_type_parse(it->scalar) : -1;
                if (ty < 0 || ty == SOV_PII_CUSTOM) {
                    if (err)
                        *err = sov_asprintf("sensitive.disable[%zu] (line %d): unknown entity type", i, it->line);
                    goto fail;
                }
                disabled[ty] = true;
            }
        }
    }
    size_t nt = terms ? terms->n : 0, np = patterns ? patterns->n : 0;
    if (nt + np > 60000) {
        if (err)
            *err = sov_asprintf("sensitive (line %d): too many terms and patterns", section ? section->line : 0);
        goto fail;
    }
    size_t cap = N_DETECTORS + nt + np;
    s->rows = calloc(cap, sizeof *s->rows);
    s->custom_rule = calloc(cap, sizeof *s->custom_rule);
    s->exprs = calloc(cap, sizeof *s->exprs);
    s->flags = calloc(cap, sizeof *s->flags);
    s->custom_names = calloc(nt + np + 1, sizeof *s->custom_names);
    struct custom_src *src = calloc(cap, sizeof *src);
    unsigned *ids = calloc(cap, sizeof *ids);
    if (!s->rows || !s->custom_rule || !s->exprs || !s->flags || !s->custom_names || !src || !ids) {
        free(src);
        free(ids);
        goto nomem;
    }
    size_t n = 0;
    for (size_t i = 0; i < N_DETECTORS; i++) {
        if (disabled[detectors[i].type])
            continue;
        s->rows[n] = &detectors[i];
        s->exprs[n] = sov_strndup(detectors[i].regex, strlen(detectors[i].regex));
        s->flags[n] = detectors[i].flags | (detectors[i].som || som_all ? HS_FLAG_SOM_LEFTMOST : 0);
        if (!s->exprs[n]) {
            s->n_rows = n;
            free(src);
            free(ids);
            goto nomem;
        }
        n++;
    }
    size_t rule = 0;
    for (size_t i = 0; i < nt; i++, rule++) {
        const struct sov_yaml_node *it = terms->items[i];
        if (it->type != SOV_YAML_SCALAR || !it->scalar || !it->scalar[0]) {
            if (err)
                *err = sov_asprintf("sensitive.terms[%zu] (line %d): expected a non-empty string", i, it->line);
            s->n_rows = n;
            s->n_custom = rule;
            free(src);
            free(ids);
            goto fail;
        }
        s->exprs[n] = regex_escape_term(it->scalar);
        s->custom_names[rule] = sov_strndup("term", 4);
        s->n_custom = rule + 1;
        s->flags[n] = HS_FLAG_CASELESS | HS_FLAG_SOM_LEFTMOST;
        s->custom_rule[n] = (uint16_t)rule;
        src[n] = (struct custom_src){"terms", i, it->line};
        n++;
        s->n_rows = n;
        if (!s->exprs[n - 1] || !s->custom_names[rule]) {
            free(src);
            free(ids);
            goto nomem;
        }
    }
    for (size_t i = 0; i < np; i++, rule++) {
        const struct sov_yaml_node *it = patterns->items[i];
        int kl = it->line;
        const struct sov_yaml_node *name = map_get(it, "name", NULL), *re = map_get(it, "regex", &kl);
        const struct sov_yaml_node *ci = map_get(it, "case_insensitive", NULL);
        const char *bad = NULL;
        if (it->type != SOV_YAML_MAP)
            bad = "expected a map with name and regex";
        else if (!name || name->type != SOV_YAML_SCALAR || !name->scalar || !name->scalar[0])
            bad = "missing name";
        else if (!re || re->type != SOV_YAML_SCALAR || !re->scalar || !re->scalar[0])
            bad = "missing regex";
        else if (ci && (ci->type != SOV_YAML_SCALAR || (strcmp(ci->scalar, "true") && strcmp(ci->scalar, "false"))))
            bad = "case_insensitive must be true or false";
        else {
            for (size_t k = 0; k < it->n; k++)
                if (strcmp(it->keys[k], "name") && strcmp(it->keys[k], "regex") && strcmp(it->keys[k], "case_insensitive"))
                    bad = "unknown key (expected name, regex, case_insensitive)";
        }
        if (bad) {
            if (err)
                *err = sov_asprintf("sensitive.patterns[%zu] (line %d): %s", i, it->line, bad);
            s->n_rows = n;
            free(src);
            free(ids);
            goto fail;
        }
        s->exprs[n] = sov_strndup(re->scalar, strlen(re->scalar));
        s->custom_names[rule] = sov_strndup(name->scalar, strlen(name->scalar));
        s->n_custom = rule + 1;
        s->flags[n] = HS_FLAG_SOM_LEFTMOST | (ci && strcmp(ci->scalar, "true") == 0 ? HS_FLAG_CASELESS : 0);
        s->custom_rule[n] = (uint16_t)rule;
        src[n] = (struct custom_src){"patterns", i, re->line ? re->line : kl};
        n++;
        s->n_rows = n;
        if (!s->exprs[n - 1] || !s->custom_names[rule]) {
            free(src);
            free(ids);
            goto nomem;
        }
    }
    s->n_rows = n;
    for (size_t i = 0; i < n; i++)
        ids[i] = (unsigned)i;
    hs_compile_error_t *cerr = NULL;
    char *cache = db_cache_path(s, ids, n);
    hs_error_t rc = cache && db_cache_load(cache, &s->db) == 0 ? HS_SUCCESS
                                                               : hs_compile_multi((const char *const *)s->exprs, s->flags, ids,
                                                                                  (unsigned)n, HS_MODE_BLOCK, NULL, &s->db, &cerr);
    if (rc == HS_SUCCESS && cache)
        db_cache_store(cache, s->db);
    free(cache);
    if (rc != HS_SUCCESS) {
        int ex = cerr ? cerr->expression : -1;
        const char *msg = cerr && cerr->message ? cerr->message : "compile failed";
        if (err) {
            if (ex >= 0 && (size_t)ex < n && !s->rows[ex])
                *err = sov_asprintf("sensitive.%s[%zu].regex (line %d): %s", src[ex].key, src[ex].index, src[ex].line, msg);
            else
                *err = sov_asprintf("sensitive: built-in pattern %d: %s", ex, msg);
        }
        hs_free_compile_error(cerr);
        free(src);
        free(ids);
        goto fail;
    }
    free(src);
    free(ids);
    return s;
nomem:
    if (err && !*err)
        *err = sov_asprintf("sensitive: out of memory");
fail:
    sov_scanner_free(s);
    return NULL;
}

struct sov_scanner *sov_scanner_new(const struct sov_yaml_node *section, char **err)
{
    return scanner_build(section, false, err);
}

struct sov_scanner *sov__scanner_new_som(const struct sov_yaml_node *section, char **err)
{
    return scanner_build(section, true, err);
}

const char *sov_scanner_rule_name(const struct sov_scanner *s, uint16_t rule)
{
    if (!s || rule >= s->n_custom)
        return NULL;
    return s->custom_names[rule];
}

size_t sov__scanner_pattern_count(const struct sov_scanner *s)
{
    return s ? s->n_rows : 0;
}

const char *sov__scanner_pattern(const struct sov_scanner *s, size_t i, bool *caseless)
{
    if (!s || i >= s->n_rows)
        return NULL;
    if (caseless)
        *caseless = (s->flags[i] & HS_FLAG_CASELESS) != 0;
    return s->exprs[i];
}

struct sov_scan_scratch *sov_scan_scratch_new(const struct sov_scanner *s)
{
    if (!s)
        return NULL;
    struct sov_scan_scratch *sc = calloc(1, sizeof *sc);
    if (!sc)
        return NULL;
    sc->owner = s;
    sc->seen = calloc(s->n_rows ? s->n_rows : 1, sizeof *sc->seen);
    sc->spans = calloc(SCAN_CAP, sizeof *sc->spans);
    if (!sc->seen || !sc->spans || hs_alloc_scratch(s->db, &sc->hs) != HS_SUCCESS) {
        sov_scan_scratch_free(sc);
        return NULL;
    }
    return sc;
}

void sov_scan_scratch_free(struct sov_scan_scratch *sc)
{
    if (!sc)
        return;
    if (sc->hs)
        hs_free_scratch(sc->hs);
    free(sc->seen);
    free(sc->spans);
    free(sc);
}

static bool beats(const struct scan_span *a, const struct scan_span *b)
{
    if (a->prio != b->prio)
        return a->prio > b->prio;
    return a->end - a->start > b->end - b->start;
}

static void add_span(struct sov_scan_scratch *sc, const struct scan_span *ns)
{
    struct scan_span *sp = sc->spans;
    size_t lo = 0, hi = sc->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (sp[mid].end <= ns->start)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t i = lo, j = lo;
    while (j < sc->n && sp[j].start < ns->end) {
        if (!beats(ns, &sp[j]))
            return;
        j++;
    }
    if (j == i) {
        if (sc->n == SCAN_CAP) {
            sc->overflow++;
            return;
        }
        memmove(sp + i + 1, sp + i, (sc->n - i) * sizeof *sp);
        sp[i] = *ns;
        sc->n++;
        return;
    }
    sp[i] = *ns;
    memmove(sp + i + 1, sp + j, (sc->n - j) * sizeof *sp);
    sc->n -= j - i - 1;
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags, void *ctx)
{
    (void)flags;
    struct sov_scan_scratch *sc = ctx;
    const struct sov_scanner *s = sc->owner;
    if (id >= s->n_rows)
        return 0;
    const struct detector *d = s->rows[id];
    struct scan_span ns;
    if (!d) {
        ns.start = (uint32_t)from;
        ns.end = (uint32_t)to;
        ns.rule = s->custom_rule[id];
        ns.type = SOV_PII_CUSTOM;
        ns.prio = CUSTOM_PRIO;
        if (to > from)
            add_span(sc, &ns);
        return 0;
    }
    if ((size_t)to <= sc->seen[id])
        return 0;
    struct vctx v = {sc->text, sc->len, (size_t)from, (size_t)to};
    uint32_t a = 0, b = 0;
    size_t seen = (size_t)to;
    bool ok = d->validate(&v, &a, &b, &seen);
    if (seen > sc->seen[id])
        sc->seen[id] = seen;
    if (!ok || b <= a || b > sc->len)
        return 0;
    ns.start = a;
    ns.end = b;
    ns.rule = 0;
    ns.type = (unsigned char)d->type;
    ns.prio = d->prio;
    add_span(sc, &ns);
    return 0;
}

int sov_scan(const struct sov_scanner *s, struct sov_scan_scratch *sc, const char *text, size_t len, struct sov_span *out,
             size_t max, size_t *n)
{
    if (n)
        *n = 0;
    if (!s || !sc || sc->owner != s || (!text && len) || (!out && max))
        return SOV_EINVAL;
    if (len >= UINT32_MAX)
        return SOV_ELIMIT;
    sc->n = 0;
    sc->overflow = 0;
    memset(sc->seen, 0, s->n_rows * sizeof *sc->seen);
    sc->text = (const unsigned char *)text;
    sc->len = len;
    if (len > 0) {
        hs_error_t rc = hs_scan(s->db, text, (unsigned int)len, 0, sc->hs, on_match, sc);
        if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED) {
            sc->text = NULL;
            return rc == HS_NOMEM ? SOV_ENOMEM : SOV_EINVAL;
        }
    }
    size_t k = sc->n < max ? sc->n : max;
    for (size_t i = 0; i < k; i++) {
        out[i].type = (enum sov_pii_type)sc->spans[i].type;
        out[i].start = sc->spans[i].start;
        out[i].end = sc->spans[i].end;
        out[i].rule = sc->spans[i].rule;
    }
    if (n)
        *n = sc->n + sc->overflow;
    sc->text = NULL;
    return 0;
}
