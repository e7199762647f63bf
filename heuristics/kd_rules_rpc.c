/* kd_rules_rpc.c
 * Failures surfacing in other protocols: NTLM fallback, DCE/RPC 0x721, DCOM
 * ServerAlive2 address lists.
 *
 * krbdiag - Kerberos failure diagnosis for Wireshark
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "kd_engine_int.h"
#include "kd_rules.h"

#include <string.h>

#define RPC_S_SEC_PKG_ERROR 0x00000721u
#define HRESULT_SEC_PKG_ERROR 0x80070721u

/* The latest real Kerberos failure involving this client: first with this server,
 * else with anyone (its KDC). Only failures within the last minute count. */
static const kd_counter *
recent_failure(kd_engine *eng, const kd_addr *client, const kd_addr *server)
{
    char *key = kd_key_pair(client, server);
    const kd_counter *c = kd_lru_get(eng->krb_failures, key);
    g_free(key);
    if (!c) {
        char a[48];
        key = g_strdup_printf("c|%s", kd_addr_to_str(client, a, sizeof a));
        c = kd_lru_get(eng->krb_failures, key);
        g_free(key);
    }
    return c;
}

static const kd_finding *
first_finding(kd_engine *eng, guint32 frame)
{
    return kd_frame_finding_count(eng, frame) ? kd_finding_lookup(eng, frame, 0) : NULL;
}

void
kd_rules_ntlmssp(kd_engine *eng, const kd_obs *obs)
{
    const kd_ntlmssp *n = &obs->u.ntlmssp;
    /* NEGOTIATE (1) or AUTHENTICATE (3) travel from the client. */
    if (n->message_type != 1 && n->message_type != 3)
        return;
    char *key = kd_key_conn(&obs->src, obs->sport, &obs->dst, obs->dport);
    gboolean seen = kd_lru_get(eng->neg_pending, key) != NULL;
    if (!seen)
        kd_lru_put(eng->neg_pending, key, g_new0(kd_counter, 1));
    g_free(key);
    if (seen)
        return;
    const kd_counter *c = recent_failure(eng, &obs->src, &obs->dst);
    if (!c)
        return;
    const kd_finding *why = first_finding(eng, c->last_frame);
    kd_finding *f = kd_finding_add(eng, obs->frame, KD_CAUSE_NTLM_FALLBACK, KD_CONF_CONFIRMED, -1,
                                   why ? why->spn : NULL, why ? why->client : NULL);
    if (!f)
        return;
    if (why) {
        kd_finding_summary(f, "Kerberos failed (%s) and the client fell back to NTLM", kd_catalog[why->cause].title);
        f->has_inherited = TRUE;
        f->inherited = why->cause;
        f->inherited_frame = c->last_frame;
        f->error_code = why->error_code;
    } else {
        kd_finding_summary(f, "Kerberos failed and the client fell back to NTLM");
    }
    kd_finding_evidence(f, c->last_frame, "the Kerberos failure before the fallback");
}

