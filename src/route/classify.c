/*
 * The task classifier: feature extraction over a whole chat request, the linear model, and its file.
 * See classify.h for the model and docs/router-model.md for the corpus and the scores.
 */
#define SOV_LOG_MODULE "classify"
#include "route/classify.h"

#include "common/log.h"
#include "common/util.h"
#include "sovereign/sovereign.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------- */
/* Hashing                                                                                        */

uint64_t sov_classify_fnv1a(const void *p, size_t n, uint64_t h)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

bool sov_classify_is_holdout(const char *key, size_t n, uint32_t permille, uint32_t seed)
{
    uint64_t h = sov_classify_fnv1a(&seed, 0, 0xcbf29ce484222325ull ^ ((uint64_t)seed * 0x9e3779b97f4a7c15ull));
    h = sov_classify_fnv1a(key, n, h);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return (uint32_t)(h % 1000) < permille;
}

static inline uint64_t sov__mix(uint64_t a, uint64_t b)
{
    uint64_t h = (a ^ (b + 0x9e3779b97f4a7c15ull + (a << 6) + (a >> 2))) * 0xff51afd7ed558ccdull;
    return h ^ (h >> 31);
}

/* Namespaces: every hashed feature is salted with one of these. */
enum {
    NS_INSTR = 1,   /* instruction words and bigrams */
    NS_CONTENT,     /* supplied-content words and bigrams */
    NS_ASSIST,      /* assistant turns, words only */
    NS_TOOLS,       /* tool names and descriptions */
    NS_ICHAR,       /* character n-grams of instruction words */
    NS_CCHAR,       /* character n-grams of content words */
    NS_FIRST,       /* first word of each instruction span */
    NS_LASTPOS,     /* first words of the last user instruction, by position */
    NS_LASTCTX,     /* words of the last user instruction, conjoined with whether content was supplied */
    NS_BIGRAM = 64, /* added to the namespace of bigrams */
};

/* Per-request caps on hashed bytes: they bound the work on a 100 KB prompt and the feature count. */
#define CAP_INSTR 8192
#define CAP_INSTR_CHARS 3072 /* instruction bytes that also get character n-grams */
#define CAP_CONTENT_WORDS 6144
#define CAP_CONTENT_CHARS 1536
#define CAP_ASSIST 2048
#define CAP_TOOLS 2048
#define WORD_MAX 20   /* longer words are cut for character n-grams */
#define MAX_PARAS 256 /* paragraphs per text part; the rest merge into the last */
#define LAST_WORDS 48 /* words of the last user instruction kept for the content conjunction */

/* ---------------------------------------------------------------------------------------------- */
/* Extraction state                                                                                */

struct sov__fx {
    struct sov_classify_scratch *s;
    unsigned shift;
    size_t budget_instr, budget_ichars, budget_cwords, budget_cchars, budget_assist, budget_tools;
    /* statistics for the dense features */
    size_t total, instr, content, lines, digits, nonascii, code_punct, indented, bullets, kv, math, latex, fences, options,
        qmarks_instr, caps_tokens, choices;
    bool qmark_last, in_last;
    size_t instr_words_last;
    int last_pos;                    /* position features left to emit for the last user instruction */
    bool content_side;               /* features go to the content group */
    uint64_t last_words[LAST_WORDS]; /* word hashes of the last user instruction (NS_LASTCTX) */
    size_t n_last_words;
};

static inline void sov__emit(struct sov__fx *x, uint64_t h)
{
    struct sov_classify_scratch *s = x->s;
    if (s->n_instr + s->n_content >= SOV_CLS_MAX_FEATS)
        return;
    uint32_t id = (uint32_t)(sov__mix(h, 0x5bd1e995) >> x->shift);
    if (x->content_side)
        s->feats[SOV_CLS_MAX_FEATS - 1 - s->n_content++] = id;
    else
        s->feats[s->n_instr++] = id;
}

static inline bool sov__wordc(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

/* Punctuation that carries meaning for task types; each is a token of its own. */
static inline bool sov__puncttok(unsigned char c)
{
    return c && strchr("?:{}()=;#$\\<>[]*`|%+/", c) != NULL;
}

static inline unsigned char sov__norm(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return (unsigned char)(c + 32);
    if (c >= '0' && c <= '9')
        return '0';
    return c;
}

static void sov__char_ngrams(struct sov__fx *x, const char *w, size_t n, uint64_t ns)
{
    unsigned char buf[WORD_MAX + 2];
    size_t len = n > WORD_MAX ? WORD_MAX : n;
    buf[0] = '<';
    for (size_t i = 0; i < len; i++)
        buf[i + 1] = sov__norm((unsigned char)w[i]);
    buf[len + 1] = '>';
    len += 2;
    /* the 3-, 4- and 5-grams starting at i share one FNV-1a pass (the length is mixed in at emit) */
    uint64_t seed = 0xcbf29ce484222325ull ^ (ns * 0x100000001b3ull);
    for (size_t i = 0; i + 3 <= len; i++) {
        uint64_t h = seed;
        size_t g = 0;
        for (; g < 5 && i + g < len; g++) {
            h ^= buf[i + g];
            h *= 0x100000001b3ull;
            if (g >= 2)
                sov__emit(x, h + g);
        }
    }
}

/* Hashes the words (and bigrams, and optionally character n-grams) of p[0..n) into namespace ns. */
static void sov__hash_text(struct sov__fx *x, const char *p, size_t n, uint64_t ns, uint64_t char_ns, bool bigrams)
{
    uint64_t prev = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)p[i];
        uint64_t h;
        if (sov__wordc(c)) {
            size_t st = i;
            h = 0xcbf29ce484222325ull ^ (ns * 0x9e3779b97f4a7c15ull);
            while (i < n && sov__wordc((unsigned char)p[i])) {
                h ^= sov__norm((unsigned char)p[i]);
                h *= 0x100000001b3ull;
                i++;
            }
            if (char_ns)
                sov__char_ngrams(x, p + st, i - st, char_ns);
            if (x->last_pos > 0 && ns == NS_INSTR) {
                sov__emit(x, sov__mix(h, NS_LASTPOS * 16 + (uint64_t)(4 - x->last_pos)));
                x->last_pos--;
            }
            if (x->in_last && ns == NS_INSTR && !x->content_side && x->n_last_words < LAST_WORDS)
                x->last_words[x->n_last_words++] = h;
        } else if (sov__puncttok(c)) {
            h = sov__mix(ns, c);
            i++;
        } else {
            i++;
            continue;
        }
        sov__emit(x, h);
        if (bigrams && prev)
            sov__emit(x, sov__mix(prev, h + NS_BIGRAM));
        prev = h;
    }
}

