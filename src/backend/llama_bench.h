/*
 * What `sovereign bench` and `sovereign quantize` share on top of llama.cpp (src/backend/llama_bench.c;
 * compiled only with SOV_LLAMA). This header does not include llama.h.
 */
#ifndef SOV_BACKEND_LLAMA_BENCH_H
#define SOV_BACKEND_LLAMA_BENCH_H

#include <stdbool.h>
#include <stddef.h>

/* Called for each line llama.cpp logs while a capture is on (quantize follows its tensors with it). */
typedef void (*sov__llama_line_cb)(void *ud, int level, const char *line);

/* Loads the CPU backends and initialises llama.cpp once per process; from then on llama.cpp's log
 * goes to a capture (silent unless SOV_LLAMA_LOG=1 is set in the environment). Thread-safe. */
void sov__llama_bench_init(void);
/* Starts a capture: forgets the last error, and calls cb (may be NULL) with each log line. */
void sov__llama_capture_begin(sov__llama_line_cb cb, void *ud);
/* Ends it; returns the first error line logged since the start (without llama.cpp's "function: "
 * prefix, newline stripped), in a new string the caller frees, or NULL if none. */
char *sov__llama_capture_end(void);

/* Checks that path is a readable GGUF file (magic and version). Returns 0, SOV_EIO or SOV_EPARSE with *err. */
int sov__gguf_check(const char *path, char **err);

#endif
