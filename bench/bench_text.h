/*
 * bench_text.h: the benchmark text shared by bench_scan and bench_classify: Arena-Hard prompts from
 * ../shared/data concatenated, with a fake PII item inserted about every 400 bytes. Header-only (each
 * benchmark is one executable).
 */
#ifndef SOV_BENCH_TEXT_H
#define SOV_BENCH_TEXT_H

#include "common/util.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const pii_items[] = {
    " Contact jane.doe@example.com for details. ",
    " Call me at (415) 555-0132 tomorrow. ",
    " My card is 4111 1111 1111 1111. ",
    " Wire to GB29 NWBK 6016 1331 9268 19 please. ",
    " SSN 531-21-7351 on file. ",
    " Server at 192.168.10.24 is down. ",
    " key sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z here ",
    " ask Dr. Helena Shaw at 1755 Nelson Mandela Drive ",
};

/* Builds `size` bytes of prompt text with PII sprinkled in. */
static inline char *bench_build_text(const char *data_dir, size_t size)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/arena_hard/v0.1/question.jsonl", data_dir);
    size_t flen = 0;
    char *err = NULL;
    char *file = sov_read_file(path, 64u << 20, &flen, &err);
    if (!file) {
        fprintf(stderr, "bench: %s\n", err ? err : path);
        free(err);
        return NULL;
    }
    char *out = malloc(size + 1);
    size_t o = 0, since = 0, item = 0;
    size_t p = 0;
    while (o < size) {
        if (p >= flen)
            p = 0;
        const char *nl = memchr(file + p, '\n', flen - p);
        size_t e = nl ? (size_t)(nl - file) : flen;
        json_t *j = json_loadb(file + p, e - p, 0, NULL);
        p = e + 1;
        const char *prompt = j ? json_string_value(json_object_get(j, "prompt")) : NULL;
        size_t pl = prompt ? strlen(prompt) : 0;
        for (size_t i = 0; i < pl && o < size; i++) {
            out[o++] = prompt[i];
            if (++since >= 400 && (prompt[i] == ' ' || prompt[i] == '\n')) {
                const char *it = pii_items[item++ % (sizeof pii_items / sizeof pii_items[0])];
                for (size_t k = 0; it[k] && o < size; k++)
                    out[o++] = it[k];
                since = 0;
            }
        }
        if (o < size)
            out[o++] = '\n';
        json_decref(j);
    }
    out[o] = 0;
    free(file);
    return out;
}

/* Cuts len back so that the text does not end inside a UTF-8 sequence. */
static inline size_t bench_utf8_trim(const char *t, size_t len)
{
    size_t e = len;
    while (e > 0 && ((unsigned char)t[e - 1] & 0xC0) == 0x80)
        e--;
    if (e > 0 && (unsigned char)t[e - 1] >= 0xC0) {
        unsigned char c = (unsigned char)t[e - 1];
        size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (len - (e - 1) < need)
            return e - 1;
    }
    return len;
}

static inline int bench_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

#endif