static size_t sov__take(size_t *budget, size_t n)
{
    size_t k = n < *budget ? n : *budget;
    *budget -= k;
    return k;
}

static void sov__content(struct sov__fx *x, const char *p, size_t n)
{
    x->content += n;
    size_t k = sov__take(&x->budget_cwords, n);
    if (!k)
        return;
    size_t kc = sov__take(&x->budget_cchars, k);
    x->content_side = true;
    sov__hash_text(x, p, kc, NS_CONTENT, NS_CCHAR, true);
    if (k > kc)
        sov__hash_text(x, p + kc, k - kc, NS_CONTENT, 0, true);
    x->content_side = false;
}

static void sov__instr_plain(struct sov__fx *x, const char *p, size_t n)
{
    if (!n)
        return;
    x->instr += n;
    for (size_t i = 0; i < n; i++)
        if (p[i] == '?') {
            x->qmarks_instr++;
            if (x->in_last)
                x->qmark_last = true;
        }
    if (x->in_last) {
        for (size_t i = 0; i < n; i++)
            if (sov__wordc((unsigned char)p[i]) && (i == 0 || !sov__wordc((unsigned char)p[i - 1])))
                x->instr_words_last++;
    }
    /* label sets: ALL-CAPS tokens (BUG, FEATURE_REQUEST) and choice lists (a, b or c; yes/no) */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 'A' && c <= 'Z' && (i == 0 || !sov__wordc((unsigned char)p[i - 1]))) {
            size_t j = i;
            while (j < n && ((p[j] >= 'A' && p[j] <= 'Z') || p[j] == '_'))
                j++;
            if (j - i >= 2 && (j == n || !sov__wordc((unsigned char)p[j])))
                x->caps_tokens++;
            i = j;
        } else if (c == ' ' && i + 4 < n && p[i + 1] == 'o' && p[i + 2] == 'r' && p[i + 3] == ' ') {
            for (size_t j = i; j > 0 && i - j < 40; j--)
                if (p[j - 1] == ',') {
                    x->choices++;
                    break;
                }
        } else if (c == '/' && i > 0 && i + 1 < n && sov__wordc((unsigned char)p[i - 1]) && sov__wordc((unsigned char)p[i + 1]) &&
                   !(p[i - 1] >= '0' && p[i - 1] <= '9')) {
            x->choices++;
        }
    }
    size_t k = sov__take(&x->budget_instr, n);
    /* the first word of every instruction span */
    size_t i = 0;
    while (i < k && !sov__wordc((unsigned char)p[i]))
        i++;
    if (i < k) {
        uint64_t h = 0xcbf29ce484222325ull ^ NS_FIRST;
        while (i < k && sov__wordc((unsigned char)p[i])) {
            h ^= sov__norm((unsigned char)p[i++]);
            h *= 0x100000001b3ull;
        }
        sov__emit(x, h);
    }
    size_t kc = sov__take(&x->budget_ichars, k);
    sov__hash_text(x, p, kc, NS_INSTR, NS_ICHAR, true);
    if (k > kc)
        sov__hash_text(x, p + kc, k - kc, NS_INSTR, 0, true);
}

/* Instruction text, with quoted spans of 40+ bytes ("...", “...”, «...») routed to content. */
static void sov__instr(struct sov__fx *x, const char *p, size_t n)
{
    size_t from = 0, i = 0;
    while (i < n) {
        size_t open = 0;
        const char *close = NULL;
        size_t close_len = 0;
        if (p[i] == '"') {
            open = 1, close = "\"", close_len = 1;
        } else if (i + 3 <= n && memcmp(p + i, "\xe2\x80\x9c", 3) == 0) {
            open = 3, close = "\xe2\x80\x9d", close_len = 3;
        } else if (i + 2 <= n && memcmp(p + i, "\xc2\xab", 2) == 0) {
            open = 2, close = "\xc2\xbb", close_len = 2;
        }
        if (!open) {
            i++;
            continue;
        }
        size_t j = i + open;
        while (j + close_len <= n && memcmp(p + j, close, close_len) != 0)
            j++;
        if (j + close_len > n) {
            i += open;
            continue;
        }
        if (j - (i + open) >= 40) {
            sov__instr_plain(x, p + from, i + open - from);
            sov__content(x, p + i + open, j - (i + open));
            from = j;
        }
        i = j + close_len;
    }
    sov__instr_plain(x, p + from, n - from);
}

/* Labels that introduce the request itself rather than data ("Question: ..."). */
static const char *const sov__instr_labels[] = {
    "question", "q",      "task",     "instruction", "instructions", "query", "request", "note",
    "goal",     "frage",  "pregunta", "aufgabe",     "consigne",     "tarea", "prompt",  "answer",
    "a",        "output", "format",   "rules",       "requirements", NULL,
};

