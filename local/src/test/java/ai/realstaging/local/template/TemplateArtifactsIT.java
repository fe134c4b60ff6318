// integration: needs `./mvnw package` first (Failsafe runs it after package); reads the zips template.yaml points at
package ai.realstaging.local.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import ai.realstaging.local.FunctionCode;
import ai.realstaging.local.template.SamTemplate.FunctionDef;
import ai.realstaging.local.template.SamTemplate.LayerDef;

class TemplateArtifactsIT {

    private static final Path ROOT = RepositoryRoot.find();
    private static final SamTemplate TEMPLATE = SamTemplate.load(ROOT.resolve("template.yaml"));
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};
    /** ARCHITECTURE.md's budgets, and Lambda's limit on a function and all its layers unzipped. */
    private static final long FUNCTION_ZIP_BUDGET = 5_000_000;
    private static final long LAYER_ZIP_BUDGET = 40_000_000;
    private static final long LAMBDA_UNZIPPED_LIMIT = 262_144_000;
    private static final java.util.Set<String> PRINTED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static Stream<Named<FunctionDef>> functions() {
        return TEMPLATE.functions().stream().map(f -> Named.of(f.logicalId(), f));
    }

    static Stream<Named<LayerDef>> layers() {
        return TEMPLATE.layers().stream().map(l -> Named.of(l.logicalId(), l));
    }

    @Test
    void templateNamesArtifacts() {
        // Guards the parameterized tests below against passing on an empty list.
        assertThat(TEMPLATE.functions()).isNotEmpty();
        assertThat(TEMPLATE.layers()).isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void functionZipHoldsItsHandlerClassAtTheRoot(FunctionDef function) throws IOException {
        Path zip = artifact(function.codeUri());
        String handlerEntry = function.handlerClass().replace('.', '/') + ".class";

        assertThat(entries(zip)).as("entries of %s", zip).contains(handlerEntry);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void functionZipIsWithinItsBudget(FunctionDef function) throws IOException {
        assertThat(Files.size(artifact(function.codeUri()))).as("%s, budget 5 MB", function.codeUri())
                .isLessThanOrEqualTo(FUNCTION_ZIP_BUDGET);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void layerZipHoldsOnlyJarsUnderJavaLibWithinItsBudget(LayerDef layer) throws IOException {
        Path zip = artifact(layer.contentUri());

        // Lambda puts java/lib/*.jar of every layer on the class path; anything else would be dead weight.
        assertThat(files(zip)).as("files of %s", zip).isNotEmpty().allMatch(name -> name.matches("java/lib/[^/]+\\.jar"));
        assertThat(Files.size(zip)).as("%s, budget 40 MB", layer.contentUri()).isLessThanOrEqualTo(LAYER_ZIP_BUDGET);
    }

    @Test
    void theCommonLayerHoldsTheSharedCodeAndTheStripeLayerStripeJava() throws IOException {
        List<String> common = files(artifact(TEMPLATE.layer("CommonLayer").orElseThrow().contentUri()));
        List<String> stripe = files(artifact(TEMPLATE.layer("StripeLayer").orElseThrow().contentUri()));

        assertThat(common).anyMatch(name -> name.matches("java/lib/common-[^/]*\\.jar"))
                .noneMatch(name -> name.startsWith("java/lib/stripe-java-") || name.startsWith("java/lib/gson-"));
        assertThat(stripe).anyMatch(name -> name.startsWith("java/lib/stripe-java-"))
                .anyMatch(name -> name.startsWith("java/lib/gson-"));
    }

    @Test
    void noJarIsInTwoLayers() throws IOException {
        // A library two layers share is paid for twice and could differ in version: it belongs in the common layer.
        Map<String, String> owner = new HashMap<>();
        for (LayerDef layer : TEMPLATE.layers()) {
            for (String name : files(artifact(layer.contentUri()))) {
                String artifactId = name.substring(name.lastIndexOf('/') + 1).replaceFirst("-\\d[^/]*\\.jar$", "");
                String before = owner.putIfAbsent(artifactId, layer.logicalId());
                assertThat(before).as("%s is in %s and %s", artifactId, before, layer.logicalId()).isNull();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void functionAndItsLayersUnzippedFitLambdasLimit(FunctionDef function) throws IOException {
        long unzipped = unzippedSize(artifact(function.codeUri()));
        for (String layer : function.layers()) {
            unzipped += unzippedSize(artifact(TEMPLATE.layer(layer).orElseThrow().contentUri()));
        }
        System.out.printf("%-45s %,12d bytes unzipped with %s%n", function.logicalId(), unzipped, function.layers());
        assertThat(unzipped).isLessThanOrEqualTo(LAMBDA_UNZIPPED_LIMIT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void handlerResolvesFromItsZipAndTheLayersItNames(FunctionDef function) throws Exception {
        // Linked and initialised in the function's own class loader: exactly its zip and its layers, as in Lambda.
        ClassLoader code = FunctionCode.of(ROOT, TEMPLATE, function).classLoader();
        Class<?> handler = Class.forName(function.handlerClass(), true, code);

        assertThat(handler.getClassLoader()).isSameAs(code);
        assertThat(RequestHandler.class).as("%s implements RequestHandler", handler).isAssignableFrom(handler);
        assertThat(Stream.of(handler.getMethods()).filter(m -> m.getName().equals(function.handlerMethod())
                && m.getParameterCount() == 2 && m.getParameterTypes()[1] == Context.class))
                .as("%s.%s(event, Context)", handler.getName(), function.handlerMethod()).isNotEmpty();
    }

    /** The file a CodeUri/ContentUri names: present, a zip, its size printed for the README. */
    private static Path artifact(String uri) throws IOException {
        Path file = ROOT.resolve(uri);
        assertThat(file).as("%s (run ./mvnw package)", uri).isRegularFile();
        try (InputStream in = Files.newInputStream(file)) {
            assertThat(in.readNBytes(ZIP_MAGIC.length)).as("%s starts like a zip", uri).isEqualTo(ZIP_MAGIC);
        }
        if (PRINTED.add(uri)) {
            System.out.printf("%-50s %,12d bytes (%.1f MiB)%n", uri, Files.size(file), Files.size(file) / 1_048_576.0);
        }
        return file;
    }

    private static List<String> files(Path zip) throws IOException {
        return entries(zip).stream().filter(name -> !name.endsWith("/")).toList();
    }

    private static long unzippedSize(Path zip) throws IOException {
        try (ZipFile file = new ZipFile(zip.toFile()); Stream<? extends ZipEntry> stream = file.stream()) {
            return stream.mapToLong(ZipEntry::getSize).sum();
        }
    }

    private static List<String> entries(Path zip) throws IOException {
        try (ZipFile file = new ZipFile(zip.toFile()); Stream<? extends ZipEntry> stream = file.stream()) {
            return Collections.unmodifiableList(stream.map(ZipEntry::getName).toList());
        }
    }
}
