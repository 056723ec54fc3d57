/* mfam: the registry of multiplier families (see mfam.h). The order here
 * is only the order of generation; the library sorts by power. */
#include "approx/mfam.h"

#include <string.h>

#include "approx/mbuild.h"

static const mfam_family *const families[] = {
    &mfam_exact, &mfam_trunc, &mfam_bam, &mfam_perf, &mfam_drum,
    &mfam_mitchell, &mfam_udm, &mfam_roba, &mfam_etm, &mfam_c42,
};

size_t mfam_count(void)
{
    return sizeof families / sizeof families[0];
}

const mfam_family *mfam_get(size_t i)
{
    return i < mfam_count() ? families[i] : NULL;
}

const mfam_family *mfam_find(const char *name)
{
    for (size_t i = 0; i < mfam_count(); i++)
        if (!strcmp(families[i]->name, name))
            return families[i];
    return NULL;
}

int mfam_netlist(const mfam_family *f, const int *param, nl_netlist **out, ax_err *err)
{
    *out = NULL;
    nl_netlist *nl = nl_create(16, 16);
    if (!nl)
        return ax_fail(err, AX_EINTERNAL, "%s: out of memory", f->name);
    f->build(nl, param);
    int rc = nl_finalize(nl, err);
    if (rc != AX_OK) {
        ax_err_prefix(err, "%s", f->name);
        nl_free(nl);
        return rc;
    }
    *out = nl;
    return AX_OK;
}
