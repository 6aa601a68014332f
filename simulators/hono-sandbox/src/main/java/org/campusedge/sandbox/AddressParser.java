package org.campusedge.sandbox;

import java.util.Set;

/**
 * Parses Hono addresses ({@code telemetry}, {@code telemetry//DEV}, {@code event/TENANT/DEV},
 * {@code command}, {@code command_response/TENANT/DEV/REPLY}, ...) the way Hono's
 * {@code ResourceIdentifier} splits them: at every {@code /}, trailing empty segments dropped.
 */
public final class AddressParser {

    private static final Set<String> ENDPOINTS = Set.of(
            Address.TELEMETRY, Address.EVENT, Address.COMMAND, Address.COMMAND_RESPONSE);

    private AddressParser() {
    }

    /**
     * @param address an address, may be {@code null}
     * @return the parsed address, or {@code null} if it is empty or names no known endpoint
     */
    public static Address parse(final String address) {
        if (address == null || address.isEmpty()) {
            return null;
        }
        final String[] parts = address.split("/");
        if (parts.length == 0) {
            return null;
        }
        final String endpoint = canonical(parts[0]);
        if (endpoint == null) {
            return null;
        }
        final String tenant = parts.length > 1 && !parts[1].isEmpty() ? parts[1] : null;
        final String resource = parts.length > 2 && !parts[2].isEmpty() ? parts[2] : null;
        String rest = null;
        if (parts.length > 2) {
            final int first = address.indexOf('/');
            final int second = address.indexOf('/', first + 1);
            rest = address.substring(second + 1);
        }
        return new Address(endpoint, tenant, resource, rest);
    }

    private static String canonical(final String endpoint) {
        if ("t".equals(endpoint)) {
            return Address.TELEMETRY;
        }
        if ("e".equals(endpoint)) {
            return Address.EVENT;
        }
        return ENDPOINTS.contains(endpoint) ? endpoint : null;
    }
}
