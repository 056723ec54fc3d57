/* The search state of a checkpoint (cli/run_state.h): the recorded
 * configuration, the history rows and the evaluation cache, whose entry
 * records baselines.bin shares. The entries go into the cache of a real
 * fitness function (LeNet-5 on 20 images, built once), which checks
 * every gene. Run from the repository root (make fuzz). */
#include "tests/fuzz/fuzz_support.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/run_env.h"
#include "cli/run_state.h"

static run_env env;

/* The environment every input is read against; also what
 * tests/fuzz/corpus/state/ was written with. */
int fuzz_state_env(run_env *e);
int fuzz_state_env(run_env *e)
{
    static volatile sig_atomic_t stop;
    char dir[PATH_MAX];
    if (!realpath(".", dir))
        return -1;
    scfg c;
    scfg_defaults(&c);
    ax_err err = {0};
    const char *text = "[model]\nonnx = models/lenet5_fmnist.onnx\ncalib_images = 50\nval_images = 20\n"
                       "confirm_images = 20\ntest_images = 20\n[search]\nthreads = 1\nbaselines = no\n";
    if (scfg_load_string(text, "fuzz_state.ini", dir, &c, &err) != AX_OK ||
        run_env_open(e, &c, &stop, &err) != AX_OK) {
        fprintf(stderr, "fuzz_state: %s\n", err.msg);
        return -1;
    }
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (fuzz_state_env(&env) != 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_state s;
    ax_err err = {0};
    run_state_load(&s, env.fit, data, size, "fuzz.state", &err);
    run_state_free(&s);
    return 0;
}
