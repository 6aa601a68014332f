package org.campusedge.net;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * The request-level bounds in front of a {@link BoundedHttpServer}'s handler: the source's rate and
 * penalty, and — when the server reads bodies itself — the body read without a thread within its
 * deadline and size, and a request slot taken only once it is in.
 */
final class RequestGate extends Handler.Wrapper {

private final BoundedHttpServer owner;

RequestGate(BoundedHttpServer owner, Handler inner) {
    super(inner);
    this.owner = owner;
}

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!owner.limits().keepAlive()) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        InetAddress source = BoundedHttpServer.source(request);
        if (!owner.sources().admit(source)) {
            BoundedHttpServer.answer(response, callback, 503, "too many requests from " + source.getHostAddress() + "; retry later");
            return true;
        }
        EndPoint ep = request.getConnectionMetaData().getConnection().getEndPoint();
        owner.headers().handling(ep); // its body is the handler's (or the pre-read's) to bound, not the header sweep's
        Callback done = new Callback() {
            @Override
            public void succeeded() {
                owner.headers().handled(ep);
                callback.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                owner.headers().handled(ep);
                callback.failed(x);
            }

            @Override
            public InvocationType getInvocationType() {
                return callback.getInvocationType();
            }
        };
        if (owner.limits().bodyDeadline() == null) {
            inner(request, response, done); // the handler reads the body, then takes its slot (enter/leave)
        } else if (request.getLength() == 0 && !chunked(request)) {
            enterThenHandle(request, response, done);
        } else {
            readBodyThenHandle(request, response, done);
        }
        return true;
    }

    /** Takes a request slot for the handler's work, or answers 503; the slot is given back with the answer. */
    private void enterThenHandle(Request request, Response response, Callback done) {
        if (!owner.enter()) {
            BoundedHttpServer.answer(response, done, 503, "the gateway is busy; retry later");
            return;
        }
        inner(request, response, owner.leaving(done));
    }

    private boolean chunked(Request request) {
        return request.getLength() < 0 && request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
    }

    private void inner(Request request, Response response, Callback done) {
        try {
            if (!super.handle(request, response, done)) {
                BoundedHttpServer.answer(response, done, 404, "not found");
            }
        } catch (Exception | Error e) {
            done.failed(e);
        }
    }

    /** Reads the body without holding a thread, within the deadline, then runs the handler on a pool thread. */
    private void readBodyThenHandle(Request request, Response response, Callback done) {
        if (request.getLength() > owner.limits().maxBodyBytes()) {
            owner.sources().rejected(BoundedHttpServer.source(request));
            BoundedHttpServer.answer(response, done, 413, "request body over " + owner.limits().maxBodyBytes() + " bytes");
            return;
        }
        AtomicBoolean settled = new AtomicBoolean();
        var timer = owner.scheduler().schedule(() -> {
            if (settled.compareAndSet(false, true)) {
                owner.slowBody();
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
                BoundedHttpServer.answer(response, done, 408, "the request body did not arrive within " + owner.limits().bodyDeadline().toSeconds() + " s");
            }
        }, owner.limits().bodyDeadline().toMillis(), TimeUnit.MILLISECONDS);
        Content.Source.asByteArrayAsync(request, owner.limits().maxBodyBytes(),
                Promise.Invocable.from(Invocable.InvocationType.NON_BLOCKING,
                        body -> {
                            if (settled.compareAndSet(false, true)) {
                                timer.cancel(false);
                                request.setAttribute(BoundedHttpServer.BODY, body);
                                owner.threadPool().execute(() -> enterThenHandle(request, response, done));
                            }
                        },
                        failure -> {
                            if (settled.compareAndSet(false, true)) {
                                timer.cancel(false);
                                owner.sources().rejected(BoundedHttpServer.source(request));
                                boolean tooLarge = String.valueOf(failure.getMessage()).contains("Max size")
                                        || (failure.getCause() != null && String.valueOf(failure.getCause().getMessage()).contains("Max size"));
                                BoundedHttpServer.answer(response, done, tooLarge ? 413 : 400, tooLarge ? "request body over " + owner.limits().maxBodyBytes()
                                        + " bytes" : "the request body could not be read");
                            }
                        }));
    }
}
