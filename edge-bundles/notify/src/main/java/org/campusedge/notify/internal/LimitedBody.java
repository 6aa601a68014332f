package org.campusedge.notify.internal;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Keeps at most {@link #MAX} bytes of an answer and stops reading there: a robot's answer is a
 * line of JSON, and a receiver that sends a gigabyte must not fill the gateway's heap.
 */
final class LimitedBody implements HttpResponse.BodySubscriber<String> {

    static final int MAX = 4096;
    static final HttpResponse.BodyHandler<String> HANDLER = info -> new LimitedBody();

    private final CompletableFuture<String> result = new CompletableFuture<>();
    private final ByteBuffer kept = ByteBuffer.allocate(MAX);
    private Flow.Subscription subscription;

    @Override
    public CompletionStage<String> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        for (ByteBuffer b : items) {
            int n = Math.min(b.remaining(), kept.remaining());
            ByteBuffer slice = b.slice();
            slice.limit(n);
            kept.put(slice);
        }
        if (!kept.hasRemaining()) {
            subscription.cancel();
            finish();
        } else {
            subscription.request(1);
        }
    }

    @Override
    public void onError(Throwable t) {
        result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
        finish();
    }

    private void finish() {
        result.complete(new String(kept.array(), 0, kept.position(), StandardCharsets.UTF_8));
    }
}
