package org.campusedge.sandbox;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.proton.ProtonServer;

/**
 * A development and test stand-in for Eclipse Hono: Hono's AMQP protocol adapter on one port
 * ({@link #devicePort()}) and Hono's AMQP northbound API on another ({@link #northPort()}), in one
 * process, with a YAML {@link Registry} instead of Hono's device registry and {@link Faults}
 * switches for tests. Not Hono: production points at a real Hono.
 * <p>
 * All protocol work runs on one vert.x event loop; the public methods may be called from any
 * thread other than that one.
 */
public final class HonoSandbox implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HonoSandbox.class);
    private static final long WAIT_SECONDS = 15;

    private final SandboxConfig config;
    private final Vertx vertx;
    private final Context context;
    private final SandboxStats stats = new SandboxStats();
    private final Faults faults;
    private final Northbound north;
    private final KafkaNorth kafka;
    private final DeviceSide devices;
    private ProtonServer deviceServer;
    private ProtonServer northServer;
    private volatile int devicePort;
    private volatile int northPort;
    private volatile boolean closed;

    private HonoSandbox(final SandboxConfig config) {
        this.config = config;
        this.vertx = Vertx.vertx(new VertxOptions()
                .setEventLoopPoolSize(1)
                .setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1));
        this.context = vertx.getOrCreateContext();
        this.faults = new Faults(new Faults.Switch() {
            @Override
            public void down() {
                goDown();
            }

            @Override
            public void up() {
                goUp();
            }
        });
        final CommandRouter commands = new CommandRouter(vertx, config.registry(), stats, config.forwardTimeout());
        this.kafka = config.kafkaBootstrap() == null ? null
                : new KafkaNorth(vertx, config.kafkaBootstrap(), config.registry(), stats, commands);
        this.north = kafka != null ? kafka : new NorthSide(vertx, config, stats, commands);
        this.devices = new DeviceSide(vertx, config, stats, faults, north, commands);
    }

    /**
     * Starts the sandbox and blocks until both listeners listen.
     *
     * @param config what to start
     * @return the running sandbox
     * @throws IllegalStateException with a clear message if a listener cannot be bound
     */
    public static HonoSandbox start(final SandboxConfig config) {
        final HonoSandbox sandbox = new HonoSandbox(config);
        try {
            if (sandbox.kafka != null) {
                try {
                    sandbox.onContext(p -> sandbox.kafka.start().onComplete(p));
                } catch (final IllegalStateException e) {
                    throw new IllegalStateException("Hono sandbox: cannot reach Kafka at " + config.kafkaBootstrap()
                            + " (" + e.getMessage() + ")", e);
                }
            }
            sandbox.listen(config.devicePort(), config.northPort());
        } catch (final RuntimeException e) {
            sandbox.close();
            throw e;
        }
        if (sandbox.kafka != null) {
            LOG.info("Hono sandbox listening: devices on {}:{}, northbound on Kafka {}",
                    config.host(), sandbox.devicePort, config.kafkaBootstrap());
        } else {
            LOG.info("Hono sandbox listening: devices on {}:{}, northbound on {}:{}",
                    config.host(), sandbox.devicePort, config.host(), sandbox.northPort);
        }
        return sandbox;
    }

    /** @return the device-side (AMQP adapter) port actually bound */
    public int devicePort() {
        return devicePort;
    }

    /** @return the Kafka brokers the northbound goes to, or null when it is AMQP on {@link #northPort()} */
    public String kafkaBootstrap() {
        return config.kafkaBootstrap();
    }

    /** @return the northbound (application) port actually bound; -1 in Kafka mode (no AMQP northbound) */
    public int northPort() {
        return northPort;
    }

    /** @return the host the listeners are bound to */
    public String host() {
        return config.host();
    }

    /** @return the fault switches */
    public Faults faults() {
        return faults;
    }

    /** @return the counters */
    public SandboxStats stats() {
        return stats;
    }

    /** Closes all connections and listeners and stops vert.x. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            onContext(p -> {
                devices.closeAll();
                Future.join(north.closeAll(), closeServers()).onComplete(ar -> p.complete());
            });
        } catch (final RuntimeException e) {
            LOG.debug("error closing listeners", e);
        }
        await(vertx.close(), "stopping vert.x");
    }

    private void listen(final int wantedDevicePort, final int wantedNorthPort) {
        onContext(p -> {
            final ProtonServer d = devices.createServer();
            final ProtonServer n = north instanceof NorthSide amqp ? amqp.createServer() : null;
            listen(d, wantedDevicePort, "device")
                    .compose(port -> {
                        deviceServer = d;
                        devicePort = port;
                        return n == null ? Future.succeededFuture(-1) : listen(n, wantedNorthPort, "northbound");
                    })
                    .onSuccess(port -> {
                        northServer = n;
                        northPort = port;
                        p.complete();
                    })
                    .onFailure(t -> closeServers().onComplete(ar -> p.fail(t)));
        });
    }

    private Future<Integer> listen(final ProtonServer server, final int port, final String what) {
        final Promise<Integer> bound = Promise.promise();
        server.listen(port, config.host(), ar -> {
            if (ar.succeeded()) {
                bound.complete(ar.result().actualPort());
            } else {
                bound.fail(new IllegalStateException("Hono sandbox: cannot listen for " + what
                        + " connections on " + config.host() + ":" + port + ": " + ar.cause().getMessage(), ar.cause()));
            }
        });
        return bound.future();
    }

    private Future<Void> closeServers() {
        final Promise<Void> a = Promise.promise();
        final Promise<Void> b = Promise.promise();
        if (deviceServer != null) {
            deviceServer.close(ar -> a.complete());
        } else {
            a.complete();
        }
        if (northServer != null) {
            northServer.close(ar -> b.complete());
        } else {
            b.complete();
        }
        deviceServer = null;
        northServer = null;
        return Future.all(a.future(), b.future()).mapEmpty();
    }

    private void goDown() {
        onContext(p -> {
            devices.closeAll();
            north.goDown();
            closeServers().onComplete(ar -> p.complete());
        });
        LOG.info("Hono sandbox: listeners down");
    }

    private void goUp() {
        listen(devicePort, northPort);
        LOG.info("Hono sandbox: listeners up again on {} and {}", devicePort, northPort);
    }

    /** Runs an action on the sandbox's context and waits for it to complete its promise. */
    private void onContext(final Consumer<Promise<Void>> action) {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("must not be called from a vert.x event loop thread");
        }
        final Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            try {
                action.accept(done);
            } catch (final RuntimeException e) {
                done.tryFail(e);
            }
        });
        await(done.future(), "sandbox operation");
    }

    private static void await(final Future<?> future, final String what) {
        final CompletableFuture<?> f = future.toCompletionStage().toCompletableFuture();
        try {
            f.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " interrupted", e);
        } catch (final ExecutionException e) {
            final Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(what + " failed: " + cause, cause);
        } catch (final TimeoutException e) {
            throw new IllegalStateException(what + " did not complete within " + WAIT_SECONDS + " s", e);
        }
    }
}
