/* Builds without llama.cpp (SOV_LLAMA=OFF): GGUF targets and quantization say so clearly. */
#include "bench/bench.h"
#include "bench/quantize.h"
#include "common/util.h"
#include "sovereign/sovereign.h"

#ifndef SOV_HAVE_LLAMA

bool sov_bench_have_gguf(void)
{
    return false;
}

int sov_bench_run_gguf(const char *path, const struct sov_bench_prompts *p, const struct sov_bench_opts *o,
                       struct sov_bench_result *r, char **err)
{
    *err = sov_asprintf("%s: this build has no llama.cpp (configure with -DSOV_LLAMA=ON to run GGUF models)", path);
    return SOV_EUNSUPPORTED;
}

const struct sov_quant_type *sov_quant_types(size_t *n)
{
    *n = 0;
    return NULL;
}

int sov_quantize(const char *in_path, const char *out_path, const char *type, const struct sov_quant_opts *o, char **err)
{
    *err = sov_asprintf("this build has no llama.cpp (configure with -DSOV_LLAMA=ON)");
    return SOV_EUNSUPPORTED;
}

#endif
