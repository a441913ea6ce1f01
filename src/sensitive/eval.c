/*
 * Precision/recall of the scanner on the PII corpora (see eval.h for the matching rule).
 *
 * Label mapping (corpus label -> our type):
 *   presidio generated_*.json: EMAIL_ADDRESS->email, PHONE_NUMBER->phone, CREDIT_CARD->credit_card,
 *     IBAN_CODE->iban, US_SSN->ssn, IP_ADDRESS->ip_address, PERSON->person, ADDRESS->address
 *     (LOCATION, ORGANIZATION, DATE_TIME, DOMAIN_NAME, TITLE, PREFIX, US_DRIVER_LICENSE: not ours, ignored;
 *     the corpus labels no secrets, so `secret` is not scored there).
 *   presidio recognizer cases: email->email, phone->phone, credit_card->credit_card, iban->iban,
 *     us_ssn->ssn, ip->ip_address (other recognizers: not ours, skipped).
 *   PII-synthetic: EMAIL->email, PHONE->phone, CREDIT_CARD->credit_card, IBAN->iban, SSN->ssn,
 *     PASSWORD->secret, PERSON->person (the rest: not ours).
 *   detect-secrets: every detection type -> secret.
 */
#define SOV_LOG_MODULE "sensitive"

#include "sensitive/eval.h"
#include "common/util.h"
#include "sovereign/sovereign.h"

#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_SPANS 512
#define MAX_GOLD 256

struct label_map {
    const char *label;
    enum sov_pii_type type;
};

static const struct label_map presidio_labels[] = {
    {"EMAIL_ADDRESS", SOV_PII_EMAIL}, {"PHONE_NUMBER", SOV_PII_PHONE}, {"CREDIT_CARD", SOV_PII_CREDIT_CARD},
    {"IBAN_CODE", SOV_PII_IBAN},      {"US_SSN", SOV_PII_SSN},         {"IP_ADDRESS", SOV_PII_IP_ADDRESS},
    {"PERSON", SOV_PII_PERSON},       {"ADDRESS", SOV_PII_ADDRESS},    {NULL, 0},
};
static const struct label_map recognizer_labels[] = {
    {"email", SOV_PII_EMAIL},
    {"phone", SOV_PII_PHONE},
    {"credit_card", SOV_PII_CREDIT_CARD},
    {"iban", SOV_PII_IBAN},
    {"us_ssn", SOV_PII_SSN},
    {"ip", SOV_PII_IP_ADDRESS},
    {NULL, 0},
};
static const struct label_map synthetic_labels[] = {
    {"EMAIL", SOV_PII_EMAIL}, {"PHONE", SOV_PII_PHONE},     {"CREDIT_CARD", SOV_PII_CREDIT_CARD}, {"IBAN", SOV_PII_IBAN},
    {"SSN", SOV_PII_SSN},     {"PASSWORD", SOV_PII_SECRET}, {"PERSON", SOV_PII_PERSON},           {NULL, 0},
};

static int map_label(const struct label_map *m, const char *label)
{
    if (!label)
        return -1;
    for (; m->label; m++)
        if (strcmp(m->label, label) == 0)
            return (int)m->type;
    return -1;
}

double sov_pii_eval_precision(const struct sov_pii_eval_counts *c)
{
    return c->n_pred ? (double)c->tp_pred / (double)c->n_pred : NAN;
}

double sov_pii_eval_recall(const struct sov_pii_eval_counts *c)
{
    return c->n_gold ? (double)c->tp_gold / (double)c->n_gold : NAN;
}

/* Byte offset of code point index cp in s[0..n) (Python string offsets). */
static size_t cp_to_byte(const char *s, size_t n, size_t cp)
{
    size_t i = 0, k = 0;
    while (i < n && k < cp) {
        unsigned char c = (unsigned char)s[i];
        size_t l = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
        i += l;
        k++;
    }
    return i > n ? n : i;
}

struct gold {
    enum sov_pii_type type;
    size_t start, end;
};

struct evalctx {
    const struct sov_scanner *s;
    FILE *trace;
    const char *text;
    size_t len;
    struct sov_scan_scratch *sc;
    struct sov_span spans[MAX_SPANS];
    size_t n_spans;
};

