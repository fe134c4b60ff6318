// integration: needs `./mvnw package` first (Failsafe runs it after package); reads the zips template.yaml points at
package ai.realstaging.local.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import ai.realstaging.local.template.SamTemplate.FunctionDef;
import ai.realstaging.local.template.SamTemplate.LayerDef;

class TemplateArtifactsIT {

    private static final Path ROOT = RepositoryRoot.find();
    private static final SamTemplate TEMPLATE = SamTemplate.load(ROOT.resolve("template.yaml"));
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

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
    @MethodSource("layers")
    void layerZipHoldsTheCommonJarUnderJavaLib(LayerDef layer) throws IOException {
        Path zip = artifact(layer.contentUri());

        assertThat(entries(zip)).as("entries of %s", zip)
                .anyMatch(name -> name.matches("java/lib/common-[^/]*\\.jar"));
    }

    /** The file a CodeUri/ContentUri names: present, a zip, its size printed for the README. */
    private static Path artifact(String uri) throws IOException {
        Path file = ROOT.resolve(uri);
        assertThat(file).as("%s (run ./mvnw package)", uri).isRegularFile();
        try (InputStream in = Files.newInputStream(file)) {
            assertThat(in.readNBytes(ZIP_MAGIC.length)).as("%s starts like a zip", uri).isEqualTo(ZIP_MAGIC);
        }
        System.out.printf("%-45s %,12d bytes (%.1f MB)%n", uri, Files.size(file), Files.size(file) / 1_048_576.0);
        return file;
    }

    private static List<String> entries(Path zip) throws IOException {
        try (ZipFile file = new ZipFile(zip.toFile()); Stream<? extends ZipEntry> stream = file.stream()) {
            return Collections.unmodifiableList(stream.map(ZipEntry::getName).toList());
        }
    }
}
