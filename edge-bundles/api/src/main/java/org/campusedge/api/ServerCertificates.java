package org.campusedge.api;

import java.time.Instant;
import java.util.List;

/**
 * The gateway's OPC UA trust list: the certificates of the meter servers it trusts and of those it
 * refused (a server it was never told to trust, or one that changed its certificate), in the usual
 * OPC UA folder layout ({@code trusted/certs}, {@code rejected/certs}). An admin trusts a refused
 * server from the console; the gateway connects on its next attempt. The gateway's own application
 * instance certificate is what the meter servers must trust in turn.
 */
public interface ServerCertificates {

    /**
     * One certificate: its SHA-1 thumbprint (hex, what OPC UA tools show), subject, the application URI
     * in it, when it ends, whether it is trusted (else it was refused), and the endpoint(s) it is bound to
     * (trusted) or was refused at (null when not known). A trusted certificate is accepted only at the
     * endpoint it is bound to: one server's key must not answer for another's address.
     */
    record Entry(String thumbprint, String subject, String applicationUri, Instant notAfter, boolean trusted, String endpoint) {
    }

    /** Trusted and rejected certificates, trusted first. */
    List<Entry> list();

    /** Moves a rejected certificate to the trusted ones; false when no rejected certificate has the thumbprint. */
    boolean trust(String thumbprint);

    /** Removes a trusted certificate: that server is refused from its next connection on; false when none has it. */
    boolean distrust(String thumbprint);

    /** The gateway's own certificate (PEM), to be put in each meter server's trust list. */
    String ownCertificatePem();

    /** The SHA-1 thumbprint of the gateway's own certificate. */
    String ownThumbprint();
}