/* Is record i in the requested split? (whole_tune: the corpus is tuning data as a whole) */
static bool in_split(const struct sov_pii_eval_opts *o, size_t i, bool whole_tune)
{
    if (!o || o->split == SOV_PII_SPLIT_ALL)
        return true;
    bool tune = whole_tune || i % 5 == 0;
    return o->split == SOV_PII_SPLIT_TUNE ? tune : !tune;
}

static int ctx_init(struct evalctx *c, const struct sov_scanner *s, const struct sov_pii_eval_opts *o, struct sov_pii_eval *out,
                    const char *name, bool whole_tune)
{
    memset(out, 0, sizeof *out);
    enum sov_pii_split sp = o ? o->split : SOV_PII_SPLIT_ALL;
    snprintf(out->name, sizeof out->name, "%s%s", name,
             sp == SOV_PII_SPLIT_TUNE      ? " [tune]"
             : sp == SOV_PII_SPLIT_HELDOUT ? " [held-out]"
                                           : "");
    out->held_out = sp == SOV_PII_SPLIT_HELDOUT || (sp == SOV_PII_SPLIT_ALL && !whole_tune);
    c->trace = o ? o->trace : NULL;
    c->s = s;
    c->n_spans = 0;
    c->sc = sov_scan_scratch_new(s);
    return c->sc ? 0 : SOV_ENOMEM;
}

static int ctx_scan(struct evalctx *c, struct sov_pii_eval *out, const char *text, size_t len)
{
    uint64_t t0 = sov_now_ns();
    size_t n = 0;
    int rc = sov_scan(c->s, c->sc, text, len, c->spans, MAX_SPANS, &n);
    out->seconds += (double)(sov_now_ns() - t0) / 1e9;
    out->n_texts++;
    out->bytes += len;
    c->text = text;
    c->len = len;
    c->n_spans = n < MAX_SPANS ? n : MAX_SPANS;
    return rc;
}

static bool overlaps(size_t a0, size_t a1, size_t b0, size_t b1)
{
    return a0 < b1 && b0 < a1;
}

/* Is the gold ssn text [a, a+n) an SSN by the issue's definition ("US SSNs with the invalid ranges
 * excluded")? Masked values (X or *) and numbers in the never-issued ranges are not. Other shapes with nine
 * digits (a 3-6 grouping) stay SSNs here: the format is not what the issue excludes. */
