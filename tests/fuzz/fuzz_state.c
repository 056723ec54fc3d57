/* The search state of a checkpoint (cli/run_state.h): the recorded
 * configuration, the history rows and the evaluation cache, whose entry
 * records baselines.bin shares. The entries go into the cache of a real
 * fitness function (fuzz_lenet_env), which checks every gene. */
#include "tests/fuzz/fuzz_support.h"

#include <stdlib.h>

#include "cli/run_env.h"
#include "cli/run_state.h"

static run_env env;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (fuzz_lenet_env(&env) != 0)
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
