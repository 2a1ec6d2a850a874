package dev.flyteplugin.flytekit.processor.otherplugin;

import com.google.protobuf.Api;
import dev.flyteplugin.flytekit.PluginRunnableTask;
import java.lang.annotation.Annotation;
import org.flyte.flytekit.SdkType;

/** The second plugin's task base. */
public abstract class ApiRunnableTask<InputT, OutputT>
    extends PluginRunnableTask<InputT, OutputT, Api> {
  private static final long serialVersionUID = 1L;

  protected ApiRunnableTask(SdkType<InputT> inputType, SdkType<OutputT> outputType) {
    super(inputType, outputType);
  }

  @Override
  protected final Class<? extends Annotation> pluginAnnotation() {
    return ApiPluginTask.class;
  }
}
