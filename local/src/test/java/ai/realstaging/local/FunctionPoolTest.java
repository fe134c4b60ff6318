package ai.realstaging.local;

// unit: the local stack's execution environments — one invocation at a time per instance, Lambda's timeout, the function's class loader

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.realstaging.common.config.Config;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FunctionPoolTest {

    /** A handler that sleeps for the number of milliseconds it is given and counts its instances. */
    public static final class Sleeper implements RequestHandler<Object, Object> {
        static final AtomicInteger INSTANCES = new AtomicInteger();

        public Sleeper(Config config) {
            INSTANCES.incrementAndGet();
        }

        @Override
        public Object handleRequest(Object millis, Context context) {
            try {
                Thread.sleep((Integer) millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "slept " + millis + " with " + context.getRemainingTimeInMillis() / 1000 + " s left";
        }
    }

    /** Answers which context class loader it was initialised with and which it runs with, and its setting. */
    public static final class LoaderProbe implements RequestHandler<Object, Object> {
        private final ClassLoader atInit = Thread.currentThread().getContextClassLoader();
        private final String setting;

        public LoaderProbe(Config config) {
            setting = config.get("PROBE", "unset");
        }

        @Override
        public Object handleRequest(Object input, Context context) {
            return Map.of("init", atInit, "invoke", Thread.currentThread().getContextClassLoader(), "setting", setting);
        }
    }

    private static FunctionPool pool(int timeoutSeconds) {
        return new FunctionPool("Sleeper", Sleeper.class.getName() + "::handleRequest",
                FunctionPoolTest.class.getClassLoader(), Map.of(), 128, timeoutSeconds, 2);
    }

    @Test
    void anInvocationWithinTheTimeoutAnswersAndTheEnvironmentIsReused() throws Exception {
        FunctionPool pool = pool(5);
        int before = Sleeper.INSTANCES.get();

        assertThat(pool.invoke(10)).isEqualTo("slept 10 with 4 s left");
        assertThat(pool.invoke(10)).isEqualTo("slept 10 with 4 s left");

        assertThat(Sleeper.INSTANCES.get() - before).isEqualTo(1);
    }

    @Test
    void anInvocationPastTheTimeoutFailsAndItsEnvironmentIsDiscarded() throws Exception {
        FunctionPool pool = pool(1);
        int before = Sleeper.INSTANCES.get();

        assertThatThrownBy(() -> pool.invoke(3_000)).isInstanceOf(FunctionPool.FunctionTimeoutException.class)
                .hasMessageContaining("timed out after 1 s");
        assertThat(pool.invoke(10)).asString().startsWith("slept 10");

        assertThat(Sleeper.INSTANCES.get() - before).isEqualTo(2);
    }

    @Test
    void theFunctionsClassLoaderIsTheContextLoaderDuringInitAndInvocations() throws Exception {
        try (URLClassLoader code = new URLClassLoader("function:probe", new URL[0], FunctionPoolTest.class.getClassLoader())) {
            FunctionPool pool = new FunctionPool("Probe", LoaderProbe.class.getName(), code, Map.of("PROBE", "from settings"),
                    128, 5, 1);

            Map<?, ?> answer = (Map<?, ?>) pool.invoke("anything");

            assertThat(answer.get("init")).isSameAs(code);
            assertThat(answer.get("invoke")).isSameAs(code);
            assertThat(answer.get("setting")).isEqualTo("from settings");
            assertThat(Thread.currentThread().getContextClassLoader()).isNotSameAs(code);
        }
    }

    @Test
    void aHandlerItsCodeDoesNotHoldCannotBeInitialised() {
        ClassLoader platformOnly = ClassLoader.getPlatformClassLoader();
        FunctionPool pool = new FunctionPool("Missing", Sleeper.class.getName() + "::handleRequest", platformOnly, Map.of(),
                128, 5, 1);

        assertThatThrownBy(() -> pool.invoke(1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Missing").hasMessageContaining("CodeUri zip and the layers");
    }
}
