package dev.flyteplugin.flytekit;

import com.google.protobuf.Message;
import dev.flyteplugin.proto.InvalidConfigException;
import dev.flyteplugin.proto.PluginContract;
import java.lang.annotation.Annotation;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.SdkStruct;
import org.flyte.flytekit.SdkType;

/**
 * A flytekit-java runnable task run by a backend plugin: its TaskTemplate gets the contract's task
 * type and, as {@code custom}, its validated config; the container is the usual runnable-task
 * container. A plugin's own base class extends this, names its annotation in {@link
 * #pluginAnnotation()} and adds how the task runs (e.g. with a Spark session).
 *
 * @param <InputT> input type
 * @param <OutputT> output type
 * @param <C> the plugin's config message
 */
public abstract class PluginRunnableTask<InputT, OutputT, C extends Message>
    extends SdkRunnableTask<InputT, OutputT> {
  private static final long serialVersionUID = 1L;

  protected PluginRunnableTask(SdkType<InputT> inputType, SdkType<OutputT> outputType) {
    super(inputType, outputType);
  }

  /** The plugin's task annotation (marked {@link PluginTaskAnnotation}); it names the contract. */
  protected abstract Class<? extends Annotation> pluginAnnotation();

  /** The plugin's contract, the one the annotation's {@link PluginTaskAnnotation} names. */
  @SuppressWarnings("unchecked") // the marker pairs the annotation with a contract of C
  public final PluginContract<C> contract() {
    return (PluginContract<C>)
        AnnotationConfigMapper.forAnnotationType(pluginAnnotation()).contract();
  }

  /** Returns the contract's task type. */
  @Override
  public final String getType() {
    return contract().taskType();
  }

  /**
   * The validated config in its wire form.
   *
   * @throws InvalidConfigException naming every offending field and its fix
   */
  @Override
  public final SdkStruct getCustom() {
    return Structs.toSdkStruct(contract().encode(getConfig()));
  }

  /**
   * The config of this task: by default the one of the class's plugin annotation (inherited from a
   * superclass too); override it to compute the config. The result is validated when the task is
   * registered or serialized.
   *
   * @throws InvalidConfigException if the annotation is invalid, naming the attribute and the fix
   * @throws IllegalStateException if the class has no annotation and does not override this
   */
  public C getConfig() {
    return annotatedConfig("getConfig");
  }

  /**
   * The config of the class's plugin annotation.
   *
   * @param overridable the method a user overrides instead, named in the error without annotation
   */
  protected final C annotatedConfig(String overridable) {
    Class<? extends Annotation> type = pluginAnnotation();
    Annotation annotation = getClass().getAnnotation(type);
    if (annotation == null) {
      throw new IllegalStateException(
          getClass().getName()
              + " has no @"
              + type.getSimpleName()
              + ": annotate the class, or override "
              + overridable
              + "()");
    }
    @SuppressWarnings("unchecked") // same contract as contract()
    AnnotationConfigMapper<C> mapper =
        (AnnotationConfigMapper<C>) AnnotationConfigMapper.forAnnotationType(type);
    return mapper.toConfig(annotation);
  }
}
