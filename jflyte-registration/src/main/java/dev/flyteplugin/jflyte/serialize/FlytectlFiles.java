package dev.flyteplugin.jflyte.serialize;

import com.google.protobuf.Message;
import flyteidl.admin.TaskOuterClass;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a {@link RegistrationClosure} as the files {@code flytectl register files} reads: {@code
 * <NN>_<name>_1.pb} = admin.TaskSpec (template with id), {@code _2.pb} = admin.WorkflowSpec, {@code
 * _3.pb} = admin.LaunchPlan {id, spec}; numbered so that name order is registration order ({@link
 * RegistrationClosure#registrationOrder()}: flytectl register files sorts the files and registers
 * them in that order).
 */
public final class FlytectlFiles {

  private FlytectlFiles() {}

  /** Writes the files into {@code dir} (created if missing) and returns their paths in order. */
  public static List<Path> write(RegistrationClosure closure, Path dir) throws IOException {
    Files.createDirectories(dir);
    int total = closure.tasks().size() + closure.workflows().size() + closure.launchPlans().size();
    String format =
        "%0" + Math.max(1, String.valueOf(Math.max(total - 1, 0)).length()) + "d_%s_%d.pb";
    List<Path> written = new ArrayList<>();
    int index = 0;
    for (RegistrationClosure.Entity entity : closure.registrationOrder()) {
      String name = entity.name();
      Message message =
          switch (entity.kind()) {
            case TASK ->
                TaskOuterClass.TaskSpec.newBuilder().setTemplate(closure.tasks().get(name)).build();
            case WORKFLOW -> closure.workflows().get(name);
            case LAUNCH_PLAN -> closure.launchPlans().get(name);
          };
      written.add(
          write(dir, String.format(format, index++, name, entity.kind().fileSuffix()), message));
    }
    return written;
  }

  private static Path write(Path dir, String fileName, Message message) {
    Path file = dir.resolve(fileName);
    try (OutputStream out = Files.newOutputStream(file)) {
      // Deterministic: map entries (e.g. interface variables) sorted by key, so the same project
      // always serializes to the same bytes (reproducible artifacts, stable digests).
      com.google.protobuf.CodedOutputStream coded =
          com.google.protobuf.CodedOutputStream.newInstance(out);
      coded.useDeterministicSerialization();
      message.writeTo(coded);
      coded.flush();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot write " + file, e);
    }
    return file;
  }
}
