// integration: needs `./mvnw package` first (the function and layer zips template.yaml names); unpacks them as the local stack does
package ai.realstaging.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.realstaging.common.testing.Events;
import ai.realstaging.local.template.SamTemplate;
import ai.realstaging.local.template.SamTemplate.FunctionDef;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FunctionCodeIT {

    private static final Path ROOT = Events.root().getParent();
    private static final SamTemplate TEMPLATE = SamTemplate.load(ROOT.resolve("template.yaml"));
    private static final String STRIPE_LAYER = "StripeLayer";
    /** What a function needs to initialise; nothing is reached during INIT (SnapStart-safe), so none of it exists. */
    private static final Map<String, String> SETTINGS = Map.of(
            "AWS_REGION", "us-east-1",
            "DATABASE_URL", "postgresql://nobody@127.0.0.1:1/nowhere",
            "BUCKET_NAME", "no-bucket",
            "STAGING_QUEUE_URL", "http://127.0.0.1:1/000000000000/no-queue",
            "STRIPE_SECRET_KEY", "sk_test_not_used",
            "STRIPE_API_BASE", "http://127.0.0.1:1");

    static Stream<Named<FunctionDef>> withTheStripeLayer() {
        return TEMPLATE.functions().stream().filter(f -> f.layers().contains(STRIPE_LAYER)).map(f -> Named.of(f.logicalId(), f));
    }

    static Stream<Named<FunctionDef>> withoutTheStripeLayer() {
        return TEMPLATE.functions().stream().filter(f -> !f.layers().contains(STRIPE_LAYER)).map(f -> Named.of(f.logicalId(), f));
    }

    @Test
    void theTemplateHasFunctionsOnBothSides() {
        // Guards the parameterized tests below against passing on an empty list.
        assertThat(withTheStripeLayer()).extracting(Named::getName)
                .containsExactlyInAnyOrder("ProjectsFunction", "StripeWebhookFunction");
        assertThat(withoutTheStripeLayer()).extracting(Named::getName)
                .contains("PresignFunction", "StageImageFunction", "MaintenanceFunction", "SseBridgeFunction", "MigrateFunction");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("withoutTheStripeLayer")
    void aFunctionWithoutTheStripeLayerCannotLoadStripeThoughTheStackCan(FunctionDef function) throws Exception {
        ClassLoader code = FunctionCode.of(ROOT, TEMPLATE, function).classLoader();

        // This JVM has stripe-java (the tests call the billing handlers directly); the function must not see it.
        assertThat(Class.forName("com.stripe.Stripe")).isNotNull();
        assertThatThrownBy(() -> Class.forName("com.stripe.Stripe", false, code)).isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("com.google.gson.Gson", false, code)).isInstanceOf(ClassNotFoundException.class);
        // The shared code that calls Stripe is in the common layer, and cannot link there without it.
        assertThatThrownBy(() -> Class.forName("ai.realstaging.common.billing.StripeApi", true, code))
                .isInstanceOf(NoClassDefFoundError.class).hasMessageContaining("com/stripe/");
        // Its handler still links: nothing it loads on the way touches Stripe.
        assertThat(Class.forName(function.handlerClass(), true, code).getClassLoader()).isSameAs(code);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("withTheStripeLayer")
    void aFunctionWithTheStripeLayerLoadsStripeFromThatLayer(FunctionDef function) throws Exception {
        FunctionCode functionCode = FunctionCode.of(ROOT, TEMPLATE, function);
        ClassLoader code = functionCode.classLoader();

        // ApiResource's static initialiser builds its Gson, so gson must be in the layers too.
        Class<?> stripe = Class.forName("com.stripe.net.ApiResource", true, code);
        Path jar = Path.of(stripe.getProtectionDomain().getCodeSource().getLocation().toURI());

        assertThat(stripe.getClassLoader()).isSameAs(code);
        assertThat(functionCode.classpath()).contains(jar);
        assertThat(jar.getFileName().toString()).startsWith("stripe-java-");
        assertThat(Class.forName("ai.realstaging.common.billing.StripeApi", true, code).getClassLoader()).isSameAs(code);
        assertThat(Class.forName(function.handlerClass(), true, code).getClassLoader()).isSameAs(code);
    }

    @Test
    void theProjectsFunctionAnswersWithItsLayersAndCannotStartWithoutTheStripeLayer() throws Exception {
        FunctionDef projects = TEMPLATE.function("ProjectsFunction").orElseThrow();
        // The same function as if template.yaml had left its Layers out: Globals' CommonLayer only.
        FunctionDef withoutStripe = new FunctionDef(projects.logicalId(), projects.handler(), projects.codeUri(),
                projects.layers().stream().filter(l -> !l.equals(STRIPE_LAYER)).toList(), projects.timeoutSeconds(),
                projects.memoryMb(), projects.environment(), projects.routes(), projects.sqsSources(), projects.snapStart(),
                projects.autoPublishAlias());
        assertThat(withoutStripe.layers()).containsExactly("CommonLayer");

        APIGatewayV2HTTPResponse health = (APIGatewayV2HTTPResponse) pool(projects).invoke(Events.http("apigw/http_api_health.json"));
        // Initialised and answered: the database named above does not exist, which health reports as 503.
        assertThat(health.getStatusCode()).isEqualTo(503);

        assertThatThrownBy(() -> pool(withoutStripe).invoke(Events.http("apigw/http_api_health.json")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot initialise ProjectsFunction")
                .hasMessageContaining("com/stripe/");
    }

    @Test
    void aLayerTheTemplateDoesNotDefineIsRefusedByName() {
        FunctionDef presign = TEMPLATE.function("PresignFunction").orElseThrow();
        FunctionDef elsewhere = new FunctionDef(presign.logicalId(), presign.handler(), presign.codeUri(),
                List.of("CommonLayer", "arn:aws:lambda:us-east-1:123456789012:layer:other:1"), presign.timeoutSeconds(),
                presign.memoryMb(), presign.environment(), presign.routes(), presign.sqsSources(), presign.snapStart(),
                presign.autoPublishAlias());

        assertThatThrownBy(() -> FunctionCode.of(ROOT, TEMPLATE, elsewhere))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("PresignFunction names layer arn:aws:lambda:us-east-1:123456789012:layer:other:1");
    }

    private static FunctionPool pool(FunctionDef function) {
        return new FunctionPool(function.logicalId(), function.handler(), FunctionCode.of(ROOT, TEMPLATE, function).classLoader(),
                SETTINGS, function.memoryMb(), function.timeoutSeconds(), 1);
    }
}
