/* YAML text -> a small tree that remembers lines (libyaml's event parser underneath). */
#include "config/yaml.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_DEPTH 64

static struct sov_yaml_node *node_new(enum sov_yaml_type t, int line)
{
    struct sov_yaml_node *n = calloc(1, sizeof *n);
    if (n) {
        n->type = t;
        n->line = line;
    }
    return n;
}

void sov_yaml_free(struct sov_yaml_node *n)
{
    if (!n)
        return;
    free(n->scalar);
    for (size_t i = 0; i < n->n; i++) {
        if (n->keys)
            free(n->keys[i]);
        sov_yaml_free(n->items[i]);
    }
    free(n->keys);
    free(n->key_lines);
    free(n->items);
    free(n);
}

static int push_item(struct sov_yaml_node *parent, char *key, int key_line, struct sov_yaml_node *child)
{
    size_t n = parent->n + 1;
    struct sov_yaml_node **items = realloc(parent->items, n * sizeof *items);
    if (!items)
        return -1;
    parent->items = items;
    if (parent->type == SOV_YAML_MAP) {
        char **keys = realloc(parent->keys, n * sizeof *keys);
        if (!keys)
            return -1;
        parent->keys = keys;
        int *kl = realloc(parent->key_lines, n * sizeof *kl);
        if (!kl)
            return -1;
        parent->key_lines = kl;
        keys[parent->n] = key;
        kl[parent->n] = key_line;
    }
    items[parent->n] = child;
    parent->n = n;
    return 0;
}

struct frame {
    struct sov_yaml_node *node;
    char *pending_key; /* MAP: key read, value awaited */
    int pending_line;
};

struct sov_yaml_node *sov_yaml_parse(const char *text, size_t len, char **err)
{
    yaml_parser_t p;
    yaml_event_t ev;
    struct frame stack[MAX_DEPTH];
    int depth = 0;
    struct sov_yaml_node *root = NULL;
    bool done = false;

    if (!yaml_parser_initialize(&p)) {
        *err = strdup("out of memory");
        return NULL;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);

    while (!done) {
        if (!yaml_parser_parse(&p, &ev)) {
            *err = sov_asprintf("line %zu: %s%s%s", p.problem_mark.line + 1, p.problem ? p.problem : "syntax error",
                                p.context ? " " : "", p.context ? p.context : "");
            goto fail;
        }
        int line = (int)ev.start_mark.line + 1;
        struct sov_yaml_node *made = NULL;
        bool opened = false;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (root) {
                *err = sov_asprintf("line %d: only one YAML document is allowed", line);
                yaml_event_delete(&ev);
                goto fail;
            }
            break;
        case YAML_ALIAS_EVENT:
            *err = sov_asprintf("line %d: YAML aliases are not supported", line);
            yaml_event_delete(&ev);
            goto fail;
        case YAML_SCALAR_EVENT: {
            struct frame *top = depth ? &stack[depth - 1] : NULL;
            if (top && top->node->type == SOV_YAML_MAP && !top->pending_key) {
                top->pending_key = sov_strndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
                top->pending_line = line;
                if (!top->pending_key)
                    goto oom;
                for (size_t i = 0; i < top->node->n; i++)
                    if (strcmp(top->node->keys[i], top->pending_key) == 0) {
                        *err = sov_asprintf("line %d: duplicate key '%s'", line, top->pending_key);
                        yaml_event_delete(&ev);
                        goto fail;
                    }
                break;
            }
            made = node_new(SOV_YAML_SCALAR, line);
            if (!made)
                goto oom;
            made->scalar = sov_strndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
            made->quoted = ev.data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                           ev.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
            if (!made->scalar) {
                sov_yaml_free(made);
                goto oom;
            }
            break;
        }
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT: {
            struct frame *top = depth ? &stack[depth - 1] : NULL;
            if (top && top->node->type == SOV_YAML_MAP && !top->pending_key) {
                *err = sov_asprintf("line %d: a mapping key must be a plain scalar", line);
                yaml_event_delete(&ev);
                goto fail;
            }
            if (depth == MAX_DEPTH) {
                *err = sov_asprintf("line %d: nested too deeply", line);
                yaml_event_delete(&ev);
                goto fail;
            }
            made = node_new(ev.type == YAML_MAPPING_START_EVENT ? SOV_YAML_MAP : SOV_YAML_SEQ, line);
            if (!made)
                goto oom;
            opened = true;
            break;
        }
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            depth--;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (made) {
            if (depth == 0) {
                root = made;
            } else {
                struct frame *top = &stack[depth - 1];
                char *key = top->pending_key;
                top->pending_key = NULL;
                if (push_item(top->node, key, top->pending_line, made) != 0) {
                    free(key);
                    sov_yaml_free(made);
                    goto oom;
                }
            }
            if (opened)
                stack[depth++] = (struct frame){made, NULL, 0};
        }
    }
    yaml_parser_delete(&p);
    if (!root)
        root = node_new(SOV_YAML_MAP, 1);
    else if (root->type == SOV_YAML_SCALAR && root->scalar[0] == '\0') {
        sov_yaml_free(root);
        root = node_new(SOV_YAML_MAP, 1);
    }
    return root;
oom:
    *err = strdup("out of memory");
fail:
    for (int i = 0; i < depth; i++)
        free(stack[i].pending_key);
    sov_yaml_free(root);
    yaml_parser_delete(&p);
    return NULL;
}

struct sov_yaml_node *sov_yaml_get(const struct sov_yaml_node *map, const char *key)
{
    if (!map || map->type != SOV_YAML_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i], key) == 0)
            return map->items[i];
    return NULL;
}
