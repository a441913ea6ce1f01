/* The prompt set of `sovereign bench`: a JSONL file of chat request bodies, or the built-in set. */
#include "bench/bench.h"
#include "common/util.h"
#include "sovereign/sovereign.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The built-in set: one chat request body per row, varied in task and length. The JSON-shaped and
 * tool-call rows exercise token-to-action (usable once the object closes, before the answer ends). */
static const char *const default_prompts[] = {
    "{\"messages\":[{\"role\":\"system\",\"content\":\"You extract data. Answer with one JSON object only.\"},"
    "{\"role\":\"user\",\"content\":\"Extract the name, city and age from this sentence as a JSON object with the keys "
    "name, city and age: 'Maria Lopez, 34, moved to Porto last spring to open a bakery.'\"}],"
    "\"response_format\":{\"type\":\"json_object\"}}",

    "{\"messages\":[{\"role\":\"user\",\"content\":\"What will the weather be like in Oslo tomorrow afternoon?\"}],"
    "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Weather forecast for a "
    "city\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},\"when\":{\"type\":"
    "\"string\"}},\"required\":[\"city\"]}}}]}",

    "{\"messages\":[{\"role\":\"user\",\"content\":\"Summarise in two sentences: The town council met on Tuesday to "
    "discuss the new cycling lanes on the harbour road. Shop owners worried that fewer parking spaces would keep "
    "customers away, while parents argued that children need a safe way to reach the school by the water. After "
    "two hours the council agreed to a six-month trial with a review of traffic and sales figures in the "
    "autumn.\"}]}",

    "{\"messages\":[{\"role\":\"user\",\"content\":\"Rewrite this message so that it sounds polite and professional: "
    "'hey, the report you sent is wrong again, fix it by tomorrow.'\"}]}",

    "{\"messages\":[{\"role\":\"system\",\"content\":\"Classify the sentiment of the review as positive, negative or "
    "neutral. Answer with one word.\"},{\"role\":\"user\",\"content\":\"The battery lasts all day but the screen "
    "scratches far too easily.\"}]}",

    "{\"messages\":[{\"role\":\"user\",\"content\":\"Using only this passage, answer the question. Passage: The "
    "lighthouse at Cape Wrath was built in 1828 by Robert Stevenson and has been automatic since 1998. Question: "
    "who built the lighthouse, and when did it stop having keepers?\"}]}",

    "{\"messages\":[{\"role\":\"user\",\"content\":\"Write a C function that reverses a NUL-terminated string in "
    "place, with a short comment.\"}]}",

    "{\"messages\":[{\"role\":\"user\",\"content\":\"Translate into French: 'The train to Lyon leaves at eight, so "
    "we should be at the station by half past seven.'\"}]}",

    "{\"messages\":[{\"role\":\"system\",\"content\":\"You are a helpful support assistant for an online bookshop.\"},"
    "{\"role\":\"user\",\"content\":\"I ordered two books last week and only one arrived.\"},{\"role\":\"assistant\","
    "\"content\":\"I am sorry to hear that. Could you give me the order number?\"},{\"role\":\"user\",\"content\":"
    "\"It is 48213. What happens now?\"}]}",

    "{\"messages\":[{\"role\":\"user\",\"content\":\"Read the meeting notes and list the action items as a JSON array "
    "of objects with owner and task. Notes: Anna will send the budget draft to finance by Friday. Ben checks whether "
    "the venue can host eighty people and reports back on Monday. Chen updates the registration page with the new "
    "dates. Everyone reviews the speaker list before the next call. The catering quote came in higher than expected, "
    "so Anna will also ask two other caterers for offers. The next call is on Thursday at ten.\"}]}",
};

static const char default_text[] =
    "The river rises in the hills to the north and runs for about forty miles before it reaches the sea. For most "
    "of its length it is slow and wide, and in summer children swim in the pools below the old mill. In spring the "
    "snow melts on the high ground and the water comes down brown and fast, carrying branches and sometimes whole "
    "trees. The people who live along its banks have learned to keep their boats tied high and their cellars "
    "empty until the floods have passed.\n\n"
    "The town grew up at the first point where the river could be crossed on foot. A wooden bridge was built there "
    "in the twelfth century, and a stone one replaced it three hundred years later. Merchants brought wool and "
    "grain across it to the market square, and the inns around the square did good trade on market days. When the "
    "railway arrived, the station was placed on the far side of the river, and a second bridge was needed to carry "
    "the traffic from the station into the town.\n\n"
    "Today the market still opens every Saturday morning. Farmers sell vegetables, cheese and eggs, and a baker "
    "from the next village brings bread that is usually sold out before ten. In the afternoon the square is quiet "
    "again, and the only sound is the water running under the arches of the old bridge. Visitors who stay the night "
    "often say that the town feels as if it has not changed in a hundred years, although the people who live there "
    "know how much it has.\n\n"
    "A small museum near the church tells the story of the river and the town. It has maps from several centuries, "
    "tools from the mill, photographs of the great flood, and a model of the first wooden bridge made by a retired "
    "teacher. The museum is run by volunteers and is open on weekends from April to October. Entry is free, but most "
    "visitors leave a coin or two in the box by the door.\n";

const char *sov_bench_default_text(void)
{
    return default_text;
}

void sov_bench_prompts_free(struct sov_bench_prompts *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        json_decref(p->reqs[i]);
    free(p->reqs);
    p->reqs = NULL;
    p->n = 0;
}

