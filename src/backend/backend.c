/* The backend table and the code every kind shares: opening, API keys, concurrency slots. */
#define SOV_LOG_MODULE "backend"
#include "backend/backend.h"
#include "common/log.h"
#include "common/util.h"
#include "sovereign/sovereign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct sov_backend_ops sov_backend_openai;
extern const struct sov_backend_ops sov_backend_anthropic;
#ifdef SOV_HAVE_LLAMA
extern const struct sov_backend_ops sov_backend_llama;
#endif

/* One row per kind. A kind compiled out is simply absent. */
static const struct sov_backend_ops *const kinds[] = {
    &sov_backend_openai,
    &sov_backend_anthropic,
#ifdef SOV_HAVE_LLAMA
    &sov_backend_llama,
#endif
    NULL,
};

const struct sov_backend_ops *sov_backend_kind(const char *kind)
{
    for (size_t i = 0; kinds[i]; i++)
        if (strcmp(kinds[i]->kind, kind) == 0)
            return kinds[i];
    return NULL;
}

const char *sov_backend_kinds(void)
{
    static char list[128];
    if (!list[0]) {
        size_t off = 0;
        for (size_t i = 0; kinds[i] && off < sizeof list; i++)
            off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "", kinds[i]->kind);
    }
    return list;
}

struct sov_backend *sov_backends_open(const struct sov_config *cfg, bool check_only, char **err)
{
    struct sov_backend *bs = calloc(cfg->n_backends ? cfg->n_backends : 1, sizeof *bs);
    if (!bs) {
        *err = strdup("out of memory");
        return NULL;
    }
    for (size_t i = 0; i < cfg->n_backends; i++) {
        struct sov_backend *b = &bs[i];
        b->cfg = &cfg->backends[i];
        b->ops = sov_backend_kind(b->cfg->kind);
        if (!b->ops) {
            const struct sov_yaml_node *k = sov_yaml_get(b->cfg->node, "kind");
            *err = sov_asprintf("backends[%s].kind (line %d): unknown kind '%s' (compiled in: %s)", b->cfg->name,
                                k ? k->line : b->cfg->node->line, b->cfg->kind, sov_backend_kinds());
            sov_backends_close(bs, i);
            return NULL;
        }
        if (b->cfg->api_key_env) {
            const char *k = getenv(b->cfg->api_key_env);
            if (k && *k)
                b->api_key = strdup(k);
            else
                sov_warn("backend %s: environment variable %s is not set; calling without an API key", b->cfg->name,
                         b->cfg->api_key_env);
        }
        atomic_init(&b->inflight, 0);
        if (b->ops->open && b->ops->open(b, check_only, err) != 0) {
            free(b->api_key);
            sov_backends_close(bs, i);
            return NULL;
        }
    }
    return bs;
}

void sov_backends_close(struct sov_backend *bs, size_t n)
{
    if (!bs)
        return;
    for (size_t i = 0; i < n; i++) {
        if (bs[i].ops && bs[i].ops->close)
            bs[i].ops->close(&bs[i]);
        free(bs[i].api_key);
    }
    free(bs);
}

bool sov_backend_acquire(struct sov_backend *b)
{
    unsigned cap = b->cfg->max_concurrency;
    unsigned cur = atomic_load_explicit(&b->inflight, memory_order_relaxed);
    do {
        if (cap && cur >= cap)
            return false;
    } while (!atomic_compare_exchange_weak_explicit(&b->inflight, &cur, cur + 1, memory_order_relaxed, memory_order_relaxed));
    return true;
}

void sov_backend_release(struct sov_backend *b)
{
    atomic_fetch_sub_explicit(&b->inflight, 1, memory_order_relaxed);
}
