package dev.flyteplugin.jflyte.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flyteplugin.jflyte.JflyteTestRun;
import dev.flyteplugin.jflyte.UserJars;
import dev.flyteplugin.jflyte.execute.ExecuteOutcome;
import dev.flyteplugin.jflyte.execute.Storage;
import dev.flyteplugin.jflyte.execute.TaskExecutor;
import dev.flyteplugin.jflyte.fixtures.DoubleTask;
import dev.flyteplugin.jflyte.stage.Artifact;
import dev.flyteplugin.jflyte.stage.JflyteCustom;
import flyteidl.admin.TaskOuterClass;
import flyteidl.core.Errors;
import flyteidl.core.Literals;
import flyteidl.core.Tasks;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * s3:// storage from the default distribution (jflyte-aws 0.4.35) and jar staging, against a real
 * S3-compatible server (moto) on loopback; no storage client is mocked.
 */
class S3StorageAndStagingTest {
  static MotoServer moto;
  static Map<String, String> env;

  @TempDir Path dir;

  @BeforeAll
  static void startS3() throws Exception {
    moto = MotoServer.start();
    moto.createBucket("jflyte");
    env = new HashMap<>(moto.awsEnv());
    env.put("FLYTE_INTERNAL_IMAGE", "ghcr.io/example/app:1");
  }

  @AfterAll
  static void stopS3() throws Exception {
    if (moto != null) {
      moto.close();
    }
  }

  @Test
  void executeReadsInputsAndWritesOutputsOnS3() throws Exception {
    Storage storage = Storage.load(getClass().getClassLoader(), env);
    storage.write("s3://jflyte/run-1/inputs.pb", inputs(21));

    ExecuteOutcome outcome =
        new TaskExecutor(getClass().getClassLoader(), env)
            .execute(
                args("s3://jflyte/run-1", "s3://jflyte/run-1/inputs.pb", "s3://jflyte/none.pb"));

    assertThat(outcome.succeeded()).as(String.valueOf(outcome.errorMessage())).isTrue();
    assertThat(outcome.documentUri()).isEqualTo("s3://jflyte/run-1/out/outputs.pb");
    assertThat(y(storage.read("s3://jflyte/run-1/out/outputs.pb"))).isEqualTo(42);
  }

  @Test
  void aFailingTaskWritesErrorPbOnS3() throws Exception {
    Storage storage = Storage.load(getClass().getClassLoader(), env);
    storage.write("s3://jflyte/run-2/inputs.pb", inputs(13));

    List<String> args =
        args("s3://jflyte/run-2", "s3://jflyte/run-2/inputs.pb", "s3://jflyte/none.pb");
    JflyteTestRun run = JflyteTestRun.run(env, args.subList(1, args.size()).toArray(String[]::new));

    assertThat(run.exitCode()).as(run.err()).isZero();
    Errors.ContainerError error =
        Errors.ErrorDocument.parseFrom(storage.read("s3://jflyte/run-2/out/error.pb")).getError();
    assertThat(error.getCode()).isEqualTo("USER:IllegalStateException");
    assertThat(error.getMessage()).contains("unlucky number 13");
  }

  @Test
  void unreadableS3InputsAreARecoverableSystemError() throws Exception {
    Storage storage = Storage.load(getClass().getClassLoader(), env);

    ExecuteOutcome outcome =
        new TaskExecutor(getClass().getClassLoader(), env)
            .execute(
                args("s3://jflyte/run-3", "s3://jflyte/run-3/missing.pb", "s3://jflyte/none.pb"));

    assertThat(outcome.succeeded()).isFalse();
    Errors.ContainerError error =
        Errors.ErrorDocument.parseFrom(storage.read("s3://jflyte/run-3/out/error.pb")).getError();
    assertThat(error.getCode()).startsWith("SYSTEM:");
    assertThat(error.getKind()).isEqualTo(Errors.ContainerError.Kind.RECOVERABLE);
  }

