/*
 * Precision and recall of the sensitive-data scanner on the labelled PII corpora in ../shared/data
 * (read at run time, never copied). `sovereign eval` prints what these functions compute.
 *
 * Matching rule: a predicted span is correct if it overlaps a gold span of the same type; a gold span is
 * found if some predicted span of its type overlaps it. Precision = correct predictions / predictions,
 * recall = found gold spans / gold spans, per entity type. A corpus scores only the types it labels
 * (has_type); predictions of other types are not counted there. Label mappings are in eval.c and
 * docs/sensitive.md.
 *
 * Thread-safety: the functions only read the scanner; each call allocates its own scratch.
 */
#ifndef SOV_SENSITIVE_EVAL_H
#define SOV_SENSITIVE_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sensitive/sensitive.h"

struct sov_pii_eval_counts {
    uint64_t n_pred;  /* predicted spans of this type */
    uint64_t tp_pred; /* ... that overlap a gold span of this type */
    uint64_t n_gold;  /* gold spans of this type */
    uint64_t tp_gold; /* ... overlapped by a predicted span of this type */
    /* A second, clearly labelled reading, never a replacement for the one above (docs/sensitive.md):
     * ssn: gold spans that are not SSNs by the issue's definition (area 000, 666 or 900-999, group 00,
     * serial 0000, the published 078-05-1120 / 219-09-9999 / 123-45-6789, or masked with X or *), and how
     * many of those a prediction overlaps. secret: false alarms that are the value right after the word
     * "password" (is/was/:/=, an optional quote between), which a corpus labelling passwords left unlabelled. */
    uint64_t n_gold_not_issue; /* ssn: gold spans that are not valid SSNs */
    uint64_t tp_gold_not_issue; /* ... of those, overlapped by a prediction */
    uint64_t fp_unlabelled;    /* secret: false alarms that are a value right after "password" */
};

struct sov_pii_eval {
    char name[64];         /* e.g. "presidio/generated_large" */
    bool held_out;         /* false for the split the detectors were tuned on */
    size_t n_texts;        /* texts (or files) scanned */
    uint64_t bytes;        /* bytes scanned */
    double seconds;        /* time spent in sov_scan */
    bool has_type[SOV_PII_COUNT];
    struct sov_pii_eval_counts c[SOV_PII_COUNT];
};

/* Which records of a corpus to use. Each corpus is split by record index: every 5th record (index % 5 == 0)
 * is the tuning split the detectors may be looked at and tuned on, the rest is held out. generated_small
 * is tuning data as a whole; so is detect_secrets (17 files, each line labelled by reading it). */
enum sov_pii_split { SOV_PII_SPLIT_ALL = 0, SOV_PII_SPLIT_TUNE, SOV_PII_SPLIT_HELDOUT };

struct sov_pii_eval_opts {
    enum sov_pii_split split;
    FILE *trace; /* if set, every miss and false alarm is written there (values included: test data only) */
};

/* Precision / recall of one type; NAN when undefined (no predictions / no gold spans). */
double sov_pii_eval_precision(const struct sov_pii_eval_counts *c);
double sov_pii_eval_recall(const struct sov_pii_eval_counts *c);

/* presidio-research's generated_*.json (full_text, spans[{entity_type, start_position, end_position}],
 * character offsets). Returns 0 or a negative SOV_E* code with *err set (caller frees). */
int sov_pii_eval_presidio(const struct sov_scanner *s, const char *path, const struct sov_pii_eval_opts *opts,
                          struct sov_pii_eval *out, char **err);
/* presidio's recognizer test cases (JSONL: text, recognizer, expected_len, expected_positions|expected_res).
 * Only the recognizers of our types are used; cases with a "leniency" setting are skipped (they expect
 * different answers for the same text). */
int sov_pii_eval_recognizer_cases(const struct sov_scanner *s, const char *path, const struct sov_pii_eval_opts *opts,
                                  struct sov_pii_eval *out, char **err);
/* PII-synthetic (text, NER[{entity, label}]): gold spans are the entity strings located in the text. */
int sov_pii_eval_pii_synthetic(const struct sov_scanner *s, const char *path, const struct sov_pii_eval_opts *opts,
                               struct sov_pii_eval *out, char **err);
/* detect-secrets' test files: scored per line against the project's own line labels (eval.c: the corpus'
 * baseline.file is a stale fixture, not ground truth); a line where a `secret` span starts is a prediction. */
int sov_pii_eval_detect_secrets(const struct sov_scanner *s, const char *dir, const struct sov_pii_eval_opts *opts,
                                struct sov_pii_eval *out, char **err);

/* Runs every corpus found under data_dir (../shared/data): for each, its tuning split and its held-out
 * split as separate rows, then a "held-out total" row that sums the held-out rows. *out gets a malloc'd array of *n results (caller frees). Corpora that are
 * missing are skipped; returns SOV_ENOTFOUND if none is found. */
int sov_pii_eval_all(const struct sov_scanner *s, const char *data_dir, struct sov_pii_eval **out, size_t *n, char **err);

/* Prints the per-corpus, per-type table (gold, predicted, precision, recall) to f; where a type has gold spans
 * outside the issue's definition or unlabelled password values (the counts above), one more line per type
 * gives that second reading, labelled as such, under the standard one. */
void sov_pii_eval_print(FILE *f, const struct sov_pii_eval *ev, size_t n);

#endif
