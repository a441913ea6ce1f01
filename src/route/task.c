/* Task types: names and kinds, all from SOV_TASK_MAP (src/route/router.h). */
#include "route/router.h"

#include <string.h>

static const struct {
    const char *name;
    bool local;
} sov__tasks[SOV_TASK_COUNT] = {
#define SOV_X_(id, name, local) {name, local},
    SOV_TASK_MAP(SOV_X_)
#undef SOV_X_
};

const char *sov_task_name(enum sov_task t)
{
    if ((unsigned)t >= SOV_TASK_COUNT)
        return "unknown";
    return sov__tasks[t].name;
}

int sov_task_parse(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < SOV_TASK_COUNT; i++)
        if (strcmp(sov__tasks[i].name, name) == 0)
            return i;
    return -1;
}

bool sov_task_is_local_kind(enum sov_task t)
{
    return (unsigned)t < SOV_TASK_COUNT && sov__tasks[t].local;
}