static bool ssn_gold_valid(const char *a, size_t n)
{
    char d[10];
    size_t nd = 0;
    for (size_t i = 0; i < n; i++) {
        if (a[i] == 'X' || a[i] == 'x' || a[i] == '*')
            return false;
        if (a[i] >= '0' && a[i] <= '9') {
            if (nd == 9)
                return true; /* not nine digits: not a range question, leave it counted */
            d[nd++] = a[i];
        }
    }
    if (nd != 9)
        return true;
    d[9] = '\0';
    int area = (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
    if (area == 0 || area == 666 || area >= 900 || (d[3] == '0' && d[4] == '0') || memcmp(d + 5, "0000", 4) == 0)
        return false;
    return strcmp(d, "078051120") != 0 && strcmp(d, "219099999") != 0 && strcmp(d, "123456789") != 0;
}

/* Does the span starting at `start` come right after the word "password" (an optional is/was, `:` or `=`,
 * spaces and one quote between)? */
static bool after_password(const char *t, size_t start)
{
    size_t i = start;
    if (i > 0 && (t[i - 1] == '\'' || t[i - 1] == '"' || t[i - 1] == '`' || t[i - 1] == '*'))
        i--;
    while (i > 0 && t[i - 1] == ' ')
        i--;
    if (i > 0 && (t[i - 1] == ':' || t[i - 1] == '='))
        i--;
    while (i > 0 && t[i - 1] == ' ')
        i--;
    if (i >= 3 && strncasecmp(t + i - 3, "was", 3) == 0 && i > 3 && t[i - 4] == ' ')
        i -= 3;
    else if (i >= 2 && strncasecmp(t + i - 2, "is", 2) == 0 && i > 2 && t[i - 3] == ' ')
        i -= 2;
    while (i > 0 && t[i - 1] == ' ')
        i--;
    return i >= 8 && strncasecmp(t + i - 8, "password", 8) == 0;
}

/* Scores the current predictions (only types in has_type, and of those only `only` if >= 0) against gold. */
static void score(struct evalctx *c, struct sov_pii_eval *out, const struct gold *g, size_t ng, int only)
{
    for (size_t i = 0; i < c->n_spans; i++) {
        const struct sov_span *p = &c->spans[i];
        if (!out->has_type[p->type] || (only >= 0 && (int)p->type != only))
            continue;
        out->c[p->type].n_pred++;
        bool hit = false;
        for (size_t k = 0; k < ng && !hit; k++)
            hit = g[k].type == p->type && overlaps(p->start, p->end, g[k].start, g[k].end);
        out->c[p->type].tp_pred += hit;
        if (!hit && p->type == SOV_PII_SECRET && after_password(c->text, p->start))
            out->c[p->type].fp_unlabelled++;
        if (!hit && c->trace)
            fprintf(c->trace, "FP %s '%.*s' in: %.*s\n", sov_pii_type_name(p->type), (int)(p->end - p->start), c->text + p->start,
                    (int)(c->len > 300 ? 300 : c->len), c->text);
    }
    for (size_t k = 0; k < ng; k++) {
        if (!out->has_type[g[k].type])
            continue;
        out->c[g[k].type].n_gold++;
        bool hit = false;
        for (size_t i = 0; i < c->n_spans && !hit; i++)
            hit = c->spans[i].type == g[k].type && overlaps(c->spans[i].start, c->spans[i].end, g[k].start, g[k].end);
        out->c[g[k].type].tp_gold += hit;
        if (g[k].type == SOV_PII_SSN && !ssn_gold_valid(c->text + g[k].start, g[k].end - g[k].start)) {
            out->c[g[k].type].n_gold_not_issue++;
            out->c[g[k].type].tp_gold_not_issue += hit;
        }
        if (!hit && c->trace)
            fprintf(c->trace, "FN %s '%.*s' in: %.*s\n", sov_pii_type_name(g[k].type), (int)(g[k].end - g[k].start),
                    c->text + g[k].start, (int)(c->len > 300 ? 300 : c->len), c->text);
    }
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

int sov_pii_eval_presidio(const struct sov_scanner *s, const char *path, const struct sov_pii_eval_opts *opts,
                          struct sov_pii_eval *out, char **err)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root) {
        if (err)
            *err = sov_asprintf("%s: line %d: %s", path, je.line, je.text);
        return SOV_EPARSE;
    }
    if (!json_is_array(root)) {
        json_decref(root);
        if (err)
            *err = sov_asprintf("%s: expected a JSON array", path);
        return SOV_EPARSE;
    }
    char name[64];
    const char *b = base_name(path);
    size_t bl = strlen(b);
    snprintf(name, sizeof name, "presidio/%.*s", (int)(bl > 5 && strcmp(b + bl - 5, ".json") == 0 ? bl - 5 : bl), b);
    /* generated_small is the split the detectors were looked at and tuned on */
    struct evalctx c;
    bool whole_tune = strstr(b, "small") != NULL;
    int rc = ctx_init(&c, s, opts, out, name, whole_tune);
    if (rc) {
        json_decref(root);
        return rc;
    }
    for (const struct label_map *m = presidio_labels; m->label; m++)
        out->has_type[m->type] = true;
    size_t i;
    json_t *item;
    json_array_foreach(root, i, item)
    {
        const char *text = json_string_value(json_object_get(item, "full_text"));
        if (!text || !in_split(opts, i, whole_tune))
            continue;
        size_t len = json_string_length(json_object_get(item, "full_text"));
        struct gold g[MAX_GOLD];
        size_t ng = 0;
        size_t k;
        json_t *sp;
        json_array_foreach(json_object_get(item, "spans"), k, sp)
        {
            int ty = map_label(presidio_labels, json_string_value(json_object_get(sp, "entity_type")));
            if (ty < 0 || ng == MAX_GOLD)
                continue;
            json_int_t a = json_integer_value(json_object_get(sp, "start_position"));
            json_int_t e = json_integer_value(json_object_get(sp, "end_position"));
            if (a < 0 || e <= a)
                continue;
            g[ng].type = (enum sov_pii_type)ty;
            g[ng].start = cp_to_byte(text, len, (size_t)a);
            g[ng].end = cp_to_byte(text, len, (size_t)e);
            ng++;
        }
        if ((rc = ctx_scan(&c, out, text, len)) != 0)
            break;
        score(&c, out, g, ng, -1);
    }
    sov_scan_scratch_free(c.sc);
    json_decref(root);
    if (rc && err)
        *err = sov_asprintf("%s: scan failed: %s", path, sov_strerror(rc));
    return rc;
}

