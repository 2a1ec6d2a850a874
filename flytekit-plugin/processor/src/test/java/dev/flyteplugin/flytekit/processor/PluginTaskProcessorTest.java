package dev.flyteplugin.flytekit.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.auto.service.processor.AutoServiceProcessor;
import com.google.protobuf.Api;
import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import dev.flyteplugin.flytekit.AnnotationConfigMapper;
import dev.flyteplugin.flytekit.ExamplePluginRunnableTask;
import dev.flyteplugin.flytekit.ExamplePluginTask;
import dev.flyteplugin.flytekit.Structs;
import dev.flyteplugin.flytekit.processor.otherplugin.ApiContract;
import dev.flyteplugin.proto.ConfigViolation;
import dev.flyteplugin.proto.example.ExamplePlugin;
import dev.flyteplugin.proto.example.v1.RestartPolicy;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.tools.JavaFileObject;
import javax.tools.StandardLocation;
import org.flyte.api.v1.RunnableTask;
import org.flyte.api.v1.TaskIdentifier;
import org.flyte.flytekit.SdkRunnableTaskRegistrar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginTaskProcessorTest {
  private static final String SERVICES_FILE =
      "META-INF/services/org.flyte.flytekit.SdkRunnableTask";
  private static final Map<String, String> ENV =
      Map.of(
          "FLYTE_INTERNAL_PROJECT", "project",
          "FLYTE_INTERNAL_DOMAIN", "development",
          "FLYTE_INTERNAL_VERSION", "v1");

  @TempDir Path classes;

  @Test
  void goodConfigCompilesCleanAndIsDiscoveredWithPlainTasksOfTheSameModule() throws Exception {
    Compilation compilation =
        compile(
            pluginTask(
                "CountWords",
                "sparkVersion = \"3.5.1\", executorInstances = 4, executorMemory = \"4g\",\n"
                    + "    sparkConf = {@Conf(key = \"spark.sql.shuffle.partitions\","
                    + " value = \"64\")}"),
            pluginTask(
                "SumWords",
                "sparkVersion = \"3.4.0\", driverMemory = \"2g\","
                    + " restartPolicy = RestartPolicy.Type.ON_FAILURE, onFailureRetries = 1"),
            plainTask("PlainTask"));

    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation)
        .generatedFile(StandardLocation.CLASS_OUTPUT, SERVICES_FILE)
        .contentsAsUtf8String()
        .contains("com.example.CountWords");

    try (URLClassLoader loader = load(compilation)) {
      assertThat(servicesLines(loader))
          .containsExactlyInAnyOrder(
              "com.example.CountWords", "com.example.SumWords", "com.example.PlainTask");

      Map<String, RunnableTask> tasks = byName(new SdkRunnableTaskRegistrar().load(ENV, loader));
      assertThat(tasks)
          .containsOnlyKeys(
              "com.example.CountWords", "com.example.SumWords", "com.example.PlainTask");
      assertThat(tasks.get("com.example.PlainTask").getType()).isEqualTo("java-task");
      assertThat(tasks.get("com.example.CountWords").getType()).isEqualTo("example_plugin");

      SparkApplicationConfig countWords = sparkConfig(tasks.get("com.example.CountWords"));
      assertThat(countWords.getSparkVersion()).isEqualTo("3.5.1");
      assertThat(countWords.getExecutor().getInstances()).isEqualTo(4);
      assertThat(countWords.getExecutor().getMemory()).isEqualTo("4g");
      assertThat(countWords.getSparkConfMap())
          .containsExactly(Map.entry("spark.sql.shuffle.partitions", "64"));
      assertThat(instanceConfig(loader.loadClass("com.example.CountWords"))).isEqualTo(countWords);
      assertThat(sparkConfig(tasks.get("com.example.SumWords")).getDriver().getMemory())
          .isEqualTo("2g");
      assertThat(sparkConfig(tasks.get("com.example.SumWords")).getRestartPolicy())
          .isEqualTo(
              RestartPolicy.newBuilder()
                  .setType(RestartPolicy.Type.ON_FAILURE)
                  .setOnFailureRetries(1)
                  .build());
    }
  }

  @Test
  void executorInstancesBelowOneFailsOnTheAttributeWithTheRuntimeMessage() {
    JavaFileObject source =
        pluginTask("CountWords", "sparkVersion = \"3.5.1\",\n    executorInstances = 0");

    Compilation compilation = compile(source);

    assertThat(compilation).failed();
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation)
        .hadErrorContaining(
            "invalid @ExamplePluginTask: executorInstances: must be at least 1, got 0;"
                + " ask for at least one executor")
        .inFile(source)
        .onLineContaining("executorInstances = 0");
    // The runtime check of the same annotation says the same.
    assertThat(compilation)
        .hadErrorContaining(
            runtimeMessage(ZeroExecutors.class.getAnnotation(ExamplePluginTask.class)));
  }

  @Test
  void memoryThatIsNotASparkQuantityFailsOnTheAttribute() {
    JavaFileObject source =
        pluginTask("CountWords", "sparkVersion = \"3.5.1\",\n    executorMemory = \"4Gi\"");

    Compilation compilation = compile(source);

    assertThat(compilation)
        .hadErrorContaining(
            "executorMemory: \"4Gi\" is not a Spark memory size; write a number with a unit")
        .inFile(source)
        .onLineContaining("executorMemory = \"4Gi\"");
    assertThat(compilation).hadErrorContaining("Spark does not read Kubernetes' \"4Gi\"");
  }

  @Test
  void blankSparkVersionFailsAsMissing() {
    JavaFileObject source = pluginTask("CountWords", "sparkVersion = \" \"");

    Compilation compilation = compile(source);

    assertThat(compilation)
        .hadErrorContaining("sparkVersion: is required and missing; give the Spark version")
        .inFile(source)
        .onLineContaining("sparkVersion = \" \"");
  }

  @Test
  void malformedSparkVersionFailsWithTheExpectedForm() {
    JavaFileObject source = pluginTask("CountWords", "sparkVersion = \"three\"");

    Compilation compilation = compile(source);

    assertThat(compilation)
        .hadErrorContaining(
            "sparkVersion: \"three\" is not a Spark version; write it as major.minor[.patch]")
        .inFile(source)
        .onLineContaining("sparkVersion = \"three\"");
  }

  @Test
  void duplicateConfKeyFailsOnTheSecondEntry() {
    JavaFileObject source =
        pluginTask(
            "CountWords",
            "sparkVersion = \"3.5.1\",\n"
                + "    sparkConf = {\n"
                + "      @Conf(key = \"spark.a\", value = \"1\"),\n"
                + "      @Conf(key = \"spark.a\", value = \"2\")\n"
                + "    }");

    Compilation compilation = compile(source);

    assertThat(compilation)
        .hadErrorContaining(
            "sparkConf[\"spark.a\"]: the key is given twice (values \"1\" and \"2\");"
                + " keep one @Conf per key")
        .inFile(source)
        .onLineContaining("value = \"2\"");
  }

  @Test
  void ruleSpanningAttributesPointsAtTheAttributeTheValidatorNames() {
    JavaFileObject source =
        pluginTask(
            "CountWords",
            "sparkVersion = \"3.5.1\",\n"
                + "    restartPolicy = RestartPolicy.Type.NEVER,\n"
                + "    onFailureRetries = 2");

    Compilation compilation = compile(source);

    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation)
        .hadErrorContaining(
            "restartPolicy: NEVER does not retry, but retries are set; use ON_FAILURE to retry,"
                + " or remove the retry counts")
        .inFile(source)
        .onLineContaining("restartPolicy = RestartPolicy.Type.NEVER");
  }

  @Test
  void everyViolationIsReportedAtOnce() {
    Compilation compilation =
        compile(
            pluginTask(
                "CountWords",
                "sparkVersion = \"3.5.1\", executorCores = 0, driverCores = -2,"
                    + " timeToLiveSeconds = 0"));

    assertThat(compilation).hadErrorCount(3);
    assertThat(compilation).hadErrorContaining("executorCores: must be at least 1, got 0");
    assertThat(compilation).hadErrorContaining("driverCores: must be at least 1, got -2");
    assertThat(compilation).hadErrorContaining("timeToLiveSeconds: must be at least 1, got 0");
  }

  @Test
  void classThatIsNotARunnableTaskFails() {
    JavaFileObject source =
        JavaFileObjects.forSourceLines(
            "com.example.NotATask",
            "package com.example;",
            "import dev.flyteplugin.flytekit.ExamplePluginTask;",
            "@ExamplePluginTask(sparkVersion = \"3.5.1\")",
            "public class NotATask {}");

    Compilation compilation = compile(source);

    assertThat(compilation)
        .hadErrorContaining(
            "com.example.NotATask is not a runnable task: extend"
                + " ExamplePluginRunnableTask<Input, Output>")
        .inFile(source)
        .onLineContaining("@ExamplePluginTask");
  }

  @Test
  void annotationOnAnInterfaceFails() {
    JavaFileObject source =
        JavaFileObjects.forSourceLines(
            "com.example.Tasky",
            "package com.example;",
            "import dev.flyteplugin.flytekit.ExamplePluginTask;",
            "@ExamplePluginTask(sparkVersion = \"3.5.1\")",
            "public interface Tasky {}");

    assertThat(compile(source))
        .hadErrorContaining("@ExamplePluginTask goes on a class, not on an interface Tasky")
        .inFile(source)
        .onLineContaining("@ExamplePluginTask");
  }

  @Test
  void plainSdkRunnableTaskFailsBecauseItWouldNotCarryThePluginType() {
    JavaFileObject source =
        JavaFileObjects.forSourceLines(
            "com.example.PlainAnnotated",
            "package com.example;",
            "import com.google.auto.service.AutoService;",
            "import dev.flyteplugin.flytekit.ExamplePluginTask;",
            "import org.flyte.flytekit.SdkRunnableTask;",
            "import org.flyte.flytekit.SdkTypes;",
            "@AutoService(SdkRunnableTask.class)",
            "@ExamplePluginTask(sparkVersion = \"3.5.1\")",
            "public class PlainAnnotated extends SdkRunnableTask<Void, Void> {",
            "  public PlainAnnotated() { super(SdkTypes.nulls(), SdkTypes.nulls()); }",
            "  @Override public Void run(Void input) { return null; }",
            "}");

    assertThat(compile(source))
        .hadErrorContaining(
            "com.example.PlainAnnotated extends SdkRunnableTask but not"
                + " ExamplePluginRunnableTask");
  }

  @Test
  void taskWithoutPublicNoArgumentConstructorFails() {
    JavaFileObject source =
        JavaFileObjects.forSourceLines(
            "com.example.NeedsArgs",
            "package com.example;",
            "import com.google.auto.service.AutoService;",
            "import dev.flyteplugin.flytekit.ExamplePluginRunnableTask;",
            "import dev.flyteplugin.flytekit.ExamplePluginTask;",
            "import org.flyte.flytekit.SdkRunnableTask;",
            "import org.flyte.flytekit.SdkTypes;",
            "@AutoService(SdkRunnableTask.class)",
            "@ExamplePluginTask(sparkVersion = \"3.5.1\")",
            "public class NeedsArgs extends ExamplePluginRunnableTask<Void, Void> {",
            "  public NeedsArgs(String name) { super(SdkTypes.nulls(), SdkTypes.nulls()); }",
            "  @Override protected Void run(org.apache.spark.sql.SparkSession spark, Void input) { return null; }",
            "}");

    Compilation compilation = compile(source);

    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation)
        .hadErrorContaining(
            "com.example.NeedsArgs has no public no-argument constructor, which ServiceLoader"
                + " and jflyte use to create the task: add public NeedsArgs()")
        .inFile(source)
        .onLineContaining("@ExamplePluginTask");
  }

  @Test
  void abstractAnnotatedBaseSharesItsConfigWithRegisteredSubclasses() throws Exception {
    Compilation compilation =
        compile(
            sharedBase("sparkVersion = \"3.5.1\", executorInstances = 3"),
            subclassOfBase("Registered", true));

    assertThat(compilation).succeededWithoutWarnings();
    try (URLClassLoader loader = load(compilation)) {
      Map<String, RunnableTask> tasks = byName(new SdkRunnableTaskRegistrar().load(ENV, loader));
      assertThat(tasks).containsOnlyKeys("com.example.Registered");
      assertThat(sparkConfig(tasks.get("com.example.Registered")).getExecutor().getInstances())
          .isEqualTo(3);
    }
  }

  @Test
  void subclassInheritingTheAnnotationMustBeRegisteredToo() {
    Compilation compilation =
        compile(sharedBase("sparkVersion = \"3.5.1\""), subclassOfBase("Forgotten", false));

    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation).hadErrorContaining("com.example.Forgotten is not registered");
  }

  @Test
  void invalidConfigOfAnAbstractBaseIsReportedOnceOnTheBase() {
    JavaFileObject base = sharedBase("sparkVersion = \"3.5.1\", executorInstances = -1");

    Compilation compilation = compile(base, subclassOfBase("Registered", true));

    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation)
        .hadErrorContaining("executorInstances: must be at least 1, got -1")
        .inFile(base)
        .onLineContaining("executorInstances = -1");
  }

  private static JavaFileObject sharedBase(String attributes) {
    return JavaFileObjects.forSourceLines(
        "com.example.Base",
        "package com.example;",
        "import dev.flyteplugin.flytekit.ExamplePluginRunnableTask;",
        "import dev.flyteplugin.flytekit.ExamplePluginTask;",
        "import org.flyte.flytekit.SdkTypes;",
        "@ExamplePluginTask(" + attributes + ")",
        "public abstract class Base extends ExamplePluginRunnableTask<Void, Void> {",
        "  protected Base() { super(SdkTypes.nulls(), SdkTypes.nulls()); }",
        "}");
  }

  private static JavaFileObject subclassOfBase(String name, boolean registered) {
    return JavaFileObjects.forSourceLines(
        "com.example." + name,
        "package com.example;",
        "import com.google.auto.service.AutoService;",
        "import org.flyte.flytekit.SdkRunnableTask;",
        registered ? "@AutoService(SdkRunnableTask.class)" : "",
        "@SuppressWarnings(\"rawtypes\")",
        "public class " + name + " extends Base {",
        "  @Override protected Void run(org.apache.spark.sql.SparkSession spark, Void input) { return null; }",
        "}");
  }

  @Test
  void forgottenRegistrationIsACompileError() {
    JavaFileObject source =
        JavaFileObjects.forSourceLines(
            "com.example.Unregistered",
            "package com.example;",
            "import dev.flyteplugin.flytekit.ExamplePluginRunnableTask;",
            "import dev.flyteplugin.flytekit.ExamplePluginTask;",
            "import org.flyte.flytekit.SdkTypes;",
            "@ExamplePluginTask(sparkVersion = \"3.5.1\")",
            "public class Unregistered extends ExamplePluginRunnableTask<Void, Void> {",
            "  public Unregistered() { super(SdkTypes.nulls(), SdkTypes.nulls()); }",
            "  @Override protected Void run(org.apache.spark.sql.SparkSession spark, Void input) { return null; }",
            "}");

    Compilation compilation = compile(source);

    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation)
        .hadErrorContaining(
            "com.example.Unregistered is not registered, so flytekit-java would never discover"
                + " it: add @AutoService(SdkRunnableTask.class)")
        .inFile(source)
        .onLineContaining("@ExamplePluginTask");
  }

  @Test
  void registrationForAnotherServiceOnlyStillFails() {
    JavaFileObject source =
        JavaFileObjects.forSourceLines(
            "com.example.WrongService",
            "package com.example;",
            "import com.google.auto.service.AutoService;",
            "import dev.flyteplugin.flytekit.ExamplePluginRunnableTask;",
            "import dev.flyteplugin.flytekit.ExamplePluginTask;",
            "import org.flyte.flytekit.SdkTypes;",
            "@AutoService(Object.class)",
            "@ExamplePluginTask(sparkVersion = \"3.5.1\")",
            "public class WrongService extends ExamplePluginRunnableTask<Void, Void> {",
            "  public WrongService() { super(SdkTypes.nulls(), SdkTypes.nulls()); }",
            "  @Override protected Void run(org.apache.spark.sql.SparkSession spark, Void input) { return null; }",
            "}");

    assertThat(compile(source)).hadErrorContaining("com.example.WrongService is not registered");
  }

  @Test
  void unregisteredTaskWithComputedConfigGetsAWarning() {
    JavaFileObject source =
        JavaFileObjects.forSourceLines(
            "com.example.Computed",
            "package com.example;",
            "import dev.flyteplugin.flytekit.ExamplePluginRunnableTask;",
            "import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;",
            "import org.flyte.flytekit.SdkTypes;",
            "public class Computed extends ExamplePluginRunnableTask<Void, Void> {",
            "  public Computed() { super(SdkTypes.nulls(), SdkTypes.nulls()); }",
            "  @Override public SparkApplicationConfig getSparkConfig() {",
            "    return SparkApplicationConfig.newBuilder().setSparkVersion(\"3.5.1\").build();",
            "  }",
            "  @Override protected Void run(org.apache.spark.sql.SparkSession spark, Void input) { return null; }",
            "}");

    Compilation compilation = compile(source);

    assertThat(compilation).succeeded();
    assertThat(compilation)
        .hadWarningContaining(
            "com.example.Computed extends ExamplePluginRunnableTask but is not registered")
        .inFile(source)
        .onLineContaining("public class Computed");
  }

  @Test
  void nonStaticNestedTaskFails() {
    JavaFileObject source =
        JavaFileObjects.forSourceLines(
            "com.example.Outer",
            "package com.example;",
            "import com.google.auto.service.AutoService;",
            "import dev.flyteplugin.flytekit.ExamplePluginRunnableTask;",
            "import dev.flyteplugin.flytekit.ExamplePluginTask;",
            "import org.flyte.flytekit.SdkRunnableTask;",
            "import org.flyte.flytekit.SdkTypes;",
            "public class Outer {",
            "  @AutoService(SdkRunnableTask.class)",
            "  @ExamplePluginTask(sparkVersion = \"3.5.1\")",
            "  public class Inner extends ExamplePluginRunnableTask<Void, Void> {",
            "    public Inner() { super(SdkTypes.nulls(), SdkTypes.nulls()); }",
            "    @Override protected Void run(org.apache.spark.sql.SparkSession spark, Void input) { return null; }",
            "  }",
            "}");

    assertThat(compile(source))
        .hadErrorContaining("com.example.Outer.Inner must be public (and static if nested)");
  }

  @Test
  void anyMarkedAnnotationIsCheckedWithItsOwnContractAndBase() throws Exception {
    JavaFileObject good = apiTask("GoodApi", "name = \"orders\", version = \"v2\"");
    JavaFileObject bad =
        apiTask("BadApi", "name = \" \",\n    version = \"2.0\",\n    file = \"orders.txt\"");

    Compilation badCompilation = compile(bad);
    assertThat(badCompilation).hadErrorCount(3);
    assertThat(badCompilation)
        .hadErrorContaining("invalid @ApiPluginTask: version: \"2.0\" is not a version; write v1")
        .inFile(bad)
        .onLineContaining("version = \"2.0\"");
    assertThat(badCompilation)
        .hadErrorContaining("invalid @ApiPluginTask: file: \"orders.txt\" is not a .proto file")
        .inFile(bad)
        .onLineContaining("file = \"orders.txt\"");
    assertThat(badCompilation)
        .hadErrorContaining("invalid @ApiPluginTask: name: is required and missing")
        .inFile(bad)
        .onLineContaining("name = \" \"");

    Compilation compilation = compile(good);
    assertThat(compilation).succeededWithoutWarnings();
    try (URLClassLoader loader = load(compilation)) {
      RunnableTask task =
          byName(new SdkRunnableTaskRegistrar().load(ENV, loader)).get("com.example.GoodApi");
      assertThat(task.getType()).isEqualTo("api_plugin");
      assertThat(new ApiContract().decode(Structs.toProtobuf(task.getCustom())))
          .isEqualTo(Api.newBuilder().setName("orders").setVersion("v2").build());
    }
  }

  @Test
  void aPlainTaskWithAnotherPluginsAnnotationIsToldThatPluginsBase() {
    JavaFileObject source =
        JavaFileObjects.forSourceLines(
            "com.example.PlainApi",
            "package com.example;",
            "import com.google.auto.service.AutoService;",
            "import dev.flyteplugin.flytekit.processor.otherplugin.ApiPluginTask;",
            "import org.flyte.flytekit.SdkRunnableTask;",
            "import org.flyte.flytekit.SdkTypes;",
            "@AutoService(SdkRunnableTask.class)",
            "@ApiPluginTask(name = \"orders\")",
            "public class PlainApi extends SdkRunnableTask<Void, Void> {",
            "  public PlainApi() { super(SdkTypes.nulls(), SdkTypes.nulls()); }",
            "  @Override public Void run(Void input) { return null; }",
            "}");

    assertThat(compile(source))
        .hadErrorContaining(
            "com.example.PlainApi extends SdkRunnableTask but not ApiRunnableTask, so its"
                + " TaskTemplate would not get type api_plugin and its config: extend"
                + " ApiRunnableTask<Input, Output> instead");
  }

  @Test
  void anAnnotationNotOnTheProcessorPathGetsItsShapeCheckedAndAWarning() {
    // Compiled in the same compilation, the annotation's class cannot be loaded by the processor.
    JavaFileObject annotation =
        JavaFileObjects.forSourceLines(
            "com.example.LocalTask",
            "package com.example;",
            "import dev.flyteplugin.flytekit.PluginTaskAnnotation;",
            "import dev.flyteplugin.flytekit.processor.otherplugin.ApiContract;",
            "import dev.flyteplugin.flytekit.processor.otherplugin.ApiRunnableTask;",
            "@PluginTaskAnnotation(contract = ApiContract.class, base = ApiRunnableTask.class)",
            "@java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)",
            "public @interface LocalTask { String name(); }");
    JavaFileObject task =
        JavaFileObjects.forSourceLines(
            "com.example.Local",
            "package com.example;",
            "import dev.flyteplugin.flytekit.processor.otherplugin.ApiRunnableTask;",
            "import org.flyte.flytekit.SdkTypes;",
            "@LocalTask(name = \"\")",
            "public class Local extends ApiRunnableTask<Void, Void> {",
            "  public Local() { super(SdkTypes.nulls(), SdkTypes.nulls()); }",
            "  @Override public Void run(Void input) { return null; }",
            "}");

    Compilation compilation = compile(annotation, task);

    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation).hadErrorContaining("com.example.Local is not registered");
    assertThat(compilation)
        .hadWarningContaining(
            "the config of @LocalTask is not checked at compile time: com.example.LocalTask is not"
                + " on the annotation processor path")
        .inFile(task)
        .onLineContaining("@LocalTask");
  }

  private static JavaFileObject apiTask(String name, String attributes) {
    return JavaFileObjects.forSourceString(
        "com.example." + name,
        String.join(
            "\n",
            "package com.example;",
            "import com.google.auto.service.AutoService;",
            "import dev.flyteplugin.flytekit.processor.otherplugin.ApiPluginTask;",
            "import dev.flyteplugin.flytekit.processor.otherplugin.ApiRunnableTask;",
            "import org.flyte.flytekit.SdkRunnableTask;",
            "import org.flyte.flytekit.SdkTypes;",
            "@AutoService(SdkRunnableTask.class)",
            "@SuppressWarnings(\"rawtypes\")",
            "@ApiPluginTask(",
            "    " + attributes + ")",
            "public class " + name + " extends ApiRunnableTask<Void, Void> {",
            "  public " + name + "() { super(SdkTypes.nulls(), SdkTypes.nulls()); }",
            "  @Override public Void run(Void input) { return null; }",
            "}"));
  }

  private static Compilation compile(JavaFileObject... sources) {
    return Compiler.javac()
        .withProcessors(new PluginTaskProcessor(), new AutoServiceProcessor())
        .compile(sources);
  }

  private static String runtimeMessage(ExamplePluginTask annotation) {
    List<ConfigViolation> violations =
        AnnotationConfigMapper.forAnnotationType(ExamplePluginTask.class).violations(annotation);
    assertThat(violations).hasSize(1);
    return violations.get(0).message();
  }

  @ExamplePluginTask(sparkVersion = "3.5.1", executorInstances = 0)
  private static final class ZeroExecutors {}

  private static JavaFileObject pluginTask(String name, String attributes) {
    return JavaFileObjects.forSourceString(
        "com.example." + name,
        String.join(
            "\n",
            "package com.example;",
            "import com.google.auto.service.AutoService;",
            "import dev.flyteplugin.flytekit.ExamplePluginRunnableTask;",
            "import dev.flyteplugin.flytekit.ExamplePluginTask;",
            "import dev.flyteplugin.flytekit.ExamplePluginTask.Conf;",
            "import dev.flyteplugin.proto.example.v1.RestartPolicy;",
            "import org.flyte.flytekit.SdkRunnableTask;",
            "import org.flyte.flytekit.SdkTypes;",
            "@AutoService(SdkRunnableTask.class)",
            "@SuppressWarnings(\"rawtypes\") // auto-service: SdkRunnableTask is generic",
            "@ExamplePluginTask(",
            "    " + attributes + ")",
            "public class " + name + " extends ExamplePluginRunnableTask<Void, Void> {",
            "  public " + name + "() { super(SdkTypes.nulls(), SdkTypes.nulls()); }",
            "  @Override protected Void run(org.apache.spark.sql.SparkSession spark, Void input) { return null; }",
            "}"));
  }

  private static JavaFileObject plainTask(String name) {
    return JavaFileObjects.forSourceString(
        "com.example." + name,
        String.join(
            "\n",
            "package com.example;",
            "import com.google.auto.service.AutoService;",
            "import org.flyte.flytekit.SdkRunnableTask;",
            "import org.flyte.flytekit.SdkTypes;",
            "@AutoService(SdkRunnableTask.class)",
            "@SuppressWarnings(\"rawtypes\")",
            "public class " + name + " extends SdkRunnableTask<Void, Void> {",
            "  public " + name + "() { super(SdkTypes.nulls(), SdkTypes.nulls()); }",
            "  @Override public Void run(Void input) { return null; }",
            "}"));
  }

  /** Writes the compiled classes and resources to a directory and loads them from there. */
  private URLClassLoader load(Compilation compilation) throws IOException {
    for (JavaFileObject file : compilation.generatedFiles()) {
      String path = file.toUri().getPath();
      String prefix = "/" + StandardLocation.CLASS_OUTPUT.getName() + "/";
      if (!path.startsWith(prefix)) {
        continue;
      }
      Path target = classes.resolve(path.substring(prefix.length()));
      Files.createDirectories(target.getParent());
      try (InputStream in = file.openInputStream()) {
        Files.copy(in, target);
      }
    }
    return new URLClassLoader(
        new URL[] {classes.toUri().toURL()}, PluginTaskProcessorTest.class.getClassLoader());
  }

  private static List<String> servicesLines(ClassLoader loader) throws IOException {
    try (InputStream in = loader.getResourceAsStream(SERVICES_FILE)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(l -> !l.isBlank() && !l.startsWith("#"))
          .collect(Collectors.toList());
    }
  }

  /** The config a registered task carries, read back as the backend reads it. */
  private static SparkApplicationConfig sparkConfig(RunnableTask task) {
    assertThat(task.getType()).isEqualTo(ExamplePlugin.TASK_TYPE);
    return ExamplePlugin.decode(Structs.toProtobuf(task.getCustom()));
  }

  /** The config of a task class's instance, made as ServiceLoader makes it. */
  private static SparkApplicationConfig instanceConfig(Class<?> taskClass) throws Exception {
    return ((ExamplePluginRunnableTask<?, ?>) taskClass.getConstructor().newInstance())
        .getSparkConfig();
  }

  private static Map<String, RunnableTask> byName(Map<TaskIdentifier, RunnableTask> tasks) {
    return tasks.entrySet().stream()
        .collect(Collectors.toMap(e -> e.getKey().name(), Map.Entry::getValue));
  }
}