static bool sov__is_instr_label(const char *p, size_t n)
{
    while (n && (p[n - 1] == ' ' || p[n - 1] == '*' || p[n - 1] == '#'))
        n--;
    while (n && (*p == ' ' || *p == '*' || *p == '#'))
        p++, n--;
    for (size_t i = 0; sov__instr_labels[i]; i++)
        if (strlen(sov__instr_labels[i]) == n && strncasecmp(sov__instr_labels[i], p, n) == 0)
            return true;
    return false;
}

/* An instruction paragraph: a "Label: long data" or "instruction: long data" split, else all instruction. */
static void sov__instr_para(struct sov__fx *x, const char *p, size_t n)
{
    size_t lim = n < 200 ? n : 200;
    for (size_t i = 0; i < lim; i++) {
        if (p[i] == '\n' && i > 0)
            break;
        if (p[i] != ':' || i + 1 >= n || (p[i + 1] != ' ' && p[i + 1] != '\n' && p[i + 1] != '\t'))
            continue;
        size_t rest = n - i - 1;
        if (rest >= 100 && rest * 2 >= (i + 1) * 3 && !sov__is_instr_label(p, i)) {
            sov__instr(x, p, i + 1);
            sov__content(x, p + i + 1, rest);
            return;
        }
        break;
    }
    sov__instr(x, p, n);
}

enum { P_PLAIN, P_FENCE, P_QUOTE, P_HEADER };

struct sov__para {
    uint32_t start, len;
    uint8_t kind;
};

static bool sov__fence_line(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && i < 3 && p[i] == ' ')
        i++;
    return n - i >= 3 && (memcmp(p + i, "```", 3) == 0 || memcmp(p + i, "~~~", 3) == 0);
}

/* A line that opens an XML-style block: "<document>", "<text id=1>" (not a closing tag). Returns the
 * tag name's length (the name starts at p + 1), 0 if not. */
static size_t sov__tag_open(const char *p, size_t n)
{
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\r'))
        n--;
    if (n < 3 || p[0] != '<' || p[n - 1] != '>' || p[1] == '/' || n > 64)
        return 0;
    size_t k = 1;
    while (k < n - 1 && (sov__wordc((unsigned char)p[k]) || p[k] == '-'))
        k++;
    return (k > 1 && (p[k] == '>' || p[k] == ' ')) ? k - 1 : 0;
}

static bool sov__tag_close(const char *p, size_t n, const char *name, size_t nlen)
{
    for (size_t i = 0; i + nlen + 3 <= n; i++)
        if (p[i] == '<' && p[i + 1] == '/' && memcmp(p + i + 2, name, nlen) == 0 && p[i + 2 + nlen] == '>')
            return true;
    return false;
}

static bool sov__blank_line(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return false;
    return true;
}

/* Byte classes for the line statistics (one table lookup per byte; 0 for the common bytes). */
enum { BC_NONASCII = 1, BC_DIGIT = 2, BC_CODE = 4, BC_MATH = 8, BC_OTHER = 16 };
#define BC_RANGE16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
static const uint8_t sov__byte_class[256] = {
    ['0'] = BC_DIGIT,
    ['1'] = BC_DIGIT,
    ['2'] = BC_DIGIT,
    ['3'] = BC_DIGIT,
    ['4'] = BC_DIGIT,
    ['5'] = BC_DIGIT,
    ['6'] = BC_DIGIT,
    ['7'] = BC_DIGIT,
    ['8'] = BC_DIGIT,
    ['9'] = BC_DIGIT,
    ['{'] = BC_CODE,
    ['}'] = BC_CODE,
    [';'] = BC_CODE,
    ['='] = BC_CODE | BC_MATH,
    ['('] = BC_CODE,
    [')'] = BC_CODE,
    ['+'] = BC_MATH,
    ['-'] = BC_MATH,
    ['*'] = BC_MATH,
    ['/'] = BC_MATH,
    ['^'] = BC_MATH,
    ['<'] = BC_MATH,
    ['>'] = BC_MATH,
    ['\\'] = BC_OTHER,
    ['$'] = BC_OTHER,
    [0x80] = BC_RANGE16(BC_NONASCII),
    [0x90] = BC_RANGE16(BC_NONASCII),
    [0xa0] = BC_RANGE16(BC_NONASCII),
    [0xb0] = BC_RANGE16(BC_NONASCII),
    [0xc0] = BC_RANGE16(BC_NONASCII),
    [0xd0] = BC_RANGE16(BC_NONASCII),
    [0xe0] = BC_RANGE16(BC_NONASCII),
    [0xf0] = BC_RANGE16(BC_NONASCII),
};

