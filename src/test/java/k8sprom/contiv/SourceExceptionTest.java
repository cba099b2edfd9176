package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class SourceExceptionTest {

    @Test
    void awaitReturnsTheResult() {
        assertEquals("rows", SourceException.await(CompletableFuture.completedFuture("rows")));
    }

    @Test
    void awaitRethrowsASourceFailureAsItIs() {
        SourceException failure = new SourceException("OVSDB down");

        assertSame(
                failure,
                assertThrows(
                        SourceException.class, () -> SourceException.await(CompletableFuture.failedFuture(failure))));
    }

    @Test
    void awaitLeavesOtherFailuresWrapped() {
        assertThrows(
                CompletionException.class,
                () -> SourceException.await(CompletableFuture.failedFuture(new IllegalStateException("bug"))));
    }
}
