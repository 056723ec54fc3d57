/* The chip description (accel_model/arch.h) and the energies derived
 * from it; on a systolic chip also two layers mapped and costed (the
 * Simba mapper's search is too slow per input for fuzzing; test_accel_map
 * covers it). */
#include "tests/fuzz/fuzz_support.h"

#include <stdlib.h>

#include "accel_model/arch.h"
#include "accel_model/net.h"

static void cost_two_layers(const accel_arch *a)
{
    accel_layer_shape layers[2] = {accel_layer_make("conv", 32, 16, 14, 14, 3, 3),
                                   accel_layer_make("fc", 10, 512, 1, 1, 1, 1)};
    accel_mult_cost mult = accel_mult_cost_exact();
    accel_net *net = NULL;
    ax_err err = {0};
    if (accel_net_create(a, layers, 2, &mult, 1, ACCEL_OBJ_ENERGY, &net, &err) == AX_OK) {
        int layer_mult[2] = {0, 0};
        accel_design d = {.layer_mult = layer_mult, .volts = accel_voltages_nominal(a)};
        accel_result r = {0};
        accel_net_eval(net, &d, &r, &err);
    }
    accel_net_free(net);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    accel_arch a;
    accel_energies e;
    ax_err err = {0};
    if (accel_arch_load_string(text, "fuzz.ini", &a, &err) == AX_OK &&
        accel_energies_derive(&a, &e, &err) == AX_OK && accel_arch_systolic(&a))
        cost_two_layers(&a);
    free(text);
    return 0;
}