/* Line statistics for the dense features. */
static void sov__line_stats(struct sov__fx *x, const char *p, size_t n)
{
    x->lines++;
    if (n && (p[0] == ' ' || p[0] == '\t') && !sov__blank_line(p, n))
        x->indented++;
    size_t i = 0;
    while (i < n && p[i] == ' ')
        i++;
    if (i + 1 < n && (p[i] == '-' || p[i] == '*') && p[i + 1] == ' ')
        x->bullets++;
    else if (i + 2 < n && p[i] >= '0' && p[i] <= '9' && (p[i + 1] == '.' || p[i + 1] == ')') && p[i + 2] == ' ')
        x->bullets++;
    else if (i + 2 < n && ((p[i] >= 'A' && p[i] <= 'E') || (p[i] >= 'a' && p[i] <= 'e')) && (p[i + 1] == '.' || p[i + 1] == ')') &&
             p[i + 2] == ' ')
        x->options++;
    else if (i + 3 < n && p[i] == '(' && p[i + 1] >= 'a' && p[i + 1] <= 'e' && p[i + 2] == ')')
        x->options++;
    for (size_t j = i; j < n && j < i + 26; j++) {
        if (p[j] == ':' && j > i && j + 1 < n && p[j + 1] == ' ') {
            x->kv++;
            break;
        }
        if (!sov__wordc((unsigned char)p[j]) && p[j] != ' ' && p[j] != '-')
            break;
    }
    const unsigned char *u = (const unsigned char *)p;
    const uint8_t *bc = sov__byte_class;
    for (size_t j = 0; j < n; j++) {
        /* 8 bytes at a time past runs where nothing counts (letters, spaces, most punctuation) */
        while (j + 8 <= n &&
               !(bc[u[j]] | bc[u[j + 1]] | bc[u[j + 2]] | bc[u[j + 3]] | bc[u[j + 4]] | bc[u[j + 5]] | bc[u[j + 6]] | bc[u[j + 7]]))
            j += 8;
        if (j >= n)
            break;
        unsigned char c = (unsigned char)p[j];
        uint8_t k = sov__byte_class[c];
        if (!k)
            continue; /* letters, spaces and most punctuation: nothing to count */
        if (k & BC_NONASCII)
            x->nonascii++;
        else if (k & BC_DIGIT)
            x->digits++;
        else if (k & BC_CODE)
            x->code_punct++;
        if ((k & BC_MATH) && ((j > 0 && p[j - 1] >= '0' && p[j - 1] <= '9') || (j + 1 < n && p[j + 1] >= '0' && p[j + 1] <= '9') ||
                              (j > 1 && p[j - 1] == ' ' && p[j - 2] >= '0' && p[j - 2] <= '9') ||
                              (j + 2 < n && p[j + 1] == ' ' && p[j + 2] >= '0' && p[j + 2] <= '9')))
            x->math++;
        if (c == '\\' && j + 1 < n && ((p[j + 1] >= 'a' && p[j + 1] <= 'z') || p[j + 1] == '(' || p[j + 1] == '['))
            x->latex++;
        else if (c == '$' && j + 1 < n && p[j + 1] != ' ' && !(p[j + 1] >= '0' && p[j + 1] <= '9'))
            x->latex++;
    }
}

/* Splits one text into paragraphs and routes each to instruction or content. */
static void sov__segment(struct sov__fx *x, const char *t, size_t n, bool force_content)
{
    struct sov__para paras[MAX_PARAS];
    size_t np = 0, i = 0;
    x->total += n;
    while (i < n) {
        size_t le = i;
        const char *nl = memchr(t + le, '\n', n - le);
        le = nl ? (size_t)(nl - t) : n;
        if (sov__blank_line(t + i, le - i)) {
            x->lines++;
            i = le + 1;
            continue;
        }
        size_t st = i;
        uint8_t kind = P_PLAIN;
        bool all_quote = true;
        size_t nlines = 0;
        size_t tag = sov__tag_open(t + i, le - i);
        if (tag) {
            /* an XML-style block: content up to its closing tag (or the end) */
            kind = P_FENCE;
            const char *name = t + i + 1;
            sov__line_stats(x, t + i, le - i);
            bool closed = sov__tag_close(t + i, le - i, name, tag);
            i = le + 1;
            while (i < n && !closed) {
                size_t e = i;
                const char *nle = memchr(t + e, '\n', n - e);
                e = nle ? (size_t)(nle - t) : n;
                sov__line_stats(x, t + i, e - i);
                closed = sov__tag_close(t + i, e - i, name, tag);
                i = e + 1;
            }
        } else if (sov__fence_line(t + i, le - i)) {
            kind = P_FENCE;
            x->fences++;
            sov__line_stats(x, t + i, le - i);
            i = le + 1;
            while (i < n) {
                size_t e = i;
                const char *nle = memchr(t + e, '\n', n - e);
                e = nle ? (size_t)(nle - t) : n;
                sov__line_stats(x, t + i, e - i);
                bool closing = sov__fence_line(t + i, e - i);
                i = e + 1;
                if (closing)
                    break;
            }
        } else {
            while (i < n) {
                size_t e = i;
                const char *nle = memchr(t + e, '\n', n - e);
                e = nle ? (size_t)(nle - t) : n;
                if (sov__blank_line(t + i, e - i) || (nlines && (sov__fence_line(t + i, e - i) || sov__tag_open(t + i, e - i))))
                    break;
                sov__line_stats(x, t + i, e - i);
                if (t[i] != '>')
                    all_quote = false;
                nlines++;
                i = e + 1;
            }
            if (all_quote)
                kind = P_QUOTE;
            else if (nlines == 1) {
                size_t e = i > n ? n : i;
                while (e > st && (t[e - 1] == '\n' || t[e - 1] == ' ' || t[e - 1] == '\r' || t[e - 1] == '*'))
                    e--;
                if (e > st && t[e - 1] == ':' && e - st <= 60)
                    kind = P_HEADER;
            }
        }
        size_t end = i > n ? n : i;
        while (end > st && (t[end - 1] == '\n' || t[end - 1] == '\r'))
            end--;
        if (np == MAX_PARAS) {
            paras[np - 1].len = (uint32_t)(end - paras[np - 1].start);
        } else {
            paras[np].start = (uint32_t)st;
            paras[np].len = (uint32_t)(end - st);
            paras[np].kind = kind;
            np++;
        }
    }
    if (force_content) {
        for (size_t k = 0; k < np; k++)
            sov__content(x, t + paras[k].start, paras[k].len);
        return;
    }
    /* plain paragraphs before the first header: the instruction is the shorter of the first and last */
    size_t first = SIZE_MAX, last = SIZE_MAX, nplain = 0;
    for (size_t k = 0; k < np; k++)
        if (paras[k].kind == P_PLAIN) {
            if (first == SIZE_MAX)
                first = k;
            last = k;
            nplain++;
        }
    size_t ipara = first;
    if (nplain >= 2 && paras[last].len < paras[first].len)
        ipara = last;
    bool data_mode = false;
    size_t since_header = 0;
    for (size_t k = 0; k < np; k++) {
        const char *p = t + paras[k].start;
        size_t len = paras[k].len;
        switch (paras[k].kind) {
        case P_FENCE:
        case P_QUOTE:
            sov__content(x, p, len);
            since_header++;
            break;
        case P_HEADER:
            sov__instr(x, p, len);
            data_mode = true;
            since_header = 0;
            break;
        default:
            if (data_mode) {
                if (k == np - 1 && since_header > 0 && len <= 300)
                    sov__instr_para(x, p, len);
                else
                    sov__content(x, p, len);
                since_header++;
            } else if (k == ipara || len < 120 || nplain < 2) {
                sov__instr_para(x, p, len);
            } else {
                sov__content(x, p, len);
            }
        }
    }
}

