package org.campusedge.city;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the city dashboard connects to Hono's northbound API, where it keeps its data and where its web
 * server listens. Build one with {@link #builder()}; every value has a default fit for a local trial.
 *
 * @param honoHost       host of Hono's AMQP messaging network (northbound), default {@code 127.0.0.1}
 * @param honoPort       its port, default 5671 (AMQPS)
 * @param honoUser       SASL PLAIN user, or null for ANONYMOUS
 * @param honoPassword   its password
 * @param tenant         the Hono tenant whose schools are read, default {@code campus-edge}
 * @param jdbcUrl        the database, default {@code jdbc:sqlite:data/city.db}; a {@code jdbc:postgresql:} URL works too
 * @param httpHost       the address the dashboard binds, default {@code 127.0.0.1}
 * @param httpPort       its port; 0 picks a free one (default 8090)
 * @param usersFile      the dashboard's user file, default {@code data/city-users}
 * @param quietMinutes   a school whose gateway sent nothing for longer is listed as quiet, default 15
 * @param commandTimeout how long a command waits for the gateway's response, default 10 s
 * @param honoTls        TLS (AMQPS) to Hono, default true; false only for a local trial against a plain sandbox
 * @param honoTrustStore the certificates to trust for Hono's (PEM .crt/.pem, JKS, PKCS#12), or null for the JVM's CAs
 * @param kafkaBootstrap Hono's Kafka brokers ({@code host:port,...}) when the bureau's Hono runs on Kafka: the
 *                       dashboard then consumes the tenant's topics and sends commands there, and the AMQP settings
 *                       are unused; null (the default) for Hono's AMQP northbound
 * @param kafkaGroup     the consumer group every dashboard instance of the bureau shares (they split the schools'
 *                       partitions between them), default {@code campus-edge-city-dashboard}
 * @param kafkaClient    more Kafka client settings for the bureau's brokers, e.g. {@code security.protocol=SASL_SSL},
 *                       {@code sasl.mechanism}, {@code sasl.jaas.config}, {@code ssl.truststore.location}; empty by default
 * @param broadcastRetry how long a broadcast waits for a school's answer before it tries that school again (until
 *                       the broadcast expires), default the command timeout plus 5 s; longer than the command timeout
 */
