package org.campusedge.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.Transport;

import io.vertx.core.Handler;
import io.vertx.core.net.NetSocket;
import io.vertx.proton.ProtonConnection;
import io.vertx.proton.sasl.ProtonSaslAuthenticator;

/**
 * Server side of a SASL exchange offering PLAIN (and optionally ANONYMOUS). The principal the
 * {@link Verifier} returns is stored in the connection's attachments under {@link #PRINCIPAL}.
 */
final class SaslServerAuthenticator implements ProtonSaslAuthenticator {

    /** Attachment key of the authenticated principal. */
    static final String PRINCIPAL = "campusedge.sandbox.principal";

    static final String PLAIN = "PLAIN";
    static final String ANONYMOUS = "ANONYMOUS";

    /** Checks a login. */
    @FunctionalInterface
    interface Verifier {
        /**
         * @param mechanism {@code PLAIN} or {@code ANONYMOUS}
         * @param user      authentication id (null for ANONYMOUS)
         * @param password  password (null for ANONYMOUS)
         * @return the principal, or {@code null} to refuse
         */
        Object verify(String mechanism, String user, String password);
    }

    private final String[] mechanisms;
    private final Verifier verifier;
    private Sasl sasl;
    private ProtonConnection connection;
    private boolean succeeded;

    SaslServerAuthenticator(final Verifier verifier, final String... mechanisms) {
        this.verifier = verifier;
        this.mechanisms = mechanisms.clone();
    }

    @Override
    public void init(final NetSocket socket, final ProtonConnection protonConnection, final Transport transport) {
        this.connection = protonConnection;
        this.sasl = transport.sasl();
        sasl.server();
        sasl.allowSkip(false);
        sasl.setMechanisms(mechanisms);
    }

    @Override
    public void process(final Handler<Boolean> completionHandler) {
        final String[] remote = sasl.getRemoteMechanisms();
        if (remote.length == 0) {
            completionHandler.handle(false);
            return;
        }
        final String mechanism = remote[0];
        final byte[] response = new byte[sasl.pending()];
        sasl.recv(response, 0, response.length);
        Object principal = null;
        if (Arrays.asList(mechanisms).contains(mechanism)) {
            if (PLAIN.equals(mechanism)) {
                principal = verifyPlain(response);
            } else if (ANONYMOUS.equals(mechanism)) {
                principal = verifier.verify(ANONYMOUS, null, null);
            }
        }
        if (principal != null) {
            connection.attachments().set(PRINCIPAL, Object.class, principal);
            succeeded = true;
            sasl.done(Sasl.SaslOutcome.PN_SASL_OK);
        } else {
            sasl.done(Sasl.SaslOutcome.PN_SASL_AUTH);
        }
        completionHandler.handle(true);
    }

    private Object verifyPlain(final byte[] response) {
        // authzid NUL authcid NUL passwd
        int first = -1;
        int second = -1;
        for (int i = 0; i < response.length; i++) {
            if (response[i] == 0) {
                if (first < 0) {
                    first = i;
                } else {
                    second = i;
                    break;
                }
            }
        }
        if (first < 0 || second < 0) {
            return null;
        }
        final String user = new String(response, first + 1, second - first - 1, StandardCharsets.UTF_8);
        final String password = new String(response, second + 1, response.length - second - 1, StandardCharsets.UTF_8);
        return verifier.verify(PLAIN, user, password);
    }

    @Override
    public boolean succeeded() {
        return succeeded;
    }

    /**
     * @param connection a connection that passed SASL
     * @param type       the principal's type
     * @param <T>        the principal's type
     * @return the principal, or {@code null}
     */
    static <T> T principal(final ProtonConnection connection, final Class<T> type) {
        final Object p = connection.attachments().get(PRINCIPAL, Object.class);
        return type.isInstance(p) ? type.cast(p) : null;
    }
}
