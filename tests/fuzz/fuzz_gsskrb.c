/* fuzz_gsskrb.c
 * Fuzz target: kd_gsskrb_parse(), the reader of GSS tokens (RPC verifiers, SPNEGO
 * tokens, bare KRB-ERRORs), and kd_edata_parse() on the e-data it finds.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The input and its prefixes are parsed in exactly-sized copies (fuzz_prefixes.h);
 * each result is checked against what kd_gsskrb.h promises.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kd_edata.h"
#include "kd_gsskrb.h"
#include "fuzz_prefixes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what)
{
    fprintf(stderr, "fuzz_gsskrb: %s\n", what);
    abort();
}

static void
check_str(const kd_gsskrb_str *s, gboolean krb_error)
{
    if (s->len > KD_GSSKRB_STR_MAX || s->s[s->len] != '\0')
        fail("string longer than its buffer or not terminated");
    if (s->truncated && s->len != KD_GSSKRB_STR_MAX)
        fail("truncated string not at its cap");
    if (!krb_error && (s->present || s->len))
        fail("string left behind by a result that is not a KRB-ERROR");
}

static void
check(const guint8 *buf, gsize len)
{
    kd_gsskrb out;
    memset(&out, 0xa5, sizeof out);
    kd_gsskrb_kind k = kd_gsskrb_parse(buf, len, &out);
    if (k != out.kind)
        fail("return value disagrees with out->kind");
    if (k < KD_GSSKRB_NONE || k > KD_GSSKRB_OTHER_TOKEN)
        fail("kind out of range");
    if (out.mech < KD_GSSKRB_MECH_NONE || out.mech > KD_GSSKRB_MECH_OTHER)
        fail("mech out of range");
    if (len == 0 && k != KD_GSSKRB_NONE)
        fail("empty input is not KD_GSSKRB_NONE");
    gboolean err = k == KD_GSSKRB_KRB_ERROR;
    check_str(&out.crealm, err);
    check_str(&out.cname, err);
    check_str(&out.realm, err);
    check_str(&out.sname, err);
    check_str(&out.etext, err);
    if (!err && (out.error_code || out.edata || out.has_ctime || out.has_stime ||
                 out.has_cusec || out.has_susec))
        fail("KRB-ERROR field left behind");
    if (out.has_cusec && (out.cusec < 0 || out.cusec > 999999))
        fail("cusec out of range");
    if (out.has_susec && (out.susec < 0 || out.susec > 999999))
        fail("susec out of range");
    if (out.edata) {
        if (out.edata < buf || out.edata_len > len || out.edata - buf > (ptrdiff_t)(len - out.edata_len))
            fail("e-data outside the input");
        kd_edata ed;
        kd_edata_parse(out.edata, out.edata_len, &ed);
        if (ed.n_etype_info2 > KD_MAX_ETYPES)
            fail("too many ETYPE-INFO2 entries");
    }
    /* The same bytes give the same answer. */
    kd_gsskrb again;
    if (kd_gsskrb_parse(buf, len, &again) != k || again.error_code != out.error_code)
        fail("two parses of the same bytes differ");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kd_fuzz_prefixes(data, size, check);
    check(NULL, 0);
    return 0;
}
