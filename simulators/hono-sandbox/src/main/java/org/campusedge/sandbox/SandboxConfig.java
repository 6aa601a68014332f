package org.campusedge.sandbox;

import java.time.Duration;
import java.util.Objects;

/**
 * How to start a {@link HonoSandbox}. Build with {@link #builder()} or {@link #of(Registry)}.
 * <p>
 * Northbound credentials: when {@code northUser} and {@code northPassword} are both {@code null},
 * northbound clients may log in with SASL ANONYMOUS (or PLAIN with any credentials). The builder's
 * {@link Builder#registry(Registry)} takes the registry's {@code north} login unless
 * {@link Builder#north(String, String)} sets one.
 */
public final class SandboxConfig {

    /** Default wait for a northbound consumer's (or a device's) disposition before releasing. */
    public static final Duration DEFAULT_FORWARD_TIMEOUT = Duration.ofSeconds(2);

    private final String host;
    private final int devicePort;
    private final int northPort;
    private final Registry registry;
    private final String northUser;
    private final String northPassword;
    private final Duration forwardTimeout;
    private final java.nio.file.Path tlsKeyStore;
    private final String tlsPassword;
    private final String kafkaBootstrap;

    private SandboxConfig(final Builder b) {
        this.kafkaBootstrap = b.kafkaBootstrap;
        this.tlsKeyStore = b.tlsKeyStore;
        this.tlsPassword = b.tlsPassword;
        this.host = b.host;
        this.devicePort = b.devicePort;
        this.northPort = b.northPort;
        this.registry = Objects.requireNonNull(b.registry, "registry is required");
        if ((b.northUser == null) != (b.northPassword == null)) {
            throw new IllegalArgumentException("northUser and northPassword must be given together");
        }
        this.northUser = b.northUser;
        this.northPassword = b.northPassword;
        this.forwardTimeout = b.forwardTimeout;
    }

    /**
     * @param registry the registry
     * @return a configuration with defaults: 127.0.0.1, random ports, the registry's north login
     */
    public static SandboxConfig of(final Registry registry) {
        return builder().registry(registry).build();
    }

    /** @return a builder with defaults (127.0.0.1, random ports) */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return the Kafka brokers ({@code host:port,...}) the northbound goes to (Hono's Kafka-based messaging), or
     *         null for Hono's AMQP messaging network on {@link #northPort()}
     */
    public String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    /** @return the PKCS#12 key store both listeners serve TLS (AMQPS) with, or null for plain AMQP */
    public java.nio.file.Path tlsKeyStore() {
        return tlsKeyStore;
    }

    /**
     * @return how a listener is set up: the bind address and, when a key store is configured, TLS 1.2/1.3
     *         with its key (as Hono's adapters serve AMQPS on 5671)
     */
    io.vertx.proton.ProtonServerOptions serverOptions() {
        final io.vertx.proton.ProtonServerOptions o = new io.vertx.proton.ProtonServerOptions().setHost(host);
        if (tlsKeyStore != null) {
            o.setSsl(true).setKeyCertOptions(new io.vertx.core.net.PfxOptions().setPath(tlsKeyStore.toString()).setPassword(tlsPassword));
            o.getEnabledSecureTransportProtocols().retainAll(java.util.Set.of("TLSv1.2", "TLSv1.3"));
        }
        return o;
    }

    /** @return the interface both listeners bind to */
    public String host() {
        return host;
    }

    /** @return the device-side (AMQP adapter) port; 0 = random */
    public int devicePort() {
        return devicePort;
    }

    /** @return the northbound (application) port; 0 = random */
    public int northPort() {
        return northPort;
    }

    /** @return the registry */
    public Registry registry() {
        return registry;
    }

    /** @return the northbound user name, {@code null} = anonymous allowed */
    public String northUser() {
        return northUser;
    }

    /** @return the northbound password, {@code null} = anonymous allowed */
    public String northPassword() {
        return northPassword;
    }

    /** @return how long to wait for a disposition from the far side before settling {@code released} */
    public Duration forwardTimeout() {
        return forwardTimeout;
    }

    /** Builds a {@link SandboxConfig}. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int devicePort;
        private int northPort;
        private Registry registry;
        private String northUser;
        private String northPassword;
        private boolean northSet;
        private Duration forwardTimeout = DEFAULT_FORWARD_TIMEOUT;

        private Builder() {
        }

        private java.nio.file.Path tlsKeyStore;
        private String tlsPassword;
        private String kafkaBootstrap;

        /**
         * @param bootstrap the Kafka brokers ({@code host:port,...}): the northbound is then Hono's Kafka topics,
         *                  and there is no AMQP northbound listener
         * @return this
         */
        public Builder kafka(final String bootstrap) {
            if (bootstrap == null || !bootstrap.matches("[^,\\s]+:\\d{1,5}(,[^,\\s]+:\\d{1,5})*")) {
                throw new IllegalArgumentException("not a Kafka bootstrap address (host:port[,host:port...]): " + bootstrap);
            }
            this.kafkaBootstrap = bootstrap;
            return this;
        }

        /**
         * @param value interface to bind
         * @return this
         */
        public Builder host(final String value) {
            this.host = Objects.requireNonNull(value, "host");
            return this;
        }

        /**
         * @param value device-side port, 0 = random
         * @return this
         */
        public Builder devicePort(final int value) {
            this.devicePort = checkPort(value);
            return this;
        }

        /**
         * @param value northbound port, 0 = random
         * @return this
         */
        public Builder northPort(final int value) {
            this.northPort = checkPort(value);
            return this;
        }

        /**
         * @param value the registry (its north login is used unless {@link #north} is called)
         * @return this
         */
        public Builder registry(final Registry value) {
            this.registry = Objects.requireNonNull(value, "registry");
            if (!northSet) {
                this.northUser = value.northUser();
                this.northPassword = value.northPassword();
            }
            return this;
        }

        /**
         * @param user     northbound user name, {@code null} together with password = anonymous
         * @param password northbound password
         * @return this
         */
        public Builder north(final String user, final String password) {
            this.northUser = user;
            this.northPassword = password;
            this.northSet = true;
            return this;
        }

        /**
         * @param keyStore a PKCS#12 key store with the sandbox's key and certificate: both sides then speak AMQPS only
         * @param password its password
         * @return this
         */
        public Builder tls(final java.nio.file.Path keyStore, final String password) {
            this.tlsKeyStore = Objects.requireNonNull(keyStore, "keyStore");
            this.tlsPassword = Objects.requireNonNull(password, "password");
            return this;
        }

        /**
         * @param value wait for a disposition from the far side before settling {@code released}
         * @return this
         */
        public Builder forwardTimeout(final Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("forwardTimeout must be positive");
            }
            this.forwardTimeout = value;
            return this;
        }

        /** @return the configuration */
        public SandboxConfig build() {
            return new SandboxConfig(this);
        }

        private static int checkPort(final int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            return port;
        }
    }
}
