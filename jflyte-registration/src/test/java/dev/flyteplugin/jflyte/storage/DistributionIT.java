package dev.flyteplugin.jflyte.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flyteplugin.jflyte.UserJars;
import dev.flyteplugin.jflyte.execute.Storage;
import dev.flyteplugin.jflyte.fixtures.DoubleTask;
import flyteidl.core.Literals;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged distribution, as a task image runs it: {@code bin/jflyte execute} in its own JVM,
 * user jars from JFLYTE_CLASSPATH, inputs and outputs on s3:// of a real S3-compatible server.
 * Proves that s3:// is in the default distribution, not only on the test class path.
 */
class DistributionIT {
  static final Path LAUNCHER = Path.of("target", "jflyte", "bin", "jflyte");

  @TempDir Path dir;

  @Test
  void theDistributionExecutesATaskOnS3() throws Exception {
    assertThat(LAUNCHER).as("run mvn package first").isExecutable();
    try (MotoServer moto = MotoServer.start()) {
      moto.createBucket("dist");
      Storage storage = Storage.load(getClass().getClassLoader(), moto.awsEnv());
      storage.write(
          "s3://dist/run/inputs.pb",
          Literals.LiteralMap.newBuilder()
              .putLiterals(
                  "x",
                  Literals.Literal.newBuilder()
                      .setScalar(
                          Literals.Scalar.newBuilder()
                              .setPrimitive(Literals.Primitive.newBuilder().setInteger(8)))
                      .build())
              .build()
              .toByteArray());
      Path jars = UserJars.build(dir.resolve("app"));

      ProcessBuilder builder =
          new ProcessBuilder(
              List.of(
                  LAUNCHER.toAbsolutePath().toString(),
                  "jflyte",
                  "execute",
                  "--task",
                  DoubleTask.class.getName(),
                  "--inputs",
                  "s3://dist/run/inputs.pb",
                  "--outputPrefix",
                  "s3://dist/run/out",
                  "--taskTemplatePath",
                  "s3://dist/run/task.pb"));
      builder.environment().putAll(moto.awsEnv());
      builder.environment().put("JFLYTE_CLASSPATH", jars.toString());
      builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
      File log = dir.resolve("jflyte.log").toFile();
      Process process = builder.redirectErrorStream(true).redirectOutput(log).start();
      assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
      String output = Files.readString(log.toPath(), StandardCharsets.UTF_8);

      assertThat(process.exitValue()).as(output).isZero();
      assertThat(output).contains("wrote s3://dist/run/out/outputs.pb");
      assertThat(
              Literals.LiteralMap.parseFrom(storage.read("s3://dist/run/out/outputs.pb"))
                  .getLiteralsOrThrow("y")
                  .getScalar()
                  .getPrimitive()
                  .getInteger())
          .isEqualTo(16);
    }
  }
}
