package dev.flyteplugin.examples.wordstats;

import com.google.auto.service.AutoService;
import org.flyte.flytekit.SdkCronSchedule;
import org.flyte.flytekit.SdkLaunchPlan;
import org.flyte.flytekit.SdkLaunchPlanRegistry;
import org.flyte.flytekit.SimpleSdkLaunchPlanRegistry;

/** The workflow's default launch plan, and a nightly one with default inputs. */
@AutoService(SdkLaunchPlanRegistry.class)
public class WordStatsLaunchPlans extends SimpleSdkLaunchPlanRegistry {

  public WordStatsLaunchPlans() {
    registerDefaultLaunchPlans();
    registerLaunchPlan(
        SdkLaunchPlan.of(new WordStatsWorkflow())
            .withName("WordStatsNightly")
            .withDefaultInput("seed", 42L)
            .withDefaultInput("lines", 200L)
            .withCronSchedule(SdkCronSchedule.of("0 2 * * *")));
  }
}
