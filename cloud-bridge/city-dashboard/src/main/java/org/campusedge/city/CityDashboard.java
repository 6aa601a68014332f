package org.campusedge.city;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.hono.application.client.ApplicationClient;
import org.eclipse.hono.application.client.MessageContext;
import org.campusedge.web.Sessions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The city education bureau's dashboard: reads the telemetry and events of one Hono tenant into its database,
 * sends commands to the schools' gateways, and serves the web dashboard. {@link #start} returns once the web
 * server listens; the connection to Hono is made (and re-made after a loss) in the background.
 */
public final class CityDashboard implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CityDashboard.class);

    private final CityConfig config;
    private final CityDatabase db;
    private final Vertx vertx;
    private final Context context;
    private final ApplicationClient<? extends MessageContext> client;
    private final Ingest ingest;
    private final HonoConsumers consumers;
    private final java.util.concurrent.ExecutorService writer;
    private final Commands commands;
    private final CommandSigner signer;
    private final java.util.concurrent.ScheduledExecutorService retrier;
    private java.nio.file.Path tlsCertificate;
    private WebServer web;
    private volatile boolean closing;

    private CityDashboard(CityConfig config, CityDatabase db) throws IOException {
        this.config = config;
        this.db = db;
        this.vertx = Vertx.vertx();
        this.context = vertx.getOrCreateContext();
        this.client = HonoClientFactory.create(vertx, config, this::onReconnect);
        this.ingest = new Ingest(db, System::currentTimeMillis);
        this.writer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "city-db-writer");
            t.setDaemon(true);
            return t;
        });
        this.consumers = new HonoConsumers(context, client, config.tenant(), ingest::accept, 1_000, writer,
                (messages, writes) -> db.batch(Ingest.schoolsOf(messages), System.currentTimeMillis(), () -> {
                    ingest.mark();
                    writes.run();
                }, ingest::backToMark),
                config.kafkaBootstrap() == null ? null : HonoClientFactory.kafkaConsumerConfig(config));
        this.signer = CommandSigner.loadOrCreate(config.signingKeyFile(), "city:" + config.tenant(), Duration.ofMinutes(5));
        this.commands = new Commands(context, client, config.tenant(), db, config.commandTimeout(), System::currentTimeMillis, signer,
                config.broadcastRetry());
        this.retrier = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "city-broadcast-retry");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens the database, starts connecting to Hono and opens the consumers once connected, and starts the web
     * server. On the first start (an empty user file) it creates the user {@code admin} and prints its password
     * once on standard output.
     */
    public static CityDashboard start(CityConfig config) throws IOException, SQLException {
        Users users = new Users(config.usersFile());
        CityDatabase db = CityDatabase.open(config.jdbcUrl());
        CityDashboard d = null;
        try {
            d = new CityDashboard(config, db);
            d.connect();
            java.nio.file.Path keys = config.usersFile().toAbsolutePath().resolveSibling("city-tls.p12");
            org.campusedge.net.TlsIdentity tls = org.campusedge.net.TlsIdentity.loadOrCreate(keys, keys.resolveSibling("city-tls.crt"),
                    "Campus Edge city dashboard " + config.tenant());
            if (tls.created()) {
                System.out.println("city-dashboard: first start - HTTPS certificate made, SHA-256 fingerprint " + tls.fingerprint());
            }
            d.tlsCertificate = keys.resolveSibling("city-tls.crt");
            Sessions<String> sessions = new Sessions<>(java.time.Clock.systemUTC(), Duration.ofMinutes(30), Duration.ofHours(12),
                    WebServer.MAX_SESSIONS);
            CityDashboard dashboard = d;
            d.web = new WebServer(config.httpHost(), config.httpPort(), users, sessions,
                    new Api(d, new DashboardViews(db, ZoneId.systemDefault()), users, sessions),
                    new CityMonitoring(dashboard::stats, dashboard::connected,
                            config.usersFile().toAbsolutePath().resolveSibling("city-metrics-token")), tls);
            users.createAdminIfNone().ifPresent(password -> System.out.println(
                    "city-dashboard: first start - created user 'admin' with password: " + password
                            + "  (shown only now; it is stored hashed in " + config.usersFile() + ")"));
            LOG.info("city dashboard on {} for tenant {}", d.url(), config.tenant());
            LOG.info("commands are signed with the bureau's key {} (public half {}, fingerprint {}): each school's gateway"
                    + " needs that public key as its cloud.cityKeyFile", config.signingKeyFile(), d.signer.publicKeyFile(),
                    d.signer.fingerprint());
            return d;
        } catch (IOException | RuntimeException e) {
            if (d != null) {
                d.close();
            } else {
                db.close();
            }
            throw e;
        }
    }

    private void connect() {
        consumers.start();
        // broadcasts a school has not answered yet: tried again until they expire, by whichever instance comes first
        retrier.scheduleWithFixedDelay(() -> {
            try {
                if (!consumers.open()) {
                    return; // cut off from Hono: another instance may send the tries, this one would only time out
                }
                commands.retryDue();
            } catch (Exception e) {
                if (!closing) {
                    LOG.warn("cannot retry the pending broadcasts: {}", e.toString());
                }
            }
        }, 1, 1, TimeUnit.SECONDS);
        // Hono's client retries quietly: say so when the consumers stay down, and when they are back
        boolean[] down = {false};
        vertx.setPeriodic(30_000, id -> {
            boolean up = consumers.open();
            if (!up && !down[0]) {
                LOG.warn("not connected to Hono at {} (tenant {}); still trying", config.kafkaBootstrap() != null
                        ? "Kafka " + config.kafkaBootstrap() : config.honoHost() + ":" + config.honoPort(), config.tenant());
            } else if (up && down[0]) {
                LOG.info("connected to Hono again");
            }
            down[0] = !up;
        });
        context.runOnContext(v -> client.start().onFailure(t -> {
            if (!closing) {
                LOG.warn("cannot start the Hono client: {}", t.toString());
            }
        }));
    }

    private void onReconnect() {
        LOG.info("reconnected to Hono, opening the consumers again");
        consumers.reopen();
    }

    /** The web server's port. */
    public int httpPort() {
        return web.port();
    }

    /** The dashboard's address, e.g. {@code https://127.0.0.1:8090/}. */
    public String url() {
        String host = config.httpHost().contains(":") ? "[" + config.httpHost() + "]" : config.httpHost();
        return "https://" + host + ":" + httpPort() + "/";
    }

    /** The dashboard's certificate (PEM), for clients that trust it (made at the first start beside the users file). */
    public java.nio.file.Path tlsCertificate() {
        return tlsCertificate;
    }

    /** True while the telemetry and event consumers are open (so Hono is connected). */
    public boolean connected() {
        return consumers.open();
    }

    /** The database (its read helpers). */
    public CityDatabase database() {
        return db;
    }

    /** What the consumers received so far. */
    public IngestStats stats() {
        return ingest.stats();
    }

    /** The configuration. */
    public CityConfig config() {
        return config;
    }

    /**
     * Sends a broadcast to its schools (every known school when it names none), concurrently; returns at once.
     * Each school's command and outcome is a row in {@code commands} with the result's batch id.
     */
    public BroadcastResult broadcast(BroadcastOrder order) throws SQLException {
        return broadcast(order, null);
    }

    /** As {@link #broadcast(BroadcastOrder)}, recording which dashboard user issued it. */
    public BroadcastResult broadcast(BroadcastOrder order, String issuedBy) throws SQLException {
        return commands.broadcast(order, issuedBy);
    }

    /**
     * Sends one command ({@code status}, {@code rules}, ...) to one school's gateway.
     *
     * @param jsonBody the request body, JSON
     * @return the command's row once it has an outcome (answered, timeout or failed)
     */
    /** The bureau's command signer (its public key goes to every school). */
    public CommandSigner signer() {
        return signer;
    }

    /**
     * Sends a payload exactly as given, signed or not, recorded as a command: for checking what a school
     * refuses (an unsigned, altered, expired or replayed command).
     */
    public CompletableFuture<CommandRecord> sendPayload(String school, String command, String payload, String issuedBy)
            throws SQLException {
        return commands.sendPayload(null, school, command, "(payload as given)", payload, issuedBy);
    }

    public CompletableFuture<CommandRecord> command(String school, String command, String jsonBody) throws SQLException {
        return command(school, command, jsonBody, null);
    }

    /** As {@link #command(String, String, String)}, recording which dashboard user issued it. */
    public CompletableFuture<CommandRecord> command(String school, String command, String jsonBody, String issuedBy) throws SQLException {
        return commands.send(null, school, command, jsonBody, issuedBy);
    }

    /** Stops the web server, the consumers, the Hono client and vert.x, and closes the database; idempotent. */
    @Override
    public synchronized void close() {
        if (closing) {
            return;
        }
        closing = true;
        if (web != null) {
            web.close();
        }
        retrier.shutdownNow();
        try {
            retrier.awaitTermination(5, TimeUnit.SECONDS); // a try being claimed finishes before the database closes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        await(consumers.close());
        Promise<Void> stopped = Promise.promise();
        context.runOnContext(v -> client.stop().onComplete(stopped));
        await(stopped.future());
        await(vertx.close());
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        db.close();
    }

    private static void await(Future<?> f) {
        try {
            f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("closing: {}", e.toString());
        }
    }
}
