package dev.flyteplugin.jflyte.bench;

import dev.flyteplugin.jflyte.JflyteTestRun;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * How long {@code jflyte serialize workflows} takes on a large project: generates (and compiles)
 * 1,000 runnable tasks and 100 workflows of 10 nodes each, packs them as a jar directory, then
 * serializes it in this JVM (first run and warm runs) and, when the distribution was built, as the
 * {@code bin/jflyte} process a user runs. Prints the figures with the target; asserts nothing.
 *
 * <pre>
 * mvn -B -ntp -pl jflyte-registration -am install -DskipTests
 * cd jflyte-registration && mvn -B -ntp -Pbench test-compile exec:java
 * </pre>
 */
public final class SerializeBenchmark {
  static final int TASKS = 1_000;
  static final int WORKFLOWS = 100;
  static final double TARGET_SECONDS = 3.0;

  private SerializeBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path work = Files.createTempDirectory("jflyte-serialize-bench");
    long start = System.nanoTime();
    Path jars = generateProject(work);
    System.out.printf(
        "generated and compiled %d tasks and %d workflows in %.1f s%n",
        TASKS, WORKFLOWS, seconds(start));

    List<Double> inProcess = new ArrayList<>();
    for (int run = 0; run < 4; run++) {
      Path out = work.resolve("out-" + run);
      long t = System.nanoTime();
      int exit = serializeInProcess(jars, out);
      inProcess.add(seconds(t));
      if (exit != 0) {
        throw new IllegalStateException("serialize failed with exit code " + exit);
      }
      try (Stream<Path> files = Files.list(out)) {
        if (run == 0) {
          System.out.printf("serialize wrote %d files%n", files.count());
        }
      }
    }
    System.out.printf(
        "jflyte serialize, in-process: first %.2f s, warm %.2f / %.2f / %.2f s%n",
        inProcess.get(0), inProcess.get(1), inProcess.get(2), inProcess.get(3));

