/*
 * pii_eval: precision and recall of the sensitive-data scanner on the PII corpora in ../shared/data
 * (tuning and held-out splits, see src/sensitive/eval.h). The table in docs/sensitive.md comes from here.
 *
 * Usage: build/pii_eval [DATA_DIR]            (default: $SOV_SHARED_DATA or <source>/../shared/data)
 *        build/pii_eval --trace-tune [DATA_DIR] (also lists the misses and false alarms of the tuning split)
 * Under ssn and secret, a labelled "second reading" line leaves out gold spans that are not SSNs by the issue's
 * definition and counts unlabelled values after the word "password" as correct (sensitive/eval.h).
 */
#include "sensitive/eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    int a = 1;
    bool trace = false;
    if (a < argc && strcmp(argv[a], "--trace-tune") == 0) {
        trace = true;
        a++;
    }
    const char *data = a < argc ? argv[a] : getenv("SOV_SHARED_DATA");
    if (!data)
        data = SOV_SOURCE_DIR "/../shared/data";
    char *err = NULL;
    struct sov_scanner *s = sov_scanner_new(NULL, &err);
    if (!s) {
        fprintf(stderr, "pii_eval: %s\n", err);
        return 1;
    }
    if (trace) {
        static const char *const presidio[] = {"presidio/generated_small.json", "presidio/generated_large.json"};
        struct sov_pii_eval_opts o = {SOV_PII_SPLIT_TUNE, stdout};
        struct sov_pii_eval e;
        char path[1024];
        for (size_t i = 0; i < 2; i++) {
            snprintf(path, sizeof path, "%s/%s", data, presidio[i]);
            if (sov_pii_eval_presidio(s, path, &o, &e, &err) == 0)
                sov_pii_eval_print(stdout, &e, 1);
        }
        snprintf(path, sizeof path, "%s/presidio/recognizer_tests/recognizer_cases.jsonl", data);
        if (sov_pii_eval_recognizer_cases(s, path, &o, &e, &err) == 0)
            sov_pii_eval_print(stdout, &e, 1);
        snprintf(path, sizeof path, "%s/pii_synthetic/pii_syn_nano_en.json", data);
        if (sov_pii_eval_pii_synthetic(s, path, &o, &e, &err) == 0)
            sov_pii_eval_print(stdout, &e, 1);
        snprintf(path, sizeof path, "%s/detect_secrets", data);
        if (sov_pii_eval_detect_secrets(s, path, &o, &e, &err) == 0)
            sov_pii_eval_print(stdout, &e, 1);
        sov_scanner_free(s);
        return 0;
    }
    struct sov_pii_eval *ev = NULL;
    size_t n = 0;
    if (sov_pii_eval_all(s, data, &ev, &n, &err) != 0) {
        fprintf(stderr, "pii_eval: %s\n", err ? err : "failed");
        sov_scanner_free(s);
        return 1;
    }
    sov_pii_eval_print(stdout, ev, n);
    free(ev);
    sov_scanner_free(s);
    return 0;
}
