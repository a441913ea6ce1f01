/* `sovereign quantize` through llama.cpp's llama_model_quantize. */
#include "backend/llama_node.h"
#include "bench/quantize.h"
#include "common/buf.h"
#include "common/util.h"
#include "sovereign/sovereign.h"

#include <errno.h>
#include <llama.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct qrow {
    struct sov_quant_type t;
    enum llama_ftype ftype;
};

/* The types `quantize` offers: the ones llama.cpp's own llama-quantize lists without an importance
 * matrix (the IQ1/IQ2 types need one, so they are left out). */
static const struct qrow rows[] = {
    {{"F32", "32-bit floats (no quantization)"}, LLAMA_FTYPE_ALL_F32},
    {{"F16", "16-bit floats"}, LLAMA_FTYPE_MOSTLY_F16},
    {{"BF16", "bfloat16"}, LLAMA_FTYPE_MOSTLY_BF16},
    {{"Q8_0", "8-bit, about 8.5 bits per weight"}, LLAMA_FTYPE_MOSTLY_Q8_0},
    {{"Q6_K", "6-bit k-quant, about 6.6 bits per weight"}, LLAMA_FTYPE_MOSTLY_Q6_K},
    {{"Q5_K_M", "5-bit k-quant, medium"}, LLAMA_FTYPE_MOSTLY_Q5_K_M},
    {{"Q5_K_S", "5-bit k-quant, small"}, LLAMA_FTYPE_MOSTLY_Q5_K_S},
    {{"Q5_1", "5-bit, legacy"}, LLAMA_FTYPE_MOSTLY_Q5_1},
    {{"Q5_0", "5-bit, legacy"}, LLAMA_FTYPE_MOSTLY_Q5_0},
    {{"Q4_K_M", "4-bit k-quant, medium (the usual choice)"}, LLAMA_FTYPE_MOSTLY_Q4_K_M},
    {{"Q4_K_S", "4-bit k-quant, small"}, LLAMA_FTYPE_MOSTLY_Q4_K_S},
    {{"Q4_1", "4-bit, legacy"}, LLAMA_FTYPE_MOSTLY_Q4_1},
    {{"Q4_0", "4-bit, legacy"}, LLAMA_FTYPE_MOSTLY_Q4_0},
    {{"IQ4_NL", "4-bit non-linear"}, LLAMA_FTYPE_MOSTLY_IQ4_NL},
    {{"IQ4_XS", "4-bit non-linear, 4.25 bits per weight"}, LLAMA_FTYPE_MOSTLY_IQ4_XS},
    {{"Q3_K_L", "3-bit k-quant, large"}, LLAMA_FTYPE_MOSTLY_Q3_K_L},
    {{"Q3_K_M", "3-bit k-quant, medium"}, LLAMA_FTYPE_MOSTLY_Q3_K_M},
    {{"Q3_K_S", "3-bit k-quant, small"}, LLAMA_FTYPE_MOSTLY_Q3_K_S},
    {{"Q2_K", "2-bit k-quant"}, LLAMA_FTYPE_MOSTLY_Q2_K},
};
#define NROWS (sizeof rows / sizeof *rows)

const struct sov_quant_type *sov_quant_types(size_t *n)
{
    static struct sov_quant_type list[NROWS];
    for (size_t i = 0; i < NROWS; i++)
        list[i] = rows[i].t;
    *n = NROWS;
    return list;
}

/* While llama_model_quantize runs, its log is read here: "[  12/ 201] name - [shape], type = ..."
 * before each tensor drives the progress, and the first error line is the reason of a failure. */
struct capture {
    const struct sov_quant_opts *o;
    struct sov_buf line;
    int level;
    char *first_error;
};

static void on_line(struct capture *c, const char *line)
{
    int done, total;
    if (c->o->progress && line[0] == '[' && sscanf(line, "[%d/%d]", &done, &total) == 2 && total > 0)
        c->o->progress(c->o->progress_ud, done, total);
    if (c->level == GGML_LOG_LEVEL_ERROR && !c->first_error) {
        /* "function_name: message" -> "message" */
        const char *p = line;
        while (*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
            p++;
        c->first_error = sov_asprintf("%s", p != line && p[0] == ':' && p[1] == ' ' ? p + 2 : line);
    }
}

static void on_log(enum ggml_log_level level, const char *text, void *ud)
{
    struct capture *c = ud;
    if (level != GGML_LOG_LEVEL_CONT)
        c->level = (int)level;
    for (const char *p = text; *p; p++) {
        if (*p != '\n') {
            sov_buf_putc(&c->line, *p); /* capped: a longer line is cut, never overrun */
            continue;
        }
        on_line(c, c->line.data ? c->line.data : "");
        sov_buf_reset(&c->line);
    }
}

int sov_quantize(const char *in_path, const char *out_path, const char *type, const struct sov_quant_opts *o, char **err)
{
    const struct qrow *row = NULL;
    for (size_t i = 0; i < NROWS && !row; i++)
        if (sov_strieq(rows[i].t.name, type))
            row = &rows[i];
    if (!row) {
        char names[512];
        size_t at = 0;
        for (size_t i = 0; i < NROWS && at < sizeof names; i++)
            at += (size_t)snprintf(names + at, sizeof names - at, "%s%s", i ? ", " : "", rows[i].t.name);
        *err = sov_asprintf("unsupported type '%s' (one of: %s)", type, names);
        return SOV_EUNSUPPORTED;
    }
    int rc = sov__llama_check_file(in_path, 0, NULL, err);
    if (rc)
        return rc == SOV_ENOMEM ? rc : SOV_EPARSE;
    struct stat si, so;
    if (stat(in_path, &si) == 0 && stat(out_path, &so) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino) {
        *err = sov_asprintf("%s: the output would overwrite the input", out_path);
        return SOV_EINVAL;
    }
    FILE *probe = fopen(out_path, "ab");
    if (!probe) {
        *err = sov_asprintf("%s: %s", out_path, strerror(errno));
        return SOV_EIO;
    }
    fclose(probe);
    if ((rc = sov__llama_init(err)) != 0)
        return rc;
    struct llama_model_quantize_params qp = llama_model_quantize_default_params();
    qp.ftype = row->ftype;
    qp.nthread = o->threads;
    struct capture cap = {o, SOV_BUF_INIT(4096), 0, NULL};
    ggml_log_callback saved_cb = NULL;
    void *saved_ud = NULL;
    ggml_log_get(&saved_cb, &saved_ud);
    llama_log_set(on_log, &cap);
    uint32_t res = llama_model_quantize(in_path, out_path, &qp);
    llama_log_set(saved_cb, saved_ud);
    if (cap.line.len)
        on_line(&cap, cap.line.data);
    sov_buf_free(&cap.line);
    char *why = cap.first_error;
    if (res != 0) {
        remove(out_path);
        *err = sov_asprintf("%s: cannot quantize: %s", in_path, why ? why : "llama.cpp refused the model");
        free(why);
        return SOV_EPARSE;
    }
    free(why);
    return 0;
}
