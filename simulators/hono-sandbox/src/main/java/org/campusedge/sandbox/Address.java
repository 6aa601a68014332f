package org.campusedge.sandbox;

/**
 * A Hono resource address {@code endpoint[/tenant[/resource[/more...]]]}, as parsed by
 * {@link AddressParser}. Empty segments ({@code telemetry//DEV}) are {@code null}.
 *
 * @param endpoint        the canonical endpoint name: {@code telemetry}, {@code event}, {@code command},
 *                        {@code command_response} (Hono's short forms {@code t} and {@code e} are mapped)
 * @param tenantId        the tenant, or {@code null} if absent or empty
 * @param resourceId      the device id (third segment), or {@code null} if absent or empty
 * @param pathWithoutBase everything after {@code endpoint/tenant/}, or {@code null}
 */
public record Address(String endpoint, String tenantId, String resourceId, String pathWithoutBase) {

    /** Hono's telemetry endpoint. */
    public static final String TELEMETRY = "telemetry";
    /** Hono's event endpoint. */
    public static final String EVENT = "event";
    /** Hono's command endpoint. */
    public static final String COMMAND = "command";
    /** Hono's command response endpoint. */
    public static final String COMMAND_RESPONSE = "command_response";

    /**
     * @param tenant   the tenant to use
     * @param resource the device id to use
     * @return this address with tenant and device filled in
     */
    public Address with(final String tenant, final String resource) {
        return new Address(endpoint, tenant, resource, resource);
    }

    /** @return {@code endpoint/tenant} */
    public String basePath() {
        return endpoint + "/" + tenantId;
    }

    @Override
    public String toString() {
        final StringBuilder b = new StringBuilder(endpoint);
        if (tenantId != null || pathWithoutBase != null) {
            b.append('/').append(tenantId == null ? "" : tenantId);
        }
        if (pathWithoutBase != null) {
            b.append('/').append(pathWithoutBase);
        }
        return b.toString();
    }
}