/* Calls fn for each line of a file. */
static int for_lines(const char *path, char **err, int (*fn)(void *, const char *, size_t, size_t), void *arg)
{
    size_t len = 0;
    char *data = sov_read_file(path, 256u << 20, &len, err);
    if (!data)
        return SOV_EIO;
    int rc = 0;
    size_t lineno = 0;
    for (size_t p = 0; p < len && !rc;) {
        const char *nl = memchr(data + p, '\n', len - p);
        size_t e = nl ? (size_t)(nl - data) : len;
        lineno++;
        rc = fn(arg, data + p, e - p, lineno);
        p = e + 1;
    }
    free(data);
    return rc;
}

struct rc_state {
    struct evalctx c;
    const struct sov_pii_eval_opts *opts;
    size_t index; /* among the cases we use */
    struct sov_pii_eval *out;
    const char *path;
    char **err;
};

static int recognizer_line(void *arg, const char *line, size_t n, size_t lineno)
{
    struct rc_state *st = arg;
    if (n == 0)
        return 0;
    json_error_t je;
    json_t *o = json_loadb(line, n, 0, &je);
    if (!o) {
        if (st->err)
            *st->err = sov_asprintf("%s: line %zu: %s", st->path, lineno, je.text);
        return SOV_EPARSE;
    }
    int rc = 0;
    int ty = map_label(recognizer_labels, json_string_value(json_object_get(o, "recognizer")));
    const char *text = json_string_value(json_object_get(o, "text"));
    if (ty < 0 || !text || json_object_get(o, "leniency") || !in_split(st->opts, st->index++, false)) {
        json_decref(o);
        return 0;
    }
    size_t len = json_string_length(json_object_get(o, "text"));
    json_t *pos = json_object_get(o, "expected_positions");
    if (!json_is_array(pos) || json_array_size(pos) == 0)
        pos = json_object_get(o, "expected_res");
    size_t expected = (size_t)json_integer_value(json_object_get(o, "expected_len"));
    if ((rc = ctx_scan(&st->c, st->out, text, len)) != 0) {
        json_decref(o);
        return rc;
    }
    if (json_is_array(pos) && json_array_size(pos) > 0) {
        struct gold g[MAX_GOLD];
        size_t ng = 0, k;
        json_t *pr;
        json_array_foreach(pos, k, pr)
        {
            if (ng == MAX_GOLD || json_array_size(pr) != 2)
                continue;
            g[ng].type = (enum sov_pii_type)ty;
            g[ng].start = cp_to_byte(text, len, (size_t)json_integer_value(json_array_get(pr, 0)));
            g[ng].end = cp_to_byte(text, len, (size_t)json_integer_value(json_array_get(pr, 1)));
            ng++;
        }
        score(&st->c, st->out, g, ng, ty);
    } else {
        /* no positions: compare counts */
        size_t got = 0;
        for (size_t i = 0; i < st->c.n_spans; i++)
            got += (int)st->c.spans[i].type == ty;
        size_t tp = got < expected ? got : expected;
        st->out->c[ty].n_pred += got;
        st->out->c[ty].tp_pred += tp;
        st->out->c[ty].n_gold += expected;
        st->out->c[ty].tp_gold += tp;
        if (got != expected && st->c.trace)
            fprintf(st->c.trace, "COUNT %s expected %zu got %zu in: %s\n", sov_pii_type_name((enum sov_pii_type)ty), expected, got,
                    text);
    }
    json_decref(o);
    return 0;
}

int sov_pii_eval_recognizer_cases(const struct sov_scanner *s, const char *path, const struct sov_pii_eval_opts *opts,
                                  struct sov_pii_eval *out, char **err)
{
    struct rc_state st = {.out = out, .path = path, .err = err, .opts = opts};
    int rc = ctx_init(&st.c, s, opts, out, "presidio/recognizer_cases", false);
    if (rc)
        return rc;
    for (const struct label_map *m = recognizer_labels; m->label; m++)
        out->has_type[m->type] = true;
    rc = for_lines(path, err, recognizer_line, &st);
    sov_scan_scratch_free(st.c.sc);
    return rc;
}

