package ai.realstaging.local;

import ai.realstaging.local.template.SamTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Driver;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A function's code as Lambda assembles it from template.yaml: its CodeUri zip (classes at the root, its own
 * jars under {@code lib/}) and the {@code java/lib} jars of every layer it names, Globals' first. The local
 * stack runs each function in a class loader of exactly that, so a layer left out of the template fails
 * locally as it would in AWS, instead of being covered by the stack's own class path.
 */
public final class FunctionCode {

    /**
     * What a function takes from the local stack instead of its own code: the types that cross between them.
     * aws-lambda-java-core and -events are the handler interface, Context, and the events and responses the
     * gateway, queue poller and schedules build and read; joda-time is in the events' signatures
     * (ScheduledEvent.getTime); Jedis serves the Redis transport, which only the local stack uses (no layer
     * carries it). Everything else comes from the zip and the layers, or not at all.
     */
    static final List<String> FROM_THE_STACK = List.of(
            "com.amazonaws.services.lambda.runtime.", "org.joda.time.", "redis.clients.");

    /** This JVM's unpacked zips, by file and version, so the functions of every stack share one copy of a layer. */
    private static final Map<String, Path> UNPACKED = new ConcurrentHashMap<>();
    private static final Map<List<Path>, ClassLoader> LOADERS = new ConcurrentHashMap<>();
    private static Path scratch;

    private final String functionId;
    private final List<Path> classpath;

    private FunctionCode(String functionId, List<Path> classpath) {
        this.functionId = functionId;
        this.classpath = List.copyOf(classpath);
    }

    /**
     * The code of one function of the template, its zips read from under {@code root} (where {@code ./mvnw
     * package} writes them). Fails, naming the function, when a zip is missing or a layer is not one of the
     * template's own.
     */
    public static FunctionCode of(Path root, SamTemplate template, SamTemplate.FunctionDef function) {
        Path code = unpack(artifact(root, function.codeUri(), function.logicalId() + " (CodeUri)"));
        List<Path> classpath = new ArrayList<>();
        classpath.add(code);
        classpath.addAll(jars(code.resolve("lib")).values());
        // Lambda extracts every layer into the one /opt, in order: a later layer's file replaces an earlier one's.
        Map<String, Path> opt = new TreeMap<>();
        for (String layerId : function.layers()) {
            SamTemplate.LayerDef layer = template.layer(layerId).orElseThrow(() -> new IllegalStateException(
                    function.logicalId() + " names layer " + layerId + ", which is not an AWS::Serverless::LayerVersion"
                            + " of template.yaml; the local stack can only load layers this repository builds"));
            opt.putAll(jars(unpack(artifact(root, layer.contentUri(), layerId + " (ContentUri)")).resolve("java/lib")));
        }
        classpath.addAll(opt.values());
        return new FunctionCode(function.logicalId(), classpath);
    }

    public String functionId() {
        return functionId;
    }

    /** The unpacked function zip (a directory), its lib/ jars, then the layers' java/lib jars. */
    public List<Path> classpath() {
        return classpath;
    }

    /**
     * A class loader of this code whose parent offers only the JDK and {@link #FROM_THE_STACK}: whatever
     * the zip and the layers do not hold cannot be loaded. One per class path in this JVM, so stacks started
     * one after another (the tests) initialise each function's libraries once.
     */
    public ClassLoader classLoader() {
        return LOADERS.computeIfAbsent(classpath, cp -> {
            URL[] urls = cp.stream().map(FunctionCode::url).toArray(URL[]::new);
            URLClassLoader loader = new URLClassLoader("function:" + functionId, urls,
                    new StackInterfaces(FunctionCode.class.getClassLoader()));
            registerJdbcDrivers(loader);
            return loader;
        });
    }

    /**
     * DriverManager hands a caller only the drivers its own class loader can see, and finds drivers once per
     * JVM, through the context class loader of the moment: in Lambda that is the function's, here it was the
     * stack's. Loading the code's drivers registers them (each registers itself) for the function's callers.
     */
    private static void registerJdbcDrivers(ClassLoader loader) {
        ServiceLoader.load(Driver.class, loader).stream()
                .filter(provider -> provider.type().getClassLoader() == loader)
                .forEach(ServiceLoader.Provider::get);
    }

    /** Parent of every function's loader: JDK classes from the platform, the shared types from the stack. */
    private static final class StackInterfaces extends ClassLoader {
        private final ClassLoader stack;

        StackInterfaces(ClassLoader stack) {
            super("local-stack-interfaces", ClassLoader.getPlatformClassLoader());
            this.stack = stack;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            for (String prefix : FROM_THE_STACK) {
                if (name.startsWith(prefix)) {
                    return stack.loadClass(name);
                }
            }
            return super.loadClass(name, resolve);
        }
    }

    private static Path artifact(Path root, String uri, String what) {
        if (uri == null) {
            throw new IllegalStateException(what + " is not set in template.yaml");
        }
        Path zip = root.resolve(uri).normalize();
        if (!Files.isRegularFile(zip)) {
            throw new IllegalStateException(what + ": " + uri + " does not exist; build it with ./mvnw package");
        }
        return zip;
    }

    private static Map<String, Path> jars(Path dir) {
        Map<String, Path> jars = new TreeMap<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> f.getFileName().toString().endsWith(".jar")).forEach(f -> jars.put(f.getFileName().toString(), f));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return jars;
    }

    /** The zip's contents in a directory of this JVM's scratch area, unpacked again only when the zip changes. */
    private static Path unpack(Path zip) {
        try {
            String key = zip.toAbsolutePath() + "@" + Files.getLastModifiedTime(zip).toMillis() + "/" + Files.size(zip);
            return UNPACKED.computeIfAbsent(key, k -> {
                try {
                    Path into = Files.createTempDirectory(scratch(), zip.getFileName().toString().replace(".zip", "-"));
                    extract(zip, into);
                    return into;
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot unpack " + zip, e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + zip, e);
        }
    }

    private static synchronized Path scratch() throws IOException {
        if (scratch == null) {
            Path dir = Files.createTempDirectory("realstaging-functions-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
            scratch = dir;
        }
        return scratch;
    }

    static void extract(Path zip, Path into) throws IOException {
        try (InputStream file = Files.newInputStream(zip); ZipInputStream in = new ZipInputStream(file)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                Path target = into.resolve(e.getName()).normalize();
                if (!target.startsWith(into)) {
                    throw new IOException("zip entry outside its directory: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(in, target);
                }
            }
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // the JVM is exiting; a leftover temp directory is all that is lost
        }
    }

    private static URL url(Path path) {
        try {
            return path.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }
}