static int push(struct sov_bench_prompts *p, json_t *req)
{
    json_t **nr = realloc(p->reqs, (p->n + 1) * sizeof *nr);
    if (!nr) {
        json_decref(req);
        return SOV_ENOMEM;
    }
    p->reqs = nr;
    p->reqs[p->n++] = req;
    return 0;
}

/* Checks a request and normalises the {"prompt": "..."} shorthand. Returns the request (new
 * reference) or NULL with *why set to a static reason. */
static json_t *normalise(json_t *j, const char **why)
{
    if (!json_is_object(j)) {
        *why = "not a JSON object";
        return NULL;
    }
    json_t *msgs = json_object_get(j, "messages");
    if (!msgs) {
        json_t *prompt = json_object_get(j, "prompt");
        if (!json_is_string(prompt)) {
            *why = "no \"messages\" array (or \"prompt\" string)";
            return NULL;
        }
        json_t *req = json_deep_copy(j);
        if (!req) {
            *why = "out of memory";
            return NULL;
        }
        json_object_del(req, "prompt");
        json_object_set_new(req, "messages", json_pack("[{s:s,s:O}]", "role", "user", "content", prompt));
        return req;
    }
    if (!json_is_array(msgs) || json_array_size(msgs) == 0) {
        *why = "\"messages\" is not a non-empty array";
        return NULL;
    }
    size_t i;
    json_t *m;
    json_array_foreach(msgs, i, m)
    {
        json_t *c = json_object_get(m, "content");
        if (!json_is_string(json_object_get(m, "role")) || !(json_is_string(c) || json_is_array(c) || json_is_null(c))) {
            *why = "a message without a string \"role\" and a string or array \"content\"";
            return NULL;
        }
    }
    json_incref(j);
    return j;
}

int sov_bench_prompts_load(struct sov_bench_prompts *p, const char *path, char **err)
{
    memset(p, 0, sizeof *p);
    FILE *f = fopen(path, "r");
    if (!f) {
        *err = sov_asprintf("%s: %s", path, strerror(errno));
        return SOV_EIO;
    }
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    int rc = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        size_t k = 0;
        while (k < (size_t)len && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r' || line[k] == '\n'))
            k++;
        if (k == (size_t)len)
            continue;
        json_error_t je;
        json_t *j = json_loadb(line, (size_t)len, 0, &je);
        if (!j) {
            *err = sov_asprintf("%s:%zu: not JSON (%s)", path, lineno, je.text);
            rc = SOV_EPARSE;
            break;
        }
        const char *why = NULL;
        json_t *req = normalise(j, &why);
        json_decref(j);
        if (!req) {
            *err = sov_asprintf("%s:%zu: %s", path, lineno, why);
            rc = SOV_EINVAL;
            break;
        }
        if ((rc = push(p, req)) != 0) {
            *err = sov_asprintf("%s: out of memory", path);
            break;
        }
    }
    if (rc == 0 && ferror(f)) {
        *err = sov_asprintf("%s: read error", path);
        rc = SOV_EIO;
    }
    free(line);
    fclose(f);
    if (rc == 0 && p->n == 0) {
        *err = sov_asprintf("%s: no requests in the prompt set", path);
        rc = SOV_EINVAL;
    }
    if (rc)
        sov_bench_prompts_free(p);
    return rc;
}

int sov_bench_prompts_default(struct sov_bench_prompts *p)
{
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < sizeof default_prompts / sizeof *default_prompts; i++) {
        json_t *j = json_loads(default_prompts[i], 0, NULL);
        if (!j || push(p, j)) {
            sov_bench_prompts_free(p);
            return SOV_ENOMEM;
        }
    }
    return 0;
}

int sov__bench_messages(json_t *req, const char ***roles, char ***contents, char **err)
{
    json_t *msgs = json_object_get(req, "messages");
    size_t n = json_array_size(msgs);
    if (n == 0) {
        *err = sov_asprintf("a request without messages");
        return SOV_EINVAL;
    }
    const char **r = calloc(n, sizeof *r);
    char **c = calloc(n, sizeof *c);
    if (!r || !c) {
        free(r);
        free(c);
        *err = sov_asprintf("out of memory");
        return SOV_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *m = json_array_get(msgs, i);
        r[i] = json_string_value(json_object_get(m, "role"));
        if (!r[i])
            r[i] = "user";
        json_t *content = json_object_get(m, "content");
        if (json_is_string(content)) {
            c[i] = sov_strndup(json_string_value(content), json_string_length(content));
        } else {
            /* an array of parts: join the text parts */
            size_t total = 0, k;
            json_t *part;
            json_array_foreach(content, k, part) total += json_string_length(json_object_get(part, "text")) + 1;
            c[i] = calloc(total + 1, 1);
            if (c[i]) {
                size_t at = 0;
                json_array_foreach(content, k, part)
                {
                    json_t *t = json_object_get(part, "text");
                    if (!json_is_string(t))
                        continue;
                    if (at)
                        c[i][at++] = '\n';
                    memcpy(c[i] + at, json_string_value(t), json_string_length(t));
                    at += json_string_length(t);
                }
            }
        }
        if (!c[i]) {
            sov__bench_messages_free(r, c, (int)n);
            *err = sov_asprintf("out of memory");
            return SOV_ENOMEM;
        }
    }
    *roles = r;
    *contents = c;
    return (int)n;
}

void sov__bench_messages_free(const char **roles, char **contents, int n)
{
    for (int i = 0; contents && i < n; i++)
        free(contents[i]);
    free(contents);
    free((void *)roles);
}