int sov_pii_eval_pii_synthetic(const struct sov_scanner *s, const char *path, const struct sov_pii_eval_opts *opts,
                               struct sov_pii_eval *out, char **err)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root || !json_is_array(root)) {
        if (err)
            *err = root ? sov_asprintf("%s: expected a JSON array", path) : sov_asprintf("%s: line %d: %s", path, je.line, je.text);
        json_decref(root);
        return SOV_EPARSE;
    }
    struct evalctx c;
    int rc = ctx_init(&c, s, opts, out, "pii_synthetic", false);
    if (rc) {
        json_decref(root);
        return rc;
    }
    for (const struct label_map *m = synthetic_labels; m->label; m++)
        out->has_type[m->type] = true;
    size_t i;
    json_t *item;
    json_array_foreach(root, i, item)
    {
        const char *text = json_string_value(json_object_get(item, "text"));
        if (!text || !in_split(opts, i, false))
            continue;
        size_t len = json_string_length(json_object_get(item, "text"));
        struct gold g[MAX_GOLD];
        size_t ng = 0, k;
        json_t *ner;
        json_array_foreach(json_object_get(item, "NER"), k, ner)
        {
            int ty = map_label(synthetic_labels, json_string_value(json_object_get(ner, "label")));
            const char *ent = json_string_value(json_object_get(ner, "entity"));
            if (ty < 0 || !ent || !ent[0] || ng == MAX_GOLD)
                continue;
            /* some labels carry markdown emphasis ("*TaxPass987"): strip it */
            size_t el = strlen(ent);
            while (el && (ent[0] == '*' || ent[0] == ' '))
                ent++, el--;
            while (el && (ent[el - 1] == '*' || ent[el - 1] == ' '))
                el--;
            if (!el)
                continue;
            char entbuf[512];
            if (el >= sizeof entbuf)
                continue;
            memcpy(entbuf, ent, el);
            entbuf[el] = 0;
            ent = entbuf;
            /* the first occurrence not already taken by an earlier gold span of the same text */
            const char *p = text;
            for (;;) {
                const char *f = strstr(p, ent);
                if (!f)
                    break;
                size_t a = (size_t)(f - text);
                bool taken = false;
                for (size_t q = 0; q < ng; q++)
                    taken |= g[q].start == a && g[q].type == (enum sov_pii_type)ty;
                if (!taken) {
                    g[ng].type = (enum sov_pii_type)ty;
                    g[ng].start = a;
                    g[ng].end = a + el;
                    ng++;
                    break;
                }
                p = f + 1;
            }
        }
        if ((rc = ctx_scan(&c, out, text, len)) != 0)
            break;
        score(&c, out, g, ng, -1);
    }
    sov_scan_scratch_free(c.sc);
    json_decref(root);
    if (rc && err)
        *err = sov_asprintf("%s: scan failed: %s", path, sov_strerror(rc));
    return rc;
}

/* --- detect-secrets: per-line scoring --- */
/* The corpus' baseline.file is not usable as ground truth: it is a fixture of detect-secrets' own
 * baseline tests, written by version 0.14.2 for older versions of these files (its line numbers are off
 * by one in each_secret.py and refer to the patched file, not the diff, in sample.diff), and it omits
 * lines those plugins did not flag (the AKIA id in config.yaml, the assignment in config.ini line 32).
 * So each line of the 17 files was labelled by reading it (this table; docs/sensitive.md): a line is a
 * secret if it holds a credential value (a provider key or key id, a private key, a value assigned to a
 * credential-named key, a high-entropy value assigned to a name, a password in a URL), whatever a
 * "pragma: allowlist" comment says (the value still leaves the premises). Ambiguous lines (high-entropy
 * values named as ids, bare hex literals) are not scored either way. Every other line is "no secret". */