/* The text of a message's content: a string, or the text parts of an array. Calls fn per part. */
static size_t sov__parts(const json_t *content, const char **texts, size_t *lens, size_t max)
{
    size_t k = 0;
    if (json_is_string(content)) {
        texts[0] = json_string_value(content);
        lens[0] = json_string_length(content);
        return 1;
    }
    if (!json_is_array(content))
        return 0;
    size_t i;
    json_t *part;
    json_array_foreach(content, i, part)
    {
        if (k == max)
            break;
        const json_t *tx = json_is_string(part) ? part : json_object_get(part, "text");
        if (json_is_string(tx)) {
            texts[k] = json_string_value(tx);
            lens[k] = json_string_length(tx);
            k++;
        }
    }
    return k;
}

static float sov__clamp01(float v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

static float sov__log16(size_t n)
{
    return sov__clamp01(log2f((float)n / 16.0f + 1.0f) / 14.0f);
}

int sov_classify_features(struct sov_classify_scratch *s, uint32_t bucket_bits, const json_t *request)
{
    if (!json_is_object(request))
        return SOV_EINVAL;
    const json_t *msgs = json_object_get(request, "messages");
    const json_t *prompt = json_object_get(request, "prompt");
    if (!json_is_array(msgs) && !json_is_string(prompt))
        return SOV_EINVAL;
    struct sov__fx x;
    memset(&x, 0, sizeof x);
    x.s = s;
    x.shift = 64 - bucket_bits;
    x.budget_instr = CAP_INSTR;
    x.budget_ichars = CAP_INSTR_CHARS;
    x.budget_cwords = CAP_CONTENT_WORDS;
    x.budget_cchars = CAP_CONTENT_CHARS;
    x.budget_assist = CAP_ASSIST;
    x.budget_tools = CAP_TOOLS;
    s->n_instr = s->n_content = 0;

    size_t n_user = 0, n_assist = 0, sys_len = 0, last_user = SIZE_MAX, first_user_len = 0;
    bool has_system = false;
    const char *texts[16];
    size_t lens[16];
    if (json_is_array(msgs)) {
        size_t i;
        json_t *m;
        json_array_foreach(msgs, i, m)
        {
            const char *role = json_string_value(json_object_get(m, "role"));
            if (!role)
                continue;
            size_t np = sov__parts(json_object_get(m, "content"), texts, lens, 16);
            size_t len = 0;
            for (size_t k = 0; k < np; k++)
                len += lens[k];
            if (strcmp(role, "user") == 0) {
                if (!n_user)
                    first_user_len = len;
                n_user++;
                last_user = i;
            } else if (strcmp(role, "system") == 0 || strcmp(role, "developer") == 0) {
                has_system = true;
                sys_len += len;
            } else if (strcmp(role, "assistant") == 0)
                n_assist++;
        }
    } else {
        n_user = 1;
    }
    /* a system prompt that instructs and a single user message that is only data */
    bool data_only = false;
    if (has_system && sys_len >= 40 && n_user == 1 && first_user_len >= 120) {
        data_only = true;
        size_t i;
        json_t *m;
        json_array_foreach(msgs, i, m)
        {
            const char *role = json_string_value(json_object_get(m, "role"));
            if (!role || strcmp(role, "user") != 0)
                continue;
            size_t np = sov__parts(json_object_get(m, "content"), texts, lens, 16);
            for (size_t k = 0; k < np && data_only; k++)
                if (memchr(texts[k], '?', lens[k] < 300 ? lens[k] : 300))
                    data_only = false;
        }
    }

    if (json_is_array(msgs)) {
        size_t i;
        json_t *m;
        json_array_foreach(msgs, i, m)
        {
            const char *role = json_string_value(json_object_get(m, "role"));
            if (!role)
                continue;
            size_t np = sov__parts(json_object_get(m, "content"), texts, lens, 16);
            bool user = strcmp(role, "user") == 0;
            if (user || strcmp(role, "system") == 0 || strcmp(role, "developer") == 0) {
                x.in_last = (i == last_user);
                x.last_pos = x.in_last ? 4 : 0;
                for (size_t k = 0; k < np; k++)
                    sov__segment(&x, texts[k], lens[k], user && data_only);
                x.in_last = false;
                x.last_pos = 0;
            } else {
                for (size_t k = 0; k < np; k++) {
                    x.total += lens[k];
                    size_t take = sov__take(&x.budget_assist, lens[k]);
                    x.content_side = true;
                    sov__hash_text(&x, texts[k], take, NS_ASSIST, 0, false);
                    x.content_side = false;
                }
            }
        }
    } else {
        x.in_last = true;
        x.last_pos = 4;
        sov__segment(&x, json_string_value(prompt), json_string_length(prompt), false);
    }

    const json_t *tools = json_object_get(request, "tools");
    if (!json_is_array(tools) || !json_array_size(tools))
        tools = json_object_get(request, "functions");
    bool has_tools = json_is_array(tools) && json_array_size(tools) > 0;
    if (has_tools) {
        size_t i;
        json_t *t;
        json_array_foreach(tools, i, t)
        {
            const json_t *fn = json_object_get(t, "function");
            if (!fn)
                fn = t;
            const char *keys[2] = {"name", "description"};
            for (int k = 0; k < 2; k++) {
                const json_t *v = json_object_get(fn, keys[k]);
                if (json_is_string(v)) {
                    size_t take = sov__take(&x.budget_tools, json_string_length(v));
                    sov__hash_text(&x, json_string_value(v), take, NS_TOOLS, 0, false);
                }
            }
        }
    }

    /* The same words mean different tasks with and without supplied content ("why ..." over a pasted
     * passage is closed_qa, alone it is open_qa): the last instruction's words conjoined with that. */
    uint64_t ctx = NS_LASTCTX * 16 + (data_only ? 3u : x.content >= 200 ? 2u : x.content > 0 ? 1u : 0u);
    for (size_t k = 0; k < x.n_last_words; k++)
        sov__emit(&x, sov__mix(x.last_words[k], ctx));

    float *d = s->dense;
    memset(d, 0, sizeof s->dense);
    size_t tot = x.total ? x.total : 1, lines = x.lines ? x.lines : 1;
    d[SOV_CLS_D_BIAS] = 1;
    d[x.total < 64      ? SOV_CLS_D_LEN_64
      : x.total < 256   ? SOV_CLS_D_LEN_256
      : x.total < 1024  ? SOV_CLS_D_LEN_1K
      : x.total < 4096  ? SOV_CLS_D_LEN_4K
      : x.total < 16384 ? SOV_CLS_D_LEN_16K
                        : SOV_CLS_D_LEN_BIG] = 1;
    d[SOV_CLS_D_INSTR_LOG] = sov__log16(x.instr);
    d[SOV_CLS_D_CONTENT_LOG] = sov__log16(x.content);
    d[SOV_CLS_D_CONTENT_RATIO] = (float)x.content / (float)(x.content + x.instr + 1);
    d[SOV_CLS_D_HAS_CONTENT] = x.content > 0;
    d[SOV_CLS_D_CODE_FENCE] = x.fences > 0;
    d[SOV_CLS_D_CODE_SYNTAX] = sov__clamp01((float)x.code_punct / (float)(lines * 3));
    d[SOV_CLS_D_CODE_INDENT] = (float)x.indented / (float)lines;
    d[SOV_CLS_D_DIGITS] = sov__clamp01(8.0f * (float)x.digits / (float)tot);
    d[SOV_CLS_D_MATH_OPS] = sov__clamp01((float)x.math / 8.0f);
    d[SOV_CLS_D_LATEX] = sov__clamp01((float)x.latex / 4.0f);
    d[SOV_CLS_D_NON_ASCII] = sov__clamp01(4.0f * (float)x.nonascii / (float)tot);
    d[SOV_CLS_D_LINES_LOG] = sov__clamp01(log2f((float)lines / 8.0f + 1.0f) / 10.0f);
    d[SOV_CLS_D_BULLETS] = sov__clamp01((float)x.bullets / (float)lines);
    d[SOV_CLS_D_KV_LINES] = sov__clamp01((float)x.kv / (float)lines);
    d[SOV_CLS_D_QMARK_LAST] = x.qmark_last;
    d[SOV_CLS_D_QMARK_MANY] = x.qmarks_instr >= 3;
    d[SOV_CLS_D_TOOLS] = has_tools;
    d[n_user <= 1 ? SOV_CLS_D_TURNS_1 : n_user <= 3 ? SOV_CLS_D_TURNS_2 : SOV_CLS_D_TURNS_4] = 1;
    d[SOV_CLS_D_ASSISTANT] = n_assist > 0;
    d[SOV_CLS_D_SYSTEM] = has_system;
    d[SOV_CLS_D_DATA_ONLY_USER] = data_only;
    d[SOV_CLS_D_OPTIONS] = x.options >= 2;
    d[SOV_CLS_D_SHORT_INSTR] = x.instr_words_last < 12;
    d[SOV_CLS_D_Q_CONTENT] = x.qmark_last && (x.content >= 80 || data_only);
    d[SOV_CLS_D_Q_BARE] = x.qmark_last && x.content < 80 && !data_only;
    d[SOV_CLS_D_CAPS_LABELS] = sov__clamp01((float)x.caps_tokens / 4.0f);
    d[SOV_CLS_D_CHOICES] = x.choices > 0;
    return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* Scoring                                                                                        */

/* Lanes summed per bucket: 16 int8 (one vector) although a row holds SOV_CLS_STRIDE; the lanes past the
 * row read the next row (or the slack allocated after the last) and are ignored. */
#define LANES 16

void sov_classify_logits(const struct sov_classifier *c, const struct sov_classify_scratch *s, float out[SOV_CLS_OUTPUTS])
{
    int32_t ai[LANES] = {0}, ac[LANES] = {0};
    const int8_t *w = c->hashed;
    for (uint32_t i = 0; i < s->n_instr; i++) {
        if (i + 16 < s->n_instr) /* the rows are random accesses: ask for them early */
            __builtin_prefetch(w + (size_t)s->feats[i + 16] * SOV_CLS_STRIDE);
        const int8_t *row = w + (size_t)s->feats[i] * SOV_CLS_STRIDE;
        for (int k = 0; k < LANES; k++)
            ai[k] += row[k];
    }
    for (uint32_t i = SOV_CLS_MAX_FEATS - s->n_content; i < SOV_CLS_MAX_FEATS; i++) {
        if (i + 16 < SOV_CLS_MAX_FEATS)
            __builtin_prefetch(w + (size_t)s->feats[i + 16] * SOV_CLS_STRIDE);
        const int8_t *row = w + (size_t)s->feats[i] * SOV_CLS_STRIDE;
        for (int k = 0; k < LANES; k++)
            ac[k] += row[k];
    }
    float ni = s->n_instr ? 1.0f / sqrtf((float)s->n_instr) : 0.0f;
    float nc = s->n_content ? 1.0f / sqrtf((float)s->n_content) : 0.0f;
    for (int k = 0; k < SOV_CLS_OUTPUTS; k++) {
        float v = c->bias[k] + ((float)ai[k] * ni + (float)ac[k] * nc) * c->scale[k];
        for (int j = 0; j < SOV_CLS_DENSE_COUNT; j++)
            v += c->dense[j][k] * s->dense[j];
        out[k] = v;
    }
}

int sov_classify(const struct sov_classifier *c, struct sov_classify_scratch *s, const json_t *request, float probs[SOV_TASK_COUNT],
                 float *complexity)
{
    int rc = sov_classify_features(s, c->bucket_bits, request);
    if (rc < 0)
        return rc;
    float z[SOV_CLS_OUTPUTS];
    sov_classify_logits(c, s, z);
    float mx = z[0];
    int best = 0;
    for (int k = 1; k < SOV_TASK_COUNT; k++)
        if (z[k] > mx)
            mx = z[k], best = k;
    float sum = 0;
    for (int k = 0; k < SOV_TASK_COUNT; k++) {
        probs[k] = expf(z[k] - mx);
        sum += probs[k];
    }
    for (int k = 0; k < SOV_TASK_COUNT; k++)
        probs[k] /= sum;
    if (complexity)
        *complexity = 1.0f / (1.0f + expf(-z[SOV_TASK_COUNT]));
    return best;
}

struct sov_classify_scratch *sov_classify_scratch_new(void)
{
    return calloc(1, sizeof(struct sov_classify_scratch));
}

void sov_classify_scratch_free(struct sov_classify_scratch *s)
{
    free(s);
}

/* ---------------------------------------------------------------------------------------------- */
/* The model file                                                                                 */
/*
 *   0  magic[8]           "SOVRTM\0\1"
 *   8  u32 version        SOV_CLS_VERSION
 *  12  u32 bucket_bits
 *  16  u32 n_outputs      SOV_CLS_OUTPUTS
 *  20  u32 n_dense        SOV_CLS_DENSE_COUNT
 *  24  u32 stride         SOV_CLS_STRIDE
 *  28  u32 holdout_permille
 *  32  u32 split_seed
 *  36  u32 reserved (0)
 *  40  u64 checksum       FNV-1a 64 of everything after the header
 *  48  char names[n_outputs - 1][16]  task names, SOV_TASK_MAP order, NUL-padded
 *      f32 bias[n_outputs], f32 scale[n_outputs], f32 dense[n_dense][n_outputs]
 *      i8  hashed[1 << bucket_bits][stride]
 */
#define HDR 48
#define NAME_LEN 16

static void sov__put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t sov__get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void sov__putf(unsigned char *p, float f)
{
    uint32_t v;
    memcpy(&v, &f, 4);
    sov__put32(p, v);
}

static float sov__getf(const unsigned char *p)
{
    uint32_t v = sov__get32(p);
    float f;
    memcpy(&f, &v, 4);
    return f;
}

static size_t sov__floats(void)
{
    return SOV_CLS_OUTPUTS * 2 + SOV_CLS_DENSE_COUNT * SOV_CLS_OUTPUTS;
}

size_t sov_classifier_file_size(const struct sov_classifier *c)
{
    return HDR + (size_t)SOV_TASK_COUNT * NAME_LEN + sov__floats() * 4 + ((size_t)1 << c->bucket_bits) * SOV_CLS_STRIDE;
}

struct sov_classifier *sov_classifier_new(uint32_t bucket_bits)
{
    if (bucket_bits < 10 || bucket_bits > 24)
        return NULL;
    struct sov_classifier *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->bucket_bits = bucket_bits;
    c->hashed = calloc(((size_t)1 << bucket_bits) * SOV_CLS_STRIDE + LANES, 1); /* + slack for the vector loads */
    if (!c->hashed) {
        free(c);
        return NULL;
    }
    for (int k = 0; k < SOV_CLS_OUTPUTS; k++)
        c->scale[k] = 1.0f;
    return c;
}

void sov_classifier_free(struct sov_classifier *c)
{
    if (!c)
        return;
    free(c->hashed);
    free(c);
}

static void sov__seterr(char **err, const char *what, const char *why)
{
    if (err)
        *err = sov_asprintf("%s: %s", what, why);
}

struct sov_classifier *sov_classifier_parse(const void *data, size_t len, char **err)
{
    const unsigned char *p = data;
    const char *what = "classifier model";
    if (len < HDR)
        return sov__seterr(err, what, "truncated header"), NULL;
    if (memcmp(p, SOV_CLS_MAGIC, 8) != 0)
        return sov__seterr(err, what, "not a Sovereign router model (bad magic)"), NULL;
    if (sov__get32(p + 8) != SOV_CLS_VERSION)
        return sov__seterr(err, what, "unsupported model version"), NULL;
    uint32_t bits = sov__get32(p + 12);
    if (bits < 10 || bits > 24 || sov__get32(p + 16) != SOV_CLS_OUTPUTS || sov__get32(p + 20) != SOV_CLS_DENSE_COUNT ||
        sov__get32(p + 24) != SOV_CLS_STRIDE)
        return sov__seterr(err, what, "model shape does not match this build (retrain it)"), NULL;
    size_t want = HDR + (size_t)SOV_TASK_COUNT * NAME_LEN + sov__floats() * 4 + ((size_t)1 << bits) * SOV_CLS_STRIDE;
    if (len < want)
        return sov__seterr(err, what, "truncated"), NULL;
    if (len > want)
        return sov__seterr(err, what, "trailing bytes after the model"), NULL;
    uint64_t sum = 0;
    for (int i = 0; i < 8; i++)
        sum |= (uint64_t)p[40 + i] << (8 * i);
    if (sov_classify_fnv1a(p + HDR, len - HDR, 0xcbf29ce484222325ull) != sum)
        return sov__seterr(err, what, "checksum mismatch (corrupt file)"), NULL;
    const unsigned char *q = p + HDR;
    for (int t = 0; t < SOV_TASK_COUNT; t++, q += NAME_LEN) {
        const char *name = sov_task_name((enum sov_task)t);
        if (strnlen((const char *)q, NAME_LEN) == NAME_LEN || strcmp((const char *)q, name) != 0)
            return sov__seterr(err, what, "task names do not match this build's task list (retrain it)"), NULL;
    }
    struct sov_classifier *c = sov_classifier_new(bits);
    if (!c)
        return sov__seterr(err, what, "out of memory"), NULL;
    c->holdout_permille = sov__get32(p + 28);
    c->split_seed = sov__get32(p + 32);
    for (int k = 0; k < SOV_CLS_OUTPUTS; k++, q += 4)
        c->bias[k] = sov__getf(q);
    for (int k = 0; k < SOV_CLS_OUTPUTS; k++, q += 4)
        c->scale[k] = sov__getf(q);
    for (int j = 0; j < SOV_CLS_DENSE_COUNT; j++)
        for (int k = 0; k < SOV_CLS_OUTPUTS; k++, q += 4)
            c->dense[j][k] = sov__getf(q);
    for (int k = 0; k < SOV_CLS_OUTPUTS; k++) {
        if (!isfinite(c->bias[k]) || !isfinite(c->scale[k]) || c->scale[k] < 0) {
            sov_classifier_free(c);
            return sov__seterr(err, what, "non-finite weights"), NULL;
        }
        for (int j = 0; j < SOV_CLS_DENSE_COUNT; j++)
            if (!isfinite(c->dense[j][k])) {
                sov_classifier_free(c);
                return sov__seterr(err, what, "non-finite weights"), NULL;
            }
    }
    memcpy(c->hashed, q, ((size_t)1 << bits) * SOV_CLS_STRIDE);
    return c;
}

struct sov_classifier *sov_classifier_load(const char *path, char **err)
{
    size_t len = 0;
    char *e = NULL;
    char *data = sov_read_file(path, (size_t)1 << 30, &len, &e);
    if (!data) {
        if (err)
            *err = e;
        else
            free(e);
        return NULL;
    }
    char *pe = NULL;
    struct sov_classifier *c = sov_classifier_parse(data, len, &pe);
    free(data);
    if (!c) {
        if (err)
            *err = sov_asprintf("%s: %s", path, pe ? pe : "invalid model");
        free(pe);
        return NULL;
    }
    sov_debug("loaded model: %u bucket bits", c->bucket_bits);
    return c;
}

int sov_classifier_save(const struct sov_classifier *c, const char *path, char **err)
{
    size_t len = sov_classifier_file_size(c);
    unsigned char *buf = calloc(1, len);
    if (!buf) {
        sov__seterr(err, path, "out of memory");
        return SOV_ENOMEM;
    }
    memcpy(buf, SOV_CLS_MAGIC, 8);
    sov__put32(buf + 8, SOV_CLS_VERSION);
    sov__put32(buf + 12, c->bucket_bits);
    sov__put32(buf + 16, SOV_CLS_OUTPUTS);
    sov__put32(buf + 20, SOV_CLS_DENSE_COUNT);
    sov__put32(buf + 24, SOV_CLS_STRIDE);
    sov__put32(buf + 28, c->holdout_permille);
    sov__put32(buf + 32, c->split_seed);
    unsigned char *q = buf + HDR;
    for (int t = 0; t < SOV_TASK_COUNT; t++, q += NAME_LEN) {
        const char *name = sov_task_name((enum sov_task)t);
        memcpy(q, name, strlen(name));
    }
    for (int k = 0; k < SOV_CLS_OUTPUTS; k++, q += 4)
        sov__putf(q, c->bias[k]);
    for (int k = 0; k < SOV_CLS_OUTPUTS; k++, q += 4)
        sov__putf(q, c->scale[k]);
    for (int j = 0; j < SOV_CLS_DENSE_COUNT; j++)
        for (int k = 0; k < SOV_CLS_OUTPUTS; k++, q += 4)
            sov__putf(q, c->dense[j][k]);
    memcpy(q, c->hashed, ((size_t)1 << c->bucket_bits) * SOV_CLS_STRIDE);
    uint64_t sum = sov_classify_fnv1a(buf + HDR, len - HDR, 0xcbf29ce484222325ull);
    for (int i = 0; i < 8; i++)
        buf[40 + i] = (unsigned char)(sum >> (8 * i));
    FILE *f = fopen(path, "wb");
    int rc = 0;
    if (!f || fwrite(buf, 1, len, f) != len) {
        sov__seterr(err, path, "cannot write the model");
        rc = SOV_EIO;
    }
    if (f && fclose(f) != 0 && rc == 0) {
        sov__seterr(err, path, "cannot write the model");
        rc = SOV_EIO;
    }
    free(buf);
    return rc;
}