    Path launcher = Path.of("target", "jflyte", "bin", "jflyte").toAbsolutePath();
    if (Files.isExecutable(launcher)) {
      List<Double> process = new ArrayList<>();
      for (int run = 0; run < 3; run++) {
        long t = System.nanoTime();
        Process p =
            new ProcessBuilder(
                    launcher.toString(),
                    "serialize",
                    "workflows",
                    "-cp",
                    jars.toString(),
                    "-f",
                    work.resolve("process-" + run).toString(),
                    "--image",
                    "bench:1")
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("process-" + run + ".log").toFile())
                .start();
        if (p.waitFor() != 0) {
          throw new IllegalStateException(
              "bin/jflyte failed: " + Files.readString(work.resolve("process-" + run + ".log")));
        }
        process.add(seconds(t));
      }
      System.out.printf(
          "jflyte serialize, bin/jflyte process (JVM start included): %.2f / %.2f / %.2f s"
              + " (target <= %.1f s): %s%n",
          process.get(0),
          process.get(1),
          process.get(2),
          TARGET_SECONDS,
          median(process) <= TARGET_SECONDS ? "met" : "MISSED");
    } else {
      System.out.printf(
          "(no %s: build the distribution to time the process a user runs)%n", launcher);
      System.out.printf(
          "target <= %.1f s, warm in-process median %.2f s%n",
          TARGET_SECONDS, median(inProcess.subList(1, inProcess.size())));
    }
  }

  private static int serializeInProcess(Path jars, Path out) {
    JflyteTestRun run =
        JflyteTestRun.run(
            Map.of("FLYTE_INTERNAL_IMAGE", "bench:1"),
            "serialize",
            "workflows",
            "-cp",
            jars.toString(),
            "-f",
            out.toString());
    if (run.exitCode() != 0) {
      System.err.println(run.err());
    }
    return run.exitCode();
  }

  /** Sources, compiled classes and service files of the generated project, as a jar directory. */
  static Path generateProject(Path work) throws IOException {
    Path src = work.resolve("src/bench");
    Path classes = work.resolve("classes");
    Files.createDirectories(src);
    Files.createDirectories(classes.resolve("META-INF/services"));
    List<String> tasks = new ArrayList<>();
    List<String> workflows = new ArrayList<>();
    for (int i = 0; i < TASKS; i++) {
      String name = String.format("Task%04d", i);
      tasks.add("bench." + name);
      Files.writeString(src.resolve(name + ".java"), task(name, i), StandardCharsets.UTF_8);
    }
    int perWorkflow = TASKS / WORKFLOWS;
    for (int w = 0; w < WORKFLOWS; w++) {
      String name = String.format("Workflow%03d", w);
      workflows.add("bench." + name);
      Files.writeString(
          src.resolve(name + ".java"),
          workflow(name, w * perWorkflow, perWorkflow),
          StandardCharsets.UTF_8);
    }
    Files.write(classes.resolve("META-INF/services/org.flyte.flytekit.SdkRunnableTask"), tasks);
    Files.write(classes.resolve("META-INF/services/org.flyte.flytekit.SdkWorkflow"), workflows);

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> options = new ArrayList<>();
    options.addAll(List.of("-d", classes.toString(), "-cp", classPath(), "-proc:none", "-nowarn"));
    try (Stream<Path> files = Files.list(src)) {
      files.map(Path::toString).forEach(options::add);
    }
    int exit = javac.run(null, null, System.err, options.toArray(String[]::new));
    if (exit != 0) {
      throw new IllegalStateException("javac failed on the generated project");
    }
    Path jars = work.resolve("jars");
    Files.createDirectories(jars);
    try (JarOutputStream jar =
            new JarOutputStream(Files.newOutputStream(jars.resolve("bench.jar")));
        Stream<Path> files = Files.walk(classes)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        jar.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
        jar.write(Files.readAllBytes(file));
        jar.closeEntry();
      }
    }
    // The SDK jars, as a task image's jar directory holds them beside the user's.
    Arrays.stream(classPath().split(File.pathSeparator))
        .map(Path::of)
        .filter(p -> p.getFileName().toString().matches("(flytekit|jackson|auto-value).*\\.jar"))
        .forEach(
            p -> {
              try {
                Files.copy(p, jars.resolve(p.getFileName()));
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    return jars;
  }

  private static String task(String name, int i) {
    return "package bench;\n"
        + "import org.flyte.flytekit.*;\n"
        + "public class "
        + name
        + " extends SdkRunnableTask<SdkBindingData<Long>, SdkBindingData<Long>> {\n"
        + "  private static final long serialVersionUID = 1L;\n"
        + "  public "
        + name
        + "() { super(SdkTypes.of(SdkLiteralTypes.integers(), \"x\"),"
        + " SdkTypes.of(SdkLiteralTypes.integers(), \"y\")); }\n"
        + "  @Override public SdkBindingData<Long> run(SdkBindingData<Long> in) {"
        + " return SdkBindingDataFactory.of(in.get() + "
        + i
        + "L); }\n"
        + "}\n";
  }

  private static String workflow(String name, int firstTask, int count) {
    StringBuilder body = new StringBuilder();
    body.append("    SdkBindingData<Long> v = x;\n");
    for (int t = firstTask; t < firstTask + count; t++) {
      body.append(
          String.format(
              "    v = builder.apply(\"n%d\", new Task%04d(), v).getOutputs();%n",
              t - firstTask, t));
    }
    return "package bench;\n"
        + "import org.flyte.flytekit.*;\n"
        + "public class "
        + name
        + " extends SdkWorkflow<SdkBindingData<Long>, SdkBindingData<Long>> {\n"
        + "  public "
        + name
        + "() { super(SdkTypes.of(SdkLiteralTypes.integers(), \"x\"),"
        + " SdkTypes.of(SdkLiteralTypes.integers(), \"y\")); }\n"
        + "  @Override protected SdkBindingData<Long> expand(SdkWorkflowBuilder builder,"
        + " SdkBindingData<Long> x) {\n"
        + body
        + "    return v;\n"
        + "  }\n"
        + "}\n";
  }

  /** This program's class path: exec:java runs it in a class loader of its own. */
  private static String classPath() {
    if (Thread.currentThread().getContextClassLoader() instanceof java.net.URLClassLoader urls) {
      return Arrays.stream(urls.getURLs())
          .map(
              u -> {
                try {
                  return Path.of(u.toURI()).toString();
                } catch (java.net.URISyntaxException e) {
                  throw new IllegalStateException(e);
                }
              })
          .collect(java.util.stream.Collectors.joining(File.pathSeparator));
    }
    return System.getProperty("java.class.path");
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}