  @Test
  void stagedJarsTravelFromSerializeThroughS3ToExecute() throws Exception {
    Path jars = UserJars.build(dir.resolve("jars"));
    Path out = dir.resolve("out");

    JflyteTestRun serialize =
        JflyteTestRun.run(
            env,
            "serialize",
            "workflows",
            "-cp",
            jars.toString(),
            "-f",
            out.toString(),
            "--staging-location",
            "s3://jflyte/staging");
    assertThat(serialize.exitCode()).as(serialize.err()).isZero();
    assertThat(serialize.out())
        .contains("staged      fixtures.jar: uploaded to s3://jflyte/staging/fixtures-");

    // The artifact list in the template's custom, as flytekit-java 0.4.35 writes it.
    Tasks.TaskTemplate template = taskTemplate(out, DoubleTask.class.getName());
    List<Artifact> artifacts = JflyteCustom.fromCustom(template.getCustom()).orElseThrow();
    String expectedLocation =
        "s3://jflyte/staging/fixtures-" + md5Base64Url(jars.resolve("fixtures.jar")) + ".jar";
    assertThat(artifacts)
        .extracting(Artifact::name)
        .containsExactly("fixtures.jar", "flytekit-java.jar");
    assertThat(artifacts.get(0).location()).isEqualTo(expectedLocation);
    Storage storage = Storage.load(getClass().getClassLoader(), env);
    assertThat(storage.exists(expectedLocation)).isTrue();
    // Custom fields of the task itself survive the merge.
    assertThat(template.getCustom().getFieldsMap()).containsKey("jflyte");

    // Content addressing: a second staging uploads nothing.
    JflyteTestRun again =
        JflyteTestRun.run(
            env,
            "serialize",
            "workflows",
            "-cp",
            jars.toString(),
            "-f",
            dir.resolve("out2").toString(),
            "--staging-location",
            "s3://jflyte/staging");
    assertThat(again.out())
        .contains("staged      fixtures.jar: already at")
        .doesNotContain("uploaded");

    // Propeller's view: the template and the inputs in the bucket; execute with an image that has
    // no user code at all, so the task can only come from the staged jars.
    storage.write("s3://jflyte/run-4/task.pb", template.toByteArray());
    storage.write("s3://jflyte/run-4/inputs.pb", inputs(5));
    Map<String, String> executeEnv = new HashMap<>(env);
    Path cache = dir.resolve("cache");
    executeEnv.put("JFLYTE_ARTIFACT_CACHE", cache.toString());
    ClassLoader noUserCode = new URLClassLoader(new java.net.URL[0], null);

    ExecuteOutcome first =
        new TaskExecutor(noUserCode, executeEnv)
            .execute(
                args(
                    "s3://jflyte/run-4",
                    "s3://jflyte/run-4/inputs.pb",
                    "s3://jflyte/run-4/task.pb"));
    assertThat(first.succeeded()).as(String.valueOf(first.errorMessage())).isTrue();
    assertThat(y(storage.read("s3://jflyte/run-4/out/outputs.pb"))).isEqualTo(10);
    try (Stream<Path> cached = Files.walk(cache)) {
      assertThat(cached.map(p -> p.getFileName().toString()))
          .contains("fixtures.jar", "flytekit-java.jar");
    }

    // Cached: the staged jar in the bucket is now garbage, and the task still runs from the
    // local copy (a download would fail to load).
    storage.write(expectedLocation, "not a jar".getBytes(StandardCharsets.UTF_8));
    ExecuteOutcome second =
        new TaskExecutor(noUserCode, executeEnv)
            .execute(
                args(
                    "s3://jflyte/run-5",
                    "s3://jflyte/run-4/inputs.pb",
                    "s3://jflyte/run-4/task.pb"));
    assertThat(second.succeeded()).as(String.valueOf(second.errorMessage())).isTrue();

    // Without the staged list the same image cannot find the task.
    storage.write(
        "s3://jflyte/run-6/task.pb", template.toBuilder().clearCustom().build().toByteArray());
    ExecuteOutcome unstaged =
        new TaskExecutor(noUserCode, executeEnv)
            .execute(
                args(
                    "s3://jflyte/run-6",
                    "s3://jflyte/run-4/inputs.pb",
                    "s3://jflyte/run-6/task.pb"));
    assertThat(unstaged.succeeded()).isFalse();
    assertThat(unstaged.errorMessage())
        .hasValueSatisfying(message -> assertThat(message).contains("no runnable task named"));
  }

  @Test
  void stagingWithoutAJarDirectoryIsAClearError() {
    JflyteTestRun run =
        JflyteTestRun.run(
            env,
            "serialize",
            "workflows",
            "-f",
            dir.resolve("o").toString(),
            "--staging-location",
            "s3://jflyte/staging");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("needs the directory of your jars").contains("-cp");
  }

  private static Tasks.TaskTemplate taskTemplate(Path out, String task) throws Exception {
    try (Stream<Path> files = Files.list(out)) {
      Path file =
          files
              .filter(f -> f.getFileName().toString().endsWith("_" + task + "_1.pb"))
              .findFirst()
              .orElseThrow();
      return TaskOuterClass.TaskSpec.parseFrom(Files.readAllBytes(file)).getTemplate();
    }
  }

  private static String md5Base64Url(Path file) throws Exception {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(MessageDigest.getInstance("MD5").digest(Files.readAllBytes(file)));
  }

  private static byte[] inputs(long x) {
    return Literals.LiteralMap.newBuilder()
        .putLiterals(
            "x",
            Literals.Literal.newBuilder()
                .setScalar(
                    Literals.Scalar.newBuilder()
                        .setPrimitive(Literals.Primitive.newBuilder().setInteger(x)))
                .build())
        .build()
        .toByteArray();
  }

  private static long y(byte[] outputs) throws Exception {
    return Literals.LiteralMap.parseFrom(outputs)
        .getLiteralsOrThrow("y")
        .getScalar()
        .getPrimitive()
        .getInteger();
  }

  private static List<String> args(String prefix, String inputs, String template) {
    return List.of(
        "jflyte",
        "execute",
        "--task",
        DoubleTask.class.getName(),
        "--inputs",
        inputs,
        "--outputPrefix",
        prefix + "/out",
        "--taskTemplatePath",
        template);
  }
}