void
kd_rules_dcerpc(kd_engine *eng, const kd_obs *obs)
{
    const kd_dcerpc *d = &obs->u.dcerpc;
    if (d->pkt_type == KD_DCERPC_BIND_NAK) {
        /* A bind refused right after a Kerberos AP-REQ on the connection. */
        kd_req *ap = kd_find_ap_request(eng, obs);
        if (ap && ap->ticket.present && ap->carrier == KD_CARRIER_DCERPC) {
            kd_finding *f = kd_rules_silent_refusal(eng, obs, ap);
            kd_finding_detail(f, "DCE/RPC bind_nak, reject reason %u (no KRB-ERROR on the wire)", d->status);
        }
        return;
    }
    if (!d->has_status)
        return;
    if (d->status != RPC_S_SEC_PKG_ERROR && d->status != HRESULT_SEC_PKG_ERROR)
        return;
    /* A fault travels from the server to the client. */
    const kd_counter *c = recent_failure(eng, &obs->dst, &obs->src);
    kd_req *ap = NULL;
    const kd_finding *why = c ? first_finding(eng, c->last_frame) : NULL;
    kd_finding *f = kd_finding_add(eng, obs->frame, KD_CAUSE_SEC_PKG_ERROR, why ? KD_CONF_CONFIRMED : KD_CONF_POSSIBLE,
                                   -1, why ? why->spn : NULL, why ? why->client : NULL);
    if (!f)
        return;
    kd_finding_detail(f, "status: 0x%08X", d->status);
    if (why) {
        f->has_inherited = TRUE;
        f->inherited = why->cause;
        f->inherited_frame = c->last_frame;
        f->error_code = why->error_code;
        kd_finding_summary(f, "0x%08X because of the Kerberos failure in frame %u; likely cause: %s", d->status,
                           c->last_frame, kd_catalog[why->cause].title);
        kd_finding_evidence(f, c->last_frame, "the Kerberos failure beneath this RPC error");
    } else if ((ap = kd_find_ap_request(eng, obs)) != NULL && ap->ticket.present) {
        /* No KRB-ERROR, but the service got a ticket on this connection just before. */
        const char *spn = ap->ticket.sname;
        g_free(f->spn);
        f->spn = g_strdup(spn);
        if (!f->client && spn) {
            const char *cl = kd_issued_client(eng, spn, &obs->dst);
            f->client = g_strdup(cl);
        }
        f->confidence = KD_CONF_LIKELY;
        kd_finding_summary(f, "0x%08X: the service refused the Kerberos ticket for %s presented in frame %u "
                           "(no KRB-ERROR on the wire)", d->status, spn ? spn : "?", ap->frame);
        kd_finding_evidence(f, ap->frame, "AP-REQ: ticket for %s (kvno %" G_GINT64_FORMAT ") presented on this connection",
                            spn ? spn : "?", ap->ticket.kvno);
        kd_rules_issue_evidence(eng, f, spn, &obs->dst);
        kd_finding_set_missing(f, "the server's own log (or a capture with its keytab, kerberos.decrypt) tells why "
                               "it refused the ticket");
    } else {
        kd_finding_summary(f, "0x%08X with no Kerberos failure in sight", d->status);
        kd_finding_set_missing(f, "capture on both the client and the server from before the call (klist purge "
                               "first) so the ticket request and the authentication are visible");
    }
}

void
kd_rules_alive2(kd_engine *eng, const kd_obs *obs)
{
    const kd_dcom_alive2 *al = &obs->u.alive2;
    for (guint i = 0; i < al->n_addrs && i < KD_MAX_BINDINGS; i++) {
        kd_addr addr;
        if (!kd_addr_parse(al->addrs[i], &addr))
            continue;
        char buf[48];
        kd_addr_to_str(&addr, buf, sizeof buf);
        kd_binding_rec *b = kd_lru_get(eng->bindings, buf);
        if (!b) {
            b = g_new0(kd_binding_rec, 1);
            kd_lru_put(eng->bindings, buf, b);
        }
        gboolean known = FALSE;
        for (guint j = 0; j < b->n; j++)
            known = known || kd_addr_equal(&b->servers[j], &obs->src);
        if (!known && b->n < KD_MAX_OWNERS) {
            b->servers[b->n] = obs->src;
            b->frames[b->n] = obs->frame;
            b->n++;
        }
    }
}

/* The error comes from the address the client connected to. Is that address one
 * a DCOM server announced while another host (the client itself, or a second
 * server) announces or uses it too? */
const kd_binding_rec *
kd_rules_shared_binding(kd_engine *eng, const kd_obs *err)
{
    char buf[48];
    kd_binding_rec *b = kd_lru_get(eng->bindings, kd_addr_to_str(&err->src, buf, sizeof buf));
    if (!b || b->n == 0)
        return NULL;
    for (guint i = 0; i < b->n; i++) {
        /* The server listing it is not the host answering there: the address is shared. */
        if (!kd_addr_equal(&b->servers[i], &err->src))
            return b;
    }
    return NULL;
}

void
kd_rules_shared_evidence(kd_engine *eng, kd_finding *f, const kd_obs *err, const kd_binding_rec *b)
{
    (void)eng;
    char addr[48], srv[48];
    kd_addr_to_str(&err->src, addr, sizeof addr);
    GString *who = g_string_new(NULL);
    for (guint i = 0; i < b->n; i++) {
        kd_addr_to_str(&b->servers[i], srv, sizeof srv);
        kd_finding_evidence(f, b->frames[i], "ServerAlive2 response from %s lists %s", srv, addr);
        g_string_append_printf(who, "%s%s", i ? (i + 1 == b->n ? " and " : ", ") : "", srv);
    }
    kd_finding_summary(f, "%s is announced by DCOM server%s %s: %s. The client connected to it and presented its "
                       "ticket for %s to the machine that answered there (itself or another server), which cannot "
                       "decrypt it", addr, b->n > 1 ? "s" : "", who->str,
                       b->n > 1 ? "two machines share the address" : "another host answers at that address",
                       f->spn ? f->spn : "the intended server");
    kd_finding_detail(f, "shared address: %s", addr);
    g_string_free(who, TRUE);
}