static const struct {
    const char *file;
    unsigned line;
    bool secret; /* false: ambiguous, not scored */
} ds_labels[] = {
    {"config.env", 1, true},      /* mimi=<40-char base64> */
    {"config.ini", 2, true},      /* password = ... */
    {"config.ini", 10, true},     /* aws_secret_key = ... */
    {"config.ini", 26, true},     /* password = ... (allowlisted by pragma) */
    {"config.ini", 32, true},     /* real_secret_which_isnt_an_i_d = <high entropy> */
    {"config.ini", 33, false},    /* foreign_key_id = same value, named as an id */
    {"config.md", 10, true},      /* key="<32-char base64>" */
    {"config.yaml", 5, true},     /* AKIA... key id */
    {"config.yaml", 12, true},    /* ..._api_key: '<base64>' (allowlisted by pragma) */
    {"config.yaml", 13, true},    /* low_entropy_binary_secret: !!binary ... */
    {"config.yaml", 16, false},   /* allowlisted_id: '<base64>', named as an id */
    {"config2.yaml", 2, true},    /* high_entropy_hex_binary_secret: !!binary ... */
    {"each_secret.py", 2, false}, /* id = '<base64>', named as an id */
    {"each_secret.py", 4, true},  /* base64_secret = ... */
    {"each_secret.py", 5, true},  /* hex_secret = ... */
    {"each_secret.py", 6, true},  /* http://user:password@host */
    {"each_secret.py", 8, true},  /* AKIA... key id */
    {"each_secret.py", 9, true},  /* aws_secret_access_key = ... */
    {"files/file_with_secrets.py", 3, true},
    {"files/file_with_secrets.py", 4, true}, /* allowlisted by pragma */
    {"files/private_key", 1, true},
    {"files/tmp/file_with_secrets.py", 3, true},
    {"sample.diff", 10, false},              /* "012345678a" literal in code */
    {"sample.diff", 22, false},              /* bare 32-hex literal in code */
    {"sample.diff", 34, false},              /* bare 32-hex literal in code */
    {"sample.diff", 72, false},              /* "hashed_secret": <sha1 digest> */
    {"short_files/first_line.php", 1, true}, /* secret = '...' */
    {"short_files/last_line.ini", 3, true},  /* values of secrets_for_no_one_to_find = (continuation lines) */
    {"short_files/last_line.ini", 4, true},
    {"short_files/last_line.ini", 5, true},
    {"short_files/middle_line.yml", 4, true}, /* password: / secure: <value> */
};

struct ds_state {
    struct evalctx c;
    struct sov_pii_eval *out;
    const char *dir;
    char **err;
    int rc;
};

static void ds_file(struct ds_state *st, const char *rel)
{
    char *path = sov_asprintf("%s/%s", st->dir, rel);
    if (!path) {
        st->rc = SOV_ENOMEM;
        return;
    }
    size_t len = 0;
    char *data = sov_read_file(path, 16u << 20, &len, NULL);
    free(path);
    if (!data)
        return;
    int rc = ctx_scan(&st->c, st->out, data, len);
    if (rc) {
        free(data);
        st->rc = rc;
        return;
    }
    /* line of each byte offset */
    size_t nlines = 1;
    for (size_t i = 0; i < len; i++)
        nlines += data[i] == '\n';
    /* gold: 0 no secret, 1 secret, 2 not scored */
    unsigned char *gold = calloc(nlines + 2, 1), *pred = calloc(nlines + 2, 1);
    if (!gold || !pred) {
        free(gold);
        free(pred);
        free(data);
        st->rc = SOV_ENOMEM;
        return;
    }
    for (size_t k = 0; k < sizeof ds_labels / sizeof ds_labels[0]; k++)
        if (strcmp(ds_labels[k].file, rel) == 0 && ds_labels[k].line >= 1 && ds_labels[k].line <= nlines)
            gold[ds_labels[k].line] = ds_labels[k].secret ? 1 : 2;
    for (size_t i = 0; i < st->c.n_spans; i++) {
        if (st->c.spans[i].type != SOV_PII_SECRET)
            continue;
        size_t ln = 1;
        for (size_t b = 0; b < st->c.spans[i].start && b < len; b++)
            ln += data[b] == '\n';
        pred[ln] = 1;
    }
    struct sov_pii_eval_counts *c = &st->out->c[SOV_PII_SECRET];
    for (size_t ln = 1; ln <= nlines; ln++) {
        if (gold[ln] == 2)
            continue;
        if (gold[ln] != pred[ln] && st->c.trace)
            fprintf(st->c.trace, "%s secret %s:%zu\n", gold[ln] ? "FN" : "FP", rel, ln);
        c->n_gold += gold[ln];
        c->n_pred += pred[ln];
        c->tp_gold += gold[ln] && pred[ln];
        c->tp_pred += gold[ln] && pred[ln];
    }
    free(gold);
    free(pred);
    free(data);
}

