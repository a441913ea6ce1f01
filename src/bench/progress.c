/* A one-line progress bar on stderr for `bench` and `quantize`, drawn only when stderr is a terminal. */
#include "bench/progress.h"

#include <stdio.h>
#include <unistd.h>

bool sov_progress_wanted(bool disabled)
{
    return !disabled && isatty(STDERR_FILENO);
}

void sov_progress_draw(const char *label, size_t done, size_t total)
{
    enum { WIDTH = 30 };
    size_t fill = total ? done * WIDTH / total : 0;
    char bar[WIDTH + 1];
    for (size_t i = 0; i < WIDTH; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[WIDTH] = '\0';
    fprintf(stderr, "\r%-.40s [%s] %zu/%zu", label, bar, done, total);
    fflush(stderr);
}

void sov_progress_end(void)
{
    fputs("\r\033[K", stderr);
    fflush(stderr);
}