public record CityConfig(String honoHost, int honoPort, String honoUser, String honoPassword, String tenant,
                         String jdbcUrl, String httpHost, int httpPort, Path usersFile, int quietMinutes,
                         Duration commandTimeout, boolean honoTls, Path honoTrustStore, String kafkaBootstrap,
                         String kafkaGroup, java.util.Map<String, String> kafkaClient, Duration broadcastRetry) {

    /** Checks the values. */
    public CityConfig {
        Objects.requireNonNull(honoHost, "honoHost");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(httpHost, "httpHost");
        Objects.requireNonNull(usersFile, "usersFile");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        if (honoPort <= 0 || honoPort > 65535 || httpPort < 0 || httpPort > 65535) {
            throw new IllegalArgumentException("a port is 1-65535 (the HTTP port may be 0)");
        }
        if (quietMinutes <= 0 || commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("quietMinutes and commandTimeout must be positive");
        }
        kafkaClient = kafkaClient == null ? java.util.Map.of() : java.util.Map.copyOf(kafkaClient);
        if (broadcastRetry == null) {
            broadcastRetry = commandTimeout.plusSeconds(5);
        }
        if (broadcastRetry.compareTo(commandTimeout) <= 0) {
            throw new IllegalArgumentException("broadcastRetry must be longer than commandTimeout (one try at a time per school)");
        }
        if (kafkaBootstrap != null && !kafkaBootstrap.matches("[^,\\s]+:\\d{1,5}(,[^,\\s]+:\\d{1,5})*")) {
            throw new IllegalArgumentException("not a Kafka bootstrap address (host:port[,host:port...]): " + kafkaBootstrap);
        }
        if (kafkaGroup == null || !kafkaGroup.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new IllegalArgumentException("a Kafka consumer group is 1-100 letters, digits, '.', '_' or '-': " + kafkaGroup);
        }
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Collects the values of a {@link CityConfig}. */
    public static final class Builder {
        private String honoHost = "127.0.0.1";
        private int honoPort = 5671;
        private boolean honoTls = true;
        private Path honoTrustStore;
        private String honoUser;
        private String honoPassword;
        private String tenant = "campus-edge";
        private String jdbcUrl = "jdbc:sqlite:data/city.db";
        private String httpHost = "127.0.0.1";
        private int httpPort = 8090;
        private Path usersFile = Path.of("data", "city-users");
        private int quietMinutes = 15;
        private Duration commandTimeout = Duration.ofSeconds(10);
        private String kafkaBootstrap;
        private String kafkaGroup = "campus-edge-city-dashboard";
        private Duration broadcastRetry;
        private java.util.Map<String, String> kafkaClient = java.util.Map.of();

        private Builder() {
        }

        /** Hono northbound host. */
        public Builder honoHost(String v) { honoHost = v; return this; }

        /** Hono northbound port. */
        public Builder honoPort(int v) { honoPort = v; return this; }

        /** TLS to Hono (the default); false only for a local trial against a plain sandbox. */
        public Builder honoTls(boolean v) { honoTls = v; return this; }

        /** The certificates to trust for Hono's (null: the JVM's CAs). */
        public Builder honoTrustStore(Path v) { honoTrustStore = v; return this; }

        /** Hono user (SASL PLAIN), null for ANONYMOUS. */
        public Builder honoUser(String v) { honoUser = v; return this; }

        /** Hono password. */
        public Builder honoPassword(String v) { honoPassword = v; return this; }

        /** The tenant. */
        public Builder tenant(String v) { tenant = v; return this; }

        /** The JDBC URL. */
        public Builder jdbcUrl(String v) { jdbcUrl = v; return this; }

        /** The address the web server binds. */
        public Builder httpHost(String v) { httpHost = v; return this; }

        /** The web server's port, 0 for any free one. */
        public Builder httpPort(int v) { httpPort = v; return this; }

        /** The user file. */
        public Builder usersFile(Path v) { usersFile = v; return this; }

        /** Minutes without a message after which a school counts as quiet. */
        public Builder quietMinutes(int v) { quietMinutes = v; return this; }

        /** How long a command waits for its response. */
        public Builder commandTimeout(Duration v) { commandTimeout = v; return this; }

        /** Hono's Kafka brokers ({@code host:port,...}): the northbound is then Kafka; null for AMQP. */
        public Builder kafka(String v) { kafkaBootstrap = v; return this; }

        /** The consumer group the bureau's dashboard instances share. */
        public Builder kafkaGroup(String v) { kafkaGroup = v; return this; }

        /** More Kafka client settings (security, TLS) for the bureau's brokers. */
        public Builder kafkaClient(java.util.Map<String, String> v) { kafkaClient = v; return this; }

        /** How long a broadcast waits for a school's answer before trying it again (null: command timeout + 5 s). */
        public Builder broadcastRetry(Duration v) { broadcastRetry = v; return this; }

        /** The configuration. */
        public CityConfig build() {
            return new CityConfig(honoHost, honoPort, honoUser, honoPassword, tenant, jdbcUrl, httpHost, httpPort,
                    usersFile, quietMinutes, commandTimeout, honoTls, honoTrustStore, kafkaBootstrap, kafkaGroup,
                    kafkaClient, broadcastRetry);
        }
    }

    /** The bureau's command signing key: beside the users file ({@code city-signing.key}, its public half {@code .pub}). */
    public Path signingKeyFile() {
        return usersFile.toAbsolutePath().resolveSibling("city-signing.key");
    }

    @Override
    public String toString() {
        // never the password
        // the Kafka settings' names only: sasl.jaas.config holds a password
        return "CityConfig[hono=" + (kafkaBootstrap != null ? "kafka://" + kafkaBootstrap + " group " + kafkaGroup
                + (kafkaClient.isEmpty() ? "" : " with " + new java.util.TreeSet<>(kafkaClient.keySet()))
                : (honoTls ? "amqps://" : "amqp://") + honoHost + ":" + honoPort)
                + (honoTrustStore == null ? "" : ", trusting " + honoTrustStore) + ", user=" + honoUser + ", tenant=" + tenant
                + ", jdbc=" + jdbcUrl.replaceAll("[?;].*", "") + ", http=" + httpHost + ":" + httpPort + ", users=" + usersFile
                + ", quietMinutes=" + quietMinutes + ", commandTimeout=" + commandTimeout + ", broadcastRetry=" + broadcastRetry + "]";
    }
}