static void ds_walk(struct ds_state *st, const char *rel, int depth)
{
    char *path = rel[0] ? sov_asprintf("%s/%s", st->dir, rel) : sov_asprintf("%s", st->dir);
    if (!path)
        return;
    DIR *d = opendir(path);
    free(path);
    if (!d)
        return;
    /* sorted for a stable order */
    char *names[256];
    size_t nn = 0;
    struct dirent *de;
    while ((de = readdir(d)) && nn < 256) {
        if (de->d_name[0] == '.')
            continue;
        names[nn] = sov_asprintf("%s", de->d_name);
        if (names[nn])
            nn++;
    }
    closedir(d);
    for (size_t i = 1; i < nn; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *x = names[j];
            names[j] = names[j - 1];
            names[j - 1] = x;
        }
    for (size_t i = 0; i < nn; i++) {
        char *r = rel[0] ? sov_asprintf("%s/%s", rel, names[i]) : sov_asprintf("%s", names[i]);
        char *full = r ? sov_asprintf("%s/%s", st->dir, r) : NULL;
        struct stat sb;
        if (r && full && stat(full, &sb) == 0) {
            if (S_ISDIR(sb.st_mode) && depth < 4)
                ds_walk(st, r, depth + 1);
            else if (S_ISREG(sb.st_mode) && strcmp(names[i], "LICENSE") && strcmp(names[i], "baseline.file"))
                ds_file(st, r);
        }
        free(full);
        free(r);
        free(names[i]);
    }
}

int sov_pii_eval_detect_secrets(const struct sov_scanner *s, const char *dir, const struct sov_pii_eval_opts *opts,
                                struct sov_pii_eval *out, char **err)
{
    struct ds_state st = {.out = out, .dir = dir, .err = err};
    /* labelled by reading every file (see ds_labels): tuning data as a whole, the held-out split is empty */
    struct sov_pii_eval_opts o = {opts ? opts->split : SOV_PII_SPLIT_ALL, opts ? opts->trace : NULL};
    int rc = ctx_init(&st.c, s, &o, out, "detect_secrets (per line, relabelled)", true);
    out->has_type[SOV_PII_SECRET] = true;
    if (rc || o.split == SOV_PII_SPLIT_HELDOUT) {
        sov_scan_scratch_free(st.c.sc);
        return rc;
    }
    ds_walk(&st, "", 0);
    sov_scan_scratch_free(st.c.sc);
    if (st.rc && err)
        *err = sov_asprintf("%s: %s", dir, sov_strerror(st.rc));
    return st.rc;
}

static bool file_exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

int sov_pii_eval_all(const struct sov_scanner *s, const char *data_dir, struct sov_pii_eval **out, size_t *n, char **err)
{
    *out = NULL;
    *n = 0;
    static const struct {
        const char *rel;
        int kind;
        bool whole_tune, whole_heldout;
    } corpora[] = {
        {"presidio/generated_small.json", 0, true, false},
        {"presidio/generated_large.json", 0, false, false},
        {"presidio/recognizer_tests/recognizer_cases.jsonl", 1, false, false},
        {"pii_synthetic/pii_syn_nano_en.json", 2, false, false},
        {"detect_secrets", 3, true, false},
    };
    size_t nc = sizeof corpora / sizeof corpora[0];
    struct sov_pii_eval *ev = calloc(2 * nc + 1, sizeof *ev);
    if (!ev)
        return SOV_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < nc; i++) {
        char *p = sov_asprintf("%s/%s", data_dir, corpora[i].rel);
        if (!p) {
            free(ev);
            return SOV_ENOMEM;
        }
        if (!file_exists(p)) {
            free(p);
            continue;
        }
        for (int sp = SOV_PII_SPLIT_TUNE; sp <= SOV_PII_SPLIT_HELDOUT; sp++) {
            if ((sp == SOV_PII_SPLIT_HELDOUT && corpora[i].whole_tune) || (sp == SOV_PII_SPLIT_TUNE && corpora[i].whole_heldout))
                continue;
            struct sov_pii_eval_opts o = {(enum sov_pii_split)sp, NULL};
            int rc;
            switch (corpora[i].kind) {
            case 0:
                rc = sov_pii_eval_presidio(s, p, &o, &ev[k], err);
                break;
            case 1:
                rc = sov_pii_eval_recognizer_cases(s, p, &o, &ev[k], err);
                break;
            case 2:
                rc = sov_pii_eval_pii_synthetic(s, p, &o, &ev[k], err);
                break;
            default:
                rc = sov_pii_eval_detect_secrets(s, p, &o, &ev[k], err);
                break;
            }
            if (rc) {
                free(p);
                free(ev);
                return rc;
            }
            k++;
        }
        free(p);
    }
    if (k == 0) {
        free(ev);
        if (err)
            *err = sov_asprintf("%s: no PII corpus found", data_dir);
        return SOV_ENOTFOUND;
    }
    struct sov_pii_eval *tot = &ev[k];
    memset(tot, 0, sizeof *tot);
    snprintf(tot->name, sizeof tot->name, "held-out total");
    tot->held_out = true;
    for (size_t i = 0; i < k; i++) {
        if (!ev[i].held_out)
            continue;
        tot->n_texts += ev[i].n_texts;
        tot->bytes += ev[i].bytes;
        tot->seconds += ev[i].seconds;
        for (int t = 0; t < SOV_PII_COUNT; t++) {
            if (!ev[i].has_type[t])
                continue;
            tot->has_type[t] = true;
            tot->c[t].n_pred += ev[i].c[t].n_pred;
            tot->c[t].tp_pred += ev[i].c[t].tp_pred;
            tot->c[t].n_gold += ev[i].c[t].n_gold;
            tot->c[t].tp_gold += ev[i].c[t].tp_gold;
            tot->c[t].n_gold_not_issue += ev[i].c[t].n_gold_not_issue;
            tot->c[t].tp_gold_not_issue += ev[i].c[t].tp_gold_not_issue;
            tot->c[t].fp_unlabelled += ev[i].c[t].fp_unlabelled;
        }
    }
    *out = ev;
    *n = k + 1;
    return 0;
}

