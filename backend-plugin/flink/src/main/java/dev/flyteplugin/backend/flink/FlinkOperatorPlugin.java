package dev.flyteplugin.backend.flink;

import com.google.auto.service.AutoService;
import dev.flyteplugin.backend.api.KubernetesObjects;
import dev.flyteplugin.backend.api.LogLinkTemplate;
import dev.flyteplugin.backend.api.OperatorPlugin;
import dev.flyteplugin.backend.api.OperatorVersion;
import dev.flyteplugin.backend.api.PhaseInfo;
import dev.flyteplugin.backend.api.PluginSetting;
import dev.flyteplugin.backend.api.PluginSettings;
import dev.flyteplugin.backend.api.PolicyViolationException;
import dev.flyteplugin.backend.api.ResourceBuildException;
import dev.flyteplugin.backend.api.ResourceIdentity;
import dev.flyteplugin.backend.api.TaskContext;
import dev.flyteplugin.backend.api.TaskInfo;
import dev.flyteplugin.backend.api.TaskPolicy;
import dev.flyteplugin.backend.api.TaskType;
import dev.flyteplugin.proto.InvalidConfigException;
import dev.flyteplugin.proto.flink.FlinkContract;
import dev.flyteplugin.proto.flink.v1.FlinkJobConfig;
import dev.flyteplugin.proto.flink.v1.ProcessResources;
import dev.flyteplugin.proto.flink.v1.Toleration;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs {@code flink} tasks as Flink Kubernetes Operator {@code FlinkDeployment}s in application
 * mode: the task container's args are the job's args, its entry class runs the task. Phases follow
 * {@code status.jobStatus.state} (Flink's JobStatus) and {@code status.jobManagerDeploymentStatus}
 * (flink-kubernetes-operator-api {@code status/FlinkDeploymentStatus.java}), with {@code
 * status.error} as the failure message.
 */
@AutoService(OperatorPlugin.class)
public final class FlinkOperatorPlugin implements OperatorPlugin {
  public static final ResourceIdentity IDENTITY =
      ResourceIdentity.namespaced(
          "flink.apache.org", "v1beta1", "FlinkDeployment", "flinkdeployments");

  private static final FlinkContract CONTRACT = new FlinkContract();

  /** Flink's main container in its pods (Flink's {@code Constants.MAIN_CONTAINER_NAME}). */
  public static final String MAIN_CONTAINER = "flink-main-container";

  /** flinkConfiguration keys that reach the node or the cluster's credentials. */
  public static final List<String> DENIED_CONF_KEYS =
      List.of(
          "kubernetes.pod-template-file*",
          "kubernetes.secrets",
          "kubernetes.env.secretKeyRef",
          "kubernetes.*service-account",
          "kubernetes.hadoop.conf.config-map.name",
          "security.kerberos.*");

  private static final Set<String> LINK_PLACEHOLDERS = Set.of("jobId");

  static final String OPERATOR = "flink-kubernetes-operator";

  /** The release we target; {@code flink.operator-version} declares another. */
  public static final String DEFAULT_OPERATOR_VERSION = "1.15.0";

  /**
   * The first operator release whose {@code FlinkVersion} enum has each value
   * (flink-kubernetes-operator-api {@code spec/FlinkVersion.java} at tags release-1.10.0 .. 1.15.0:
   * v2_0 appears in 1.11.0, v2_1 and v2_2 in 1.13.0, v2_3 and v2_4 in 1.15.0). An older operator
   * cannot decode the value and never deploys the job.
   */
  static final Map<String, String> FLINK_VERSION_SINCE =
      Map.of(
          "v2_0", "1.11.0", "v2_1", "1.13.0", "v2_2", "1.13.0", "v2_3", "1.15.0", "v2_4", "1.15.0");

  private static final List<PluginSetting> SETTINGS =
      List.of(
          new PluginSetting(
              "entry-class",
              "the job's main class when the task sets none (the jflyte entrypoint)"),
          new PluginSetting(
              "jar-uri",
              "the job jar when the task sets none (local:///opt/flink/usrlib/jflyte.jar)"),
          new PluginSetting(
              "service-account",
              "the JobManager's service account when neither the task nor the execution sets one (flink: the operator's Helm chart's jobServiceAccount; the operator requires one)"),
          new PluginSetting(
              "log-links",
              "JobManager log links, name=url-template entries separated by '|'; placeholders {jobId} and the common ones"),
          OperatorVersion.setting(OPERATOR, DEFAULT_OPERATOR_VERSION),
          new PluginSetting(
              "ui-url",
              "the Flink UI (flinkUI custom info) as a URL template; default http://{resourceName}-rest.{namespace}:8081"));

  private final PluginSettings settings;
  private final List<LogLinkTemplate> links;
  private final LogLinkTemplate ui;
  private final OperatorVersion operatorVersion;

  public FlinkOperatorPlugin() {
    this(PluginSettings.none("flink"));
  }

  public FlinkOperatorPlugin(PluginSettings settings) {
    this.settings = settings;
    this.links = LogLinkTemplate.parse(settings, "log-links", LINK_PLACEHOLDERS);
    this.operatorVersion = OperatorVersion.from(settings, OPERATOR, DEFAULT_OPERATOR_VERSION);
    try { // the operator's REST service is <name>-rest, port 8081
      // (IngressUtils.REST_SVC_NAME_SUFFIX)
      this.ui =
          new LogLinkTemplate(
              "flinkUI",
              settings.get("ui-url", "http://{resourceName}-rest.{namespace}:8081"),
              LINK_PLACEHOLDERS);
    } catch (IllegalArgumentException e) {
      throw settings.invalid("ui-url", e.getMessage());
    }
  }

  @Override
  public List<TaskType> taskTypes() {
    return List.of(new TaskType(CONTRACT.taskType(), CONTRACT.taskTypeVersion()));
  }

  @Override
  public String name() {
    return "flink";
  }

  @Override
  public List<PluginSetting> settings() {
    return SETTINGS;
  }

  @Override
  public OperatorPlugin configure(PluginSettings settings) {
    return new FlinkOperatorPlugin(settings);
  }

  @Override
  public ResourceIdentity identity() {
    return IDENTITY;
  }

  @Override
  public GenericKubernetesResource build(TaskContext context) throws ResourceBuildException {
    FlinkJobConfig config;
    try {
      config = CONTRACT.decode(context.template().getCustom());
    } catch (InvalidConfigException e) {
      throw new ResourceBuildException(e.getMessage(), e);
    }
    String since = FLINK_VERSION_SINCE.get(config.getFlinkVersion());
    if (since != null) {
      operatorVersion.require("flinkVersion " + config.getFlinkVersion(), since);
    }
    Map<String, Object> job = new LinkedHashMap<>();
    job.put(
        "jarURI",
        or(config.getJarUri(), settings.get("jar-uri", "local:///opt/flink/usrlib/jflyte.jar")));
    job.put(
        "entryClass",
        or(config.getEntryClass(), settings.get("entry-class", "dev.flyteplugin.jflyte.Jflyte")));
    job.put("args", context.container().getArgsList());
    job.put("parallelism", Math.max(1, config.getParallelism()));
    job.put("upgradeMode", "stateless");
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("image", context.image(config.getImage(), "FlinkJobConfig.image"));
    if (!config.getImagePullPolicy().isEmpty()) {
      spec.put("imagePullPolicy", config.getImagePullPolicy());
    }
    spec.put("flinkVersion", config.getFlinkVersion());
    spec.put(
        "serviceAccount",
        context.serviceAccount(
            config.getServiceAccount(), settings.get("service-account", "flink")));
    spec.put("flinkConfiguration", new LinkedHashMap<>(config.getFlinkConfigurationMap()));
    spec.put("mode", "native");
    spec.put(
        "podTemplate",
        Map.of(
            "metadata", Map.of("labels", context.executionLabels()),
            "spec",
                Map.of(
                    "containers",
                    List.of(Map.of("name", MAIN_CONTAINER, "env", context.environmentList())))));
    spec.put("jobManager", role(config.getJobManager(), true, context));
    spec.put("taskManager", role(config.getTaskManager(), false, context));
    spec.put("job", job);
    GenericKubernetesResource deployment = new GenericKubernetesResource();
    deployment.setAdditionalProperty("spec", spec);
    return deployment;
  }

  @Override
  public void admit(TaskContext context, GenericKubernetesResource resource, TaskPolicy policy)
      throws PolicyViolationException {
    Map<?, ?> spec = (Map<?, ?>) resource.getAdditionalProperties().get("spec");
    policy.checkServiceAccount(
        "serviceAccount",
        String.valueOf(spec.get("serviceAccount")),
        context.serviceAccount("", settings.get("service-account", "flink")));
    policy.checkConfKeys(
        "flinkConfiguration",
        ((Map<?, ?>) spec.get("flinkConfiguration")).keySet(),
        DENIED_CONF_KEYS);
    for (String role : List.of("jobManager", "taskManager")) {
      Map<?, ?> pod = map(map(map(spec.get(role)).get("podTemplate")).get("spec"));
      policy.checkTolerations(
          role + ".tolerations", pod.get("tolerations") instanceof List<?> l ? l : List.of());
      policy.checkPriorityClass(role + ".priorityClassName", str(pod.get("priorityClassName")));
    }
    // Flink's own options reach the same field (KubernetesConfigOptions JOB_MANAGER_TOLERATIONS /
    // TASK_MANAGER_TOLERATIONS): without this check flinkConfiguration would bypass the policy.
    Map<?, ?> conf = map(spec.get("flinkConfiguration"));
    for (Object key : conf.keySet()) {
      String k = String.valueOf(key).trim().toLowerCase(java.util.Locale.ROOT);
      if (k.equals("kubernetes.jobmanager.tolerations")
          || k.equals("kubernetes.taskmanager.tolerations")) {
        policy.checkTolerations(
            "flinkConfiguration[\"" + key + "\"]", confTolerations(str(conf.get(key))));
      }
    }
  }

  /**
   * Flink's list-of-maps option form, {@code key:k1,operator:Equal,effect:NoSchedule;key:k2,...}
   * (KubernetesConfigOptions.TASK_MANAGER_TOLERATIONS), as toleration maps.
   */
  static List<Map<String, String>> confTolerations(String value) {
    List<Map<String, String>> out = new java.util.ArrayList<>();
    for (String entry : value.split(";")) {
      if (entry.isBlank()) {
        continue;
      }
      Map<String, String> toleration = new LinkedHashMap<>();
      for (String pair : entry.split(",")) {
        int colon = pair.indexOf(':');
        if (colon > 0) {
          toleration.put(pair.substring(0, colon).trim(), pair.substring(colon + 1).trim());
        }
      }
      out.add(toleration);
    }
    return out;
  }

  @Override
  public PhaseInfo phase(GenericKubernetesResource deployment) {
    Map<?, ?> status = map(deployment.getAdditionalProperties().get("status"));
    Map<?, ?> jobStatus = map(status.get("jobStatus"));
    String job = str(jobStatus.get("state"));
    String jm = str(status.get("jobManagerDeploymentStatus"));
    String error = errorMessage(str(status.get("error")));
    String jobId = str(jobStatus.get("jobId"));
    TaskInfo info = info(deployment, jobId, !jm.isEmpty() && !jm.equals("MISSING"));
    if (jm.equals("ERROR")
        || (job.isEmpty() && str(status.get("lifecycleState")).equals("FAILED"))) {
      return PhaseInfo.retryableFailure(
          "FlinkDeploymentError", or(error, "the JobManager deployment failed"), info);
    }
    switch (job) {
      case "FINISHED":
        return PhaseInfo.success("the Flink job finished", info);
      case "FAILED", "CANCELED":
        return PhaseInfo.retryableFailure(
            "FlinkJob" + camel(job), or(error, "the Flink job is " + job), info);
      case "RUNNING", "FAILING", "RESTARTING", "CANCELLING", "SUSPENDED":
        if (jm.equals(
            "MISSING")) { // flink-kubernetes-operator#997: never report a lost JobManager as
          // running
          return PhaseInfo.systemRetryableFailure(
              "FlinkJobManagerMissing",
              "the JobManager deployment of the "
                  + job
                  + " job is missing ("
                  + or(error, "deleted or evicted")
                  + ")",
              info);
        }
        return PhaseInfo.running("FlinkJob" + camel(job), "Flink job state " + job, info);
      case "RECONCILING":
        if (error.equals(
            "Job Not Found")) { // JobStatusObserver.onTargetJobNotFound: the job's fate is unknown
          return PhaseInfo.systemRetryableFailure(
              "FlinkJobNotFound",
              "the operator lost the Flink job (Job Not Found) and is reconciling it",
              info);
        }
        return PhaseInfo.initializing(
            "FlinkJobReconciling", "the operator is (re)deploying the job", info);
      default:
        return jm.startsWith("DEPLOY") || job.equals("CREATED") || job.equals("INITIALIZING")
            ? PhaseInfo.initializing(
                "FlinkDeploying",
                "JobManager " + or(jm, "starting") + ", job " + or(job, "not submitted"),
                info)
            : PhaseInfo.queued(
                "FlinkDeploymentCreated",
                "waiting for the Flink operator to deploy " + deployment.getMetadata().getName());
    }
  }

  private TaskInfo info(GenericKubernetesResource deployment, String jobId, boolean deployed) {
    var values = Map.of("jobId", jobId);
    var logs = LogLinkTemplate.renderAll(links, deployment, values);
    Map<String, String> custom = new LinkedHashMap<>();
    if (deployed) {
      LogLinkTemplate.renderAll(List.of(ui), deployment, values)
          .forEach(l -> custom.put("flinkUI", l.getUri()));
    }
    return TaskInfo.of(logs, custom);
  }

  /** {@code status.error} is a serialized FlinkResourceException (FlinkResourceExceptionUtils). */
  private static String errorMessage(String error) {
    var m =
        java.util.regex.Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"")
            .matcher(error);
    return m.find() ? m.group(1).replace("\\\"", "\"") : error;
  }

  /**
   * {@code spec.jobManager} / {@code spec.taskManager}: resources, replicas, and the role's pod
   * settings as its {@code podTemplate}. The operator merges that over {@code spec.podTemplate}
   * (FlinkConfigBuilder.applyPodTemplate -> FlinkUtils.mergePodTemplates: objects merge field by
   * field, the role's value wins; arrays merge by index), so the role template holds no containers
   * (the common template's main container keeps its env) and repeats the execution labels after the
   * role's own, so those always win.
   */
  private static Map<String, Object> role(
      ProcessResources r, boolean jobManager, TaskContext context) {
    Map<String, Object> role = new LinkedHashMap<>();
    Map<String, Object> resource = new LinkedHashMap<>();
    resource.put("cpu", r.getCpu() > 0 ? r.getCpu() : 1.0);
    resource.put("memory", or(r.getMemory(), "1024m"));
    if (!r.getEphemeralStorage().isEmpty()) { // Resource.ephemeralStorage: request and limit
      resource.put("ephemeralStorage", r.getEphemeralStorage());
    }
    role.put("resource", resource);
    if (jobManager) {
      role.put("replicas", 1);
    } else if (r.hasReplicas()) { // unset: the operator sizes TaskManagers from parallelism
      role.put("replicas", r.getReplicas());
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    if (r.getLabelsCount() > 0) {
      Map<String, String> labels = new LinkedHashMap<>(r.getLabelsMap());
      labels.putAll(context.executionLabels());
      metadata.put("labels", labels);
    }
    if (r.getAnnotationsCount() > 0) {
      metadata.put("annotations", new LinkedHashMap<>(r.getAnnotationsMap()));
    }
    Map<String, Object> pod = new LinkedHashMap<>();
    if (r.getNodeSelectorCount() > 0) {
      pod.put("nodeSelector", new LinkedHashMap<>(r.getNodeSelectorMap()));
    }
    if (r.getTolerationsCount() > 0) {
      pod.put(
          "tolerations",
          r.getTolerationsList().stream().map(FlinkOperatorPlugin::toleration).toList());
    }
    if (!r.getPriorityClassName().isEmpty()) {
      pod.put("priorityClassName", r.getPriorityClassName());
    }
    if (!metadata.isEmpty() || !pod.isEmpty()) {
      Map<String, Object> template = new LinkedHashMap<>();
      if (!metadata.isEmpty()) {
        template.put("metadata", metadata);
      }
      if (!pod.isEmpty()) {
        template.put("spec", pod);
      }
      role.put("podTemplate", template);
    }
    return role;
  }

  private static Map<String, Object> toleration(Toleration t) {
    return KubernetesObjects.toleration(
        t.getKey(),
        t.getOperator(),
        t.getValue(),
        t.getEffect(),
        t.hasTolerationSeconds() ? Optional.of(t.getTolerationSeconds()) : Optional.empty());
  }

  private static String camel(String state) {
    return state.charAt(0) + state.substring(1).toLowerCase(java.util.Locale.ROOT);
  }

  private static Map<?, ?> map(Object value) {
    return value instanceof Map<?, ?> m ? m : Map.of();
  }

  private static String str(Object value) {
    return value == null ? "" : value.toString();
  }

  private static String or(String value, String fallback) {
    return value.isEmpty() ? fallback : value;
  }
}
