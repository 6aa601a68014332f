package org.campusedge.sandbox;

/**
 * A registry file or a programmatic registry definition is invalid. The message has the form
 * {@code FILE: field: reason}, e.g. {@code sandbox.yaml: tenants[0].gateways[1].password: missing}.
 */
public class RegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message the complete message ({@code FILE: field: reason})
     */
    public RegistryException(final String message) {
        super(message);
    }

    /**
     * @param message the complete message ({@code FILE: field: reason})
     * @param cause   the underlying problem
     */
    public RegistryException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