static void fmt_ratio(char *buf, size_t n, double v)
{
    if (isnan(v))
        snprintf(buf, n, "%s", "-");
    else
        snprintf(buf, n, "%.3f", v);
}

void sov_pii_eval_print(FILE *f, const struct sov_pii_eval *ev, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct sov_pii_eval *e = &ev[i];
        fprintf(f, "%s: %zu texts, %.1f KB, scan %.1f ms\n", e->name, e->n_texts, (double)e->bytes / 1024.0, e->seconds * 1e3);
        fprintf(f, "  %-12s %7s %7s %9s %9s\n", "type", "gold", "pred", "precision", "recall");
        for (int t = 0; t < SOV_PII_COUNT; t++) {
            if (!e->has_type[t])
                continue;
            char p[16], r[16];
            fmt_ratio(p, sizeof p, sov_pii_eval_precision(&e->c[t]));
            fmt_ratio(r, sizeof r, sov_pii_eval_recall(&e->c[t]));
            fprintf(f, "  %-12s %7llu %7llu %9s %9s\n", sov_pii_type_name((enum sov_pii_type)t), (unsigned long long)e->c[t].n_gold,
                    (unsigned long long)e->c[t].n_pred, p, r);
            const struct sov_pii_eval_counts *c = &e->c[t];
            if (c->n_gold_not_issue) {
                struct sov_pii_eval_counts x = *c;
                x.n_gold -= c->n_gold_not_issue;
                x.tp_gold -= c->tp_gold_not_issue;
                fmt_ratio(r, sizeof r, sov_pii_eval_recall(&x));
                fprintf(f, "  %-12s %7llu %7llu %9s %9s   second reading: %llu gold span(s) not SSNs by the issue's definition "
                           "(invalid range, published or masked) left out\n",
                        "", (unsigned long long)x.n_gold, (unsigned long long)x.n_pred, p, r, (unsigned long long)c->n_gold_not_issue);
            }
            if (c->fp_unlabelled) {
                struct sov_pii_eval_counts x = *c;
                x.tp_pred += c->fp_unlabelled;
                fmt_ratio(p, sizeof p, sov_pii_eval_precision(&x));
                fmt_ratio(r, sizeof r, sov_pii_eval_recall(c));
                fprintf(f, "  %-12s %7llu %7llu %9s %9s   second reading: %llu false alarm(s) right after the word \"password\", "
                           "unlabelled, counted as correct\n",
                        "", (unsigned long long)x.n_gold, (unsigned long long)x.n_pred, p, r, (unsigned long long)c->fp_unlabelled);
            }
        }
    }
}
