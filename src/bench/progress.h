/* A one-line progress bar on stderr (bench, quantize). Not thread-safe. */
#ifndef SOV_BENCH_PROGRESS_H
#define SOV_BENCH_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

/* True when a bar should be drawn: stderr is a terminal and the user did not ask for --no-progress. */
bool sov_progress_wanted(bool disabled);
/* Redraws "label [####....] done/total" in place. */
void sov_progress_draw(const char *label, size_t done, size_t total);
/* Clears the bar's line. */
void sov_progress_end(void);

#endif
