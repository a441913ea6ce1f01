/*
 * `sovereign quantize`: a GGUF model rewritten at another precision through llama.cpp's
 * llama_model_quantize. The type names ("Q4_K_M", "F16", ...) are rows of one table.
 */
#ifndef SOV_BENCH_QUANTIZE_H
#define SOV_BENCH_QUANTIZE_H

#include <stdbool.h>
#include <stddef.h>

struct sov_quant_type {
    const char *name; /* as typed on the command line (case-insensitive) */
    const char *desc; /* one line for --help */
};

/* The supported types (an empty list when built without llama.cpp); *n gets their number. */
const struct sov_quant_type *sov_quant_types(size_t *n);

/* Called as tensors are written: done of total. */
typedef void (*sov_quant_progress_cb)(void *ud, int done, int total);

struct sov_quant_opts {
    int threads; /* 0 = the number of CPUs */
    sov_quant_progress_cb progress;
    void *progress_ud;
};

/* Quantizes in_path into out_path as type. Returns 0; SOV_EUNSUPPORTED (unknown type, or built
 * without llama.cpp), SOV_EIO (input missing/unreadable, output not writable) or SOV_EPARSE (not a
 * GGUF model, or llama.cpp refused it), with a one-line *err (the caller frees). A failed run
 * removes a partial output. Not thread-safe (llama.cpp's log callback is process-wide). */
int sov_quantize(const char *in_path, const char *out_path, const char *type, const struct sov_quant_opts *o, char **err);

#endif
