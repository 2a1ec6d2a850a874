package dev.flyteplugin.flytekit.flink;

import dev.flyteplugin.flytekit.PluginRunnableTask;
import dev.flyteplugin.proto.flink.v1.FlinkJobConfig;
import java.lang.annotation.Annotation;
import org.flyte.flytekit.SdkType;

/** A task run as a Flink application; configure it with {@link FlinkTask}. */
public abstract class FlinkRunnableTask<InputT, OutputT>
    extends PluginRunnableTask<InputT, OutputT, FlinkJobConfig> {
  private static final long serialVersionUID = 1L;

  protected FlinkRunnableTask(SdkType<InputT> inputType, SdkType<OutputT> outputType) {
    super(inputType, outputType);
  }

  @Override
  protected final Class<? extends Annotation> pluginAnnotation() {
    return FlinkTask.class;
  }
}
