package dev.flyteplugin.jflyte.serialize;

import com.google.protobuf.Timestamp;
import dev.flyteplugin.flytekit.Structs;
import flyteidl.admin.LaunchPlanOuterClass;
import flyteidl.admin.ScheduleOuterClass;
import flyteidl.core.Condition;
import flyteidl.core.IdentifierOuterClass;
import flyteidl.core.IdentifierOuterClass.ResourceType;
import flyteidl.core.Interface;
import flyteidl.core.Literals;
import flyteidl.core.Tasks;
import flyteidl.core.Types;
import flyteidl.core.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.flyte.api.v1.Binding;
import org.flyte.api.v1.BindingData;
import org.flyte.api.v1.Blob;
import org.flyte.api.v1.BlobMetadata;
import org.flyte.api.v1.BlobType;
import org.flyte.api.v1.BooleanExpression;
import org.flyte.api.v1.ComparisonExpression;
import org.flyte.api.v1.ConjunctionExpression;
import org.flyte.api.v1.Container;
import org.flyte.api.v1.CronSchedule;
import org.flyte.api.v1.IfBlock;
import org.flyte.api.v1.IfElseBlock;
import org.flyte.api.v1.KeyValuePair;
import org.flyte.api.v1.LaunchPlan;
import org.flyte.api.v1.LaunchPlanIdentifier;
import org.flyte.api.v1.Literal;
import org.flyte.api.v1.LiteralType;
import org.flyte.api.v1.Node;
import org.flyte.api.v1.NodeMetadata;
import org.flyte.api.v1.Operand;
import org.flyte.api.v1.Parameter;
import org.flyte.api.v1.PartialIdentifier;
import org.flyte.api.v1.Primitive;
import org.flyte.api.v1.Resources;
import org.flyte.api.v1.Scalar;
import org.flyte.api.v1.SchemaType;
import org.flyte.api.v1.SimpleType;
import org.flyte.api.v1.TaskIdentifier;
import org.flyte.api.v1.TaskTemplate;
import org.flyte.api.v1.TypedInterface;
import org.flyte.api.v1.Variable;
import org.flyte.api.v1.WorkflowIdentifier;
import org.flyte.api.v1.WorkflowNode;
import org.flyte.api.v1.WorkflowTemplate;

/**
 * Converts flytekit-api 0.4.35 models to flyteidl 1.16.5 protobuf messages, and literals both ways
 * (the container entrypoint reads inputs and writes outputs).
 *
 * <p>Partial identifiers (references the user code left without project, domain or version) get the
 * values of {@link IdentifierDefaults}. A reference that names another project but no version is
 * resolved through a {@link LatestVersions} (register asks FlyteAdmin, as jflyte 0.4.35's
 * IdentifierRewrite.apply does; serialize has no FlyteAdmin and rejects it).
 */
public final class ProtoConverter {

  /** What {@code TaskMetadata.runtime} says about the SDK that described the task. */
  public static final String RUNTIME_FLAVOR = "java";

  public static final String RUNTIME_VERSION = "0.4.35";

  private final IdentifierDefaults defaults;
  private final LatestVersions latestVersions;

  public ProtoConverter(IdentifierDefaults defaults) {
    this(defaults, LatestVersions.NONE);
  }

  public ProtoConverter(IdentifierDefaults defaults, LatestVersions latestVersions) {
    this.defaults = defaults;
    this.latestVersions = latestVersions;
  }

  public IdentifierDefaults defaults() {
    return defaults;
  }

  // ---------------------------------------------------------------- identifiers

  public IdentifierOuterClass.Identifier identifier(ResourceType type, PartialIdentifier id) {
    String name = id.name();
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(type + " reference has no name");
    }
    String version = id.version();
    if (version == null && id.project() != null && !id.project().equals(defaults.project())) {
      version =
          latestVersions.latest(
              type, id.project(), orDefault(id.domain(), defaults.domain()), name);
    }
    return IdentifierOuterClass.Identifier.newBuilder()
        .setResourceType(type)
        .setProject(orDefault(id.project(), defaults.project()))
        .setDomain(orDefault(id.domain(), defaults.domain()))
        .setName(name)
        .setVersion(orDefault(version, defaults.version()))
        .build();
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isEmpty() ? fallback : value;
  }

  // ---------------------------------------------------------------- tasks

  /** The task template, with its id set (flytectl needs {@code TaskSpec.template.id}). */
  public Tasks.TaskTemplate taskTemplate(TaskIdentifier id, TaskTemplate template) {
    Tasks.TaskMetadata.Builder metadata =
        Tasks.TaskMetadata.newBuilder()
            .setRuntime(
                Tasks.RuntimeMetadata.newBuilder()
                    .setType(Tasks.RuntimeMetadata.RuntimeType.FLYTE_SDK)
                    .setFlavor(RUNTIME_FLAVOR)
                    .setVersion(RUNTIME_VERSION))
            .setRetries(
                Literals.RetryStrategy.newBuilder().setRetries(template.retries().retries()))
            .setDiscoverable(template.discoverable())
            .setCacheSerializable(template.cacheSerializable());
    if (template.discoveryVersion() != null) {
      metadata.setDiscoveryVersion(template.discoveryVersion());
    }
    Tasks.TaskTemplate.Builder builder =
        Tasks.TaskTemplate.newBuilder()
            .setId(identifier(ResourceType.TASK, id))
            .setType(template.type())
            .setMetadata(metadata)
            .setInterface(typedInterface(template.interface_()))
            .setCustom(Structs.toProtobuf(template.custom()));
    if (template.container() != null) {
      builder.setContainer(container(template.container()));
    }
    return builder.build();
  }

  public static Tasks.Container container(Container container) {
    Tasks.Container.Builder builder =
        Tasks.Container.newBuilder()
            .setImage(container.image())
            .addAllCommand(container.command())
            .addAllArgs(container.args());
    for (KeyValuePair pair : container.env()) {
      builder.addEnv(
          Literals.KeyValuePair.newBuilder().setKey(pair.key()).setValue(pair.value()).build());
    }
    if (container.resources() != null) {
      builder.setResources(resources(container.resources()));
    }
    return builder.build();
  }

  private static Tasks.Resources resources(Resources resources) {
    Tasks.Resources.Builder builder = Tasks.Resources.newBuilder();
    if (resources.requests() != null) {
      resourceEntries(resources.requests()).forEach(builder::addRequests);
    }
    if (resources.limits() != null) {
      resourceEntries(resources.limits()).forEach(builder::addLimits);
    }
    return builder.build();
  }

  private static List<Tasks.Resources.ResourceEntry> resourceEntries(
      Map<Resources.ResourceName, String> values) {
    List<Tasks.Resources.ResourceEntry> entries = new ArrayList<>();
    // Enum order keeps the output stable whatever map the user code built.
    new TreeMap<>(values)
        .forEach(
            (name, quantity) ->
                entries.add(
                    Tasks.Resources.ResourceEntry.newBuilder()
                        .setName(Tasks.Resources.ResourceName.valueOf(name.name()))
                        .setValue(quantity)
                        .build()));
    return entries;
  }

  // ---------------------------------------------------------------- interfaces and types

  public static Interface.TypedInterface typedInterface(TypedInterface typedInterface) {
    return Interface.TypedInterface.newBuilder()
        .setInputs(variableMap(typedInterface.inputs()))
        .setOutputs(variableMap(typedInterface.outputs()))
        .build();
  }

  private static Interface.VariableMap variableMap(Map<String, Variable> variables) {
    Interface.VariableMap.Builder builder = Interface.VariableMap.newBuilder();
    variables.forEach((name, variable) -> builder.putVariables(name, variable(variable)));
    return builder.build();
  }

  private static Interface.Variable variable(Variable variable) {
    Interface.Variable.Builder builder =
        Interface.Variable.newBuilder().setType(literalType(variable.literalType()));
    if (variable.description() != null) {
      builder.setDescription(variable.description());
    }
    return builder.build();
  }

  public static Types.LiteralType literalType(LiteralType type) {
    Types.LiteralType.Builder builder = Types.LiteralType.newBuilder();
    switch (type.getKind()) {
      case SIMPLE_TYPE -> builder.setSimple(simpleType(type.simpleType()));
      case SCHEMA_TYPE -> builder.setSchema(schemaType(type.schemaType()));
      case COLLECTION_TYPE -> builder.setCollectionType(literalType(type.collectionType()));
      case MAP_VALUE_TYPE -> builder.setMapValueType(literalType(type.mapValueType()));
      case BLOB_TYPE -> builder.setBlob(blobType(type.blobType()));
    }
    return builder.build();
  }

  private static Types.SimpleType simpleType(SimpleType type) {
    return Types.SimpleType.valueOf(type.name());
  }

  private static Types.SchemaType schemaType(SchemaType type) {
    Types.SchemaType.Builder builder = Types.SchemaType.newBuilder();
    for (SchemaType.Column column : type.columns()) {
      builder.addColumns(
          Types.SchemaType.SchemaColumn.newBuilder()
              .setName(column.name())
              .setType(
                  Types.SchemaType.SchemaColumn.SchemaColumnType.valueOf(column.type().name())));
    }
    return builder.build();
  }

  private static Types.BlobType blobType(BlobType type) {
    return Types.BlobType.newBuilder()
        .setFormat(type.format())
        .setDimensionality(Types.BlobType.BlobDimensionality.valueOf(type.dimensionality().name()))
        .build();
  }

  // ---------------------------------------------------------------- workflows

  /** The workflow template, with its id set. */
  public Workflow.WorkflowTemplate workflowTemplate(WorkflowIdentifier id, WorkflowTemplate wf) {
    Workflow.WorkflowTemplate.Builder builder =
        Workflow.WorkflowTemplate.newBuilder()
            .setId(identifier(ResourceType.WORKFLOW, id))
            .setMetadata(
                Workflow.WorkflowMetadata.newBuilder()
                    .setOnFailure(
                        Workflow.WorkflowMetadata.OnFailurePolicy.valueOf(
                            wf.metadata().onFailure().getKind().name())))
            .setInterface(typedInterface(wf.interface_()));
    wf.nodes().forEach(node -> builder.addNodes(node(node)));
    // By variable name: flytekit-java lists them in reflection order, which the JVM does not
    // fix (Class.getDeclaredMethods), and Flyte reads them by name; sorted, the same project
    // always serializes to the same bytes.
    sortedByVar(wf.outputs()).forEach(binding -> builder.addOutputs(binding(binding)));
    return builder.build();
  }

  public Workflow.Node node(Node node) {
    Workflow.Node.Builder builder =
        Workflow.Node.newBuilder()
            .setId(node.id())
            // Sorted too: flytekit-java derives them from the inputs, in reflection order.
            .addAllUpstreamNodeIds(node.upstreamNodeIds().stream().sorted().distinct().toList());
    if (node.metadata() != null) {
      builder.setMetadata(nodeMetadata(node.metadata()));
    }
    sortedByVar(node.inputs()).forEach(binding -> builder.addInputs(binding(binding)));
    if (node.taskNode() != null) {
      builder.setTaskNode(
          Workflow.TaskNode.newBuilder()
              .setReferenceId(identifier(ResourceType.TASK, node.taskNode().referenceId())));
    } else if (node.workflowNode() != null) {
      builder.setWorkflowNode(workflowNode(node.workflowNode()));
    } else if (node.branchNode() != null) {
      builder.setBranchNode(
          Workflow.BranchNode.newBuilder().setIfElse(ifElse(node.branchNode().ifElse())));
    } else {
      throw new IllegalArgumentException(
          "node '" + node.id() + "' has no task, workflow or branch target");
    }
    return builder.build();
  }

  private static Workflow.NodeMetadata nodeMetadata(NodeMetadata metadata) {
    Workflow.NodeMetadata.Builder builder = Workflow.NodeMetadata.newBuilder();
    if (metadata.name() != null) {
      builder.setName(metadata.name());
    }
    if (metadata.timeout() != null) {
      builder.setTimeout(duration(metadata.timeout()));
    }
    if (metadata.retries() != null) {
      builder.setRetries(
          Literals.RetryStrategy.newBuilder().setRetries(metadata.retries().retries()));
    }
    return builder.build();
  }

  private Workflow.WorkflowNode workflowNode(WorkflowNode workflowNode) {
    WorkflowNode.Reference reference = workflowNode.reference();
    return switch (reference.kind()) {
      case SUB_WORKFLOW_REF ->
          Workflow.WorkflowNode.newBuilder()
              .setSubWorkflowRef(identifier(ResourceType.WORKFLOW, reference.subWorkflowRef()))
              .build();
      case LAUNCH_PLAN_REF ->
          Workflow.WorkflowNode.newBuilder()
              .setLaunchplanRef(identifier(ResourceType.LAUNCH_PLAN, reference.launchPlanRef()))
              .build();
    };
  }

  private Workflow.IfElseBlock ifElse(IfElseBlock ifElse) {
    Workflow.IfElseBlock.Builder builder =
        Workflow.IfElseBlock.newBuilder().setCase(ifBlock(ifElse.case_()));
    ifElse.other().forEach(other -> builder.addOther(ifBlock(other)));
    if (ifElse.elseNode() != null) {
      builder.setElseNode(node(ifElse.elseNode()));
    } else if (ifElse.error() != null) {
      builder.setError(
          Types.Error.newBuilder()
              .setFailedNodeId(ifElse.error().failedNodeId())
              .setMessage(ifElse.error().message()));
    }
    return builder.build();
  }

  private Workflow.IfBlock ifBlock(IfBlock ifBlock) {
    return Workflow.IfBlock.newBuilder()
        .setCondition(booleanExpression(ifBlock.condition()))
        .setThenNode(node(ifBlock.thenNode()))
        .build();
  }

  private static Condition.BooleanExpression booleanExpression(BooleanExpression expression) {
    return switch (expression.kind()) {
      case COMPARISON ->
          Condition.BooleanExpression.newBuilder()
              .setComparison(comparison(expression.comparison()))
              .build();
      case CONJUNCTION ->
          Condition.BooleanExpression.newBuilder()
              .setConjunction(conjunction(expression.conjunction()))
              .build();
    };
  }

  private static Condition.ComparisonExpression comparison(ComparisonExpression comparison) {
    return Condition.ComparisonExpression.newBuilder()
        .setOperator(Condition.ComparisonExpression.Operator.valueOf(comparison.operator().name()))
        .setLeftValue(operand(comparison.leftValue()))
        .setRightValue(operand(comparison.rightValue()))
        .build();
  }

  private static Condition.ConjunctionExpression conjunction(ConjunctionExpression conjunction) {
    return Condition.ConjunctionExpression.newBuilder()
        .setOperator(
            Condition.ConjunctionExpression.LogicalOperator.valueOf(conjunction.operator().name()))
        .setLeftExpression(booleanExpression(conjunction.leftExpression()))
        .setRightExpression(booleanExpression(conjunction.rightExpression()))
        .build();
  }

  private static Condition.Operand operand(Operand operand) {
    return switch (operand.kind()) {
      case VAR -> Condition.Operand.newBuilder().setVar(operand.var()).build();
      // flyteidl 1.16 deprecates Operand.primitive in favour of Operand.scalar.
      case PRIMITIVE ->
          Condition.Operand.newBuilder()
              .setScalar(Literals.Scalar.newBuilder().setPrimitive(primitive(operand.primitive())))
              .build();
    };
  }

  private static List<Binding> sortedByVar(List<Binding> bindings) {
    return bindings.stream().sorted(java.util.Comparator.comparing(Binding::var_)).toList();
  }

  public static Literals.Binding binding(Binding binding) {
    return Literals.Binding.newBuilder()
        .setVar(binding.var_())
        .setBinding(bindingData(binding.binding()))
        .build();
  }

  private static Literals.BindingData bindingData(BindingData data) {
    Literals.BindingData.Builder builder = Literals.BindingData.newBuilder();
    switch (data.kind()) {
      case SCALAR -> builder.setScalar(scalar(data.scalar()));
      case PROMISE ->
          builder.setPromise(
              Types.OutputReference.newBuilder()
                  .setNodeId(data.promise().nodeId())
                  .setVar(data.promise().var()));
      case COLLECTION -> {
        Literals.BindingDataCollection.Builder collection =
            Literals.BindingDataCollection.newBuilder();
        data.collection().forEach(item -> collection.addBindings(bindingData(item)));
        builder.setCollection(collection);
      }
      case MAP -> {
        Literals.BindingDataMap.Builder map = Literals.BindingDataMap.newBuilder();
        data.map().forEach((key, value) -> map.putBindings(key, bindingData(value)));
        builder.setMap(map);
      }
    }
    return builder.build();
  }

  // ---------------------------------------------------------------- launch plans

  /** An admin LaunchPlan {id, spec} as {@code CreateLaunchPlan} and flytectl expect it. */
  public LaunchPlanOuterClass.LaunchPlan launchPlan(LaunchPlanIdentifier id, LaunchPlan plan) {
    LaunchPlanOuterClass.LaunchPlanSpec.Builder spec =
        LaunchPlanOuterClass.LaunchPlanSpec.newBuilder()
            .setWorkflowId(identifier(ResourceType.WORKFLOW, plan.workflowId()))
            .setFixedInputs(literalMap(plan.fixedInputs()))
            .setDefaultInputs(parameterMap(plan.defaultInputs()));
    LaunchPlanOuterClass.LaunchPlanMetadata.Builder metadata =
        LaunchPlanOuterClass.LaunchPlanMetadata.newBuilder();
    if (plan.cronSchedule() != null) {
      metadata.setSchedule(schedule(plan.cronSchedule()));
    }
    spec.setEntityMetadata(metadata);
    return LaunchPlanOuterClass.LaunchPlan.newBuilder()
        .setId(identifier(ResourceType.LAUNCH_PLAN, id))
        .setSpec(spec)
        .build();
  }

  private static ScheduleOuterClass.Schedule schedule(CronSchedule cron) {
    ScheduleOuterClass.CronSchedule.Builder builder =
        ScheduleOuterClass.CronSchedule.newBuilder().setSchedule(cron.schedule());
    if (cron.offset() != null) {
      builder.setOffset(cron.offset());
    }
    return ScheduleOuterClass.Schedule.newBuilder().setCronSchedule(builder).build();
  }

  private static Interface.ParameterMap parameterMap(Map<String, Parameter> parameters) {
    Interface.ParameterMap.Builder builder = Interface.ParameterMap.newBuilder();
    parameters.forEach(
        (name, parameter) -> {
          Interface.Parameter.Builder p =
              Interface.Parameter.newBuilder().setVar(variable(parameter.var()));
          if (parameter.defaultValue() != null) {
            p.setDefault(literal(parameter.defaultValue()));
          } else {
            p.setRequired(true);
          }
          builder.putParameters(name, p.build());
        });
    return builder.build();
  }

  // ---------------------------------------------------------------- literals (both ways)

  public static Literals.LiteralMap literalMap(Map<String, Literal> literals) {
    Literals.LiteralMap.Builder builder = Literals.LiteralMap.newBuilder();
    literals.forEach((name, literal) -> builder.putLiterals(name, literal(literal)));
    return builder.build();
  }

  public static Literals.Literal literal(Literal literal) {
    Literals.Literal.Builder builder = Literals.Literal.newBuilder();
    switch (literal.kind()) {
      case SCALAR -> builder.setScalar(scalar(literal.scalar()));
      case COLLECTION -> {
        Literals.LiteralCollection.Builder collection = Literals.LiteralCollection.newBuilder();
        literal.collection().forEach(item -> collection.addLiterals(literal(item)));
        builder.setCollection(collection);
      }
      case MAP -> builder.setMap(literalMap(literal.map()));
    }
    return builder.build();
  }

  private static Literals.Scalar scalar(Scalar scalar) {
    Literals.Scalar.Builder builder = Literals.Scalar.newBuilder();
    switch (scalar.kind()) {
      case PRIMITIVE -> builder.setPrimitive(primitive(scalar.primitive()));
      case GENERIC -> builder.setGeneric(Structs.toProtobuf(scalar.generic()));
      case BLOB ->
          builder.setBlob(
              Literals.Blob.newBuilder()
                  .setUri(scalar.blob().uri())
                  .setMetadata(
                      Literals.BlobMetadata.newBuilder()
                          .setType(blobType(scalar.blob().metadata().type()))));
    }
    return builder.build();
  }

  private static Literals.Primitive primitive(Primitive primitive) {
    Literals.Primitive.Builder builder = Literals.Primitive.newBuilder();
    switch (primitive.kind()) {
      case INTEGER_VALUE -> builder.setInteger(primitive.integerValue());
      case FLOAT_VALUE -> builder.setFloatValue(primitive.floatValue());
      case STRING_VALUE -> builder.setStringValue(primitive.stringValue());
      case BOOLEAN_VALUE -> builder.setBoolean(primitive.booleanValue());
      case DATETIME ->
          builder.setDatetime(
              Timestamp.newBuilder()
                  .setSeconds(primitive.datetime().getEpochSecond())
                  .setNanos(primitive.datetime().getNano()));
      case DURATION -> builder.setDuration(duration(primitive.duration()));
    }
    return builder.build();
  }

  private static com.google.protobuf.Duration duration(Duration duration) {
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(duration.getSeconds())
        .setNanos(duration.getNano())
        .build();
  }

  /** Reads a LiteralMap written by propeller; a literal kind flytekit-java 0.4.35 lacks fails. */
  public static Map<String, Literal> fromLiteralMap(Literals.LiteralMap map) {
    Map<String, Literal> literals = new LinkedHashMap<>();
    map.getLiteralsMap().forEach((name, literal) -> literals.put(name, fromLiteral(name, literal)));
    return literals;
  }

  private static Literal fromLiteral(String path, Literals.Literal literal) {
    return switch (literal.getValueCase()) {
      case SCALAR -> Literal.ofScalar(fromScalar(path, literal.getScalar()));
      case COLLECTION -> {
        List<Literal> items = new ArrayList<>();
        List<Literals.Literal> protoItems = literal.getCollection().getLiteralsList();
        for (int i = 0; i < protoItems.size(); i++) {
          items.add(fromLiteral(path + "[" + i + "]", protoItems.get(i)));
        }
        yield Literal.ofCollection(items);
      }
      case MAP -> {
        Map<String, Literal> items = new LinkedHashMap<>();
        literal
            .getMap()
            .getLiteralsMap()
            .forEach((key, item) -> items.put(key, fromLiteral(path + "." + key, item)));
        yield Literal.ofMap(items);
      }
      default ->
          throw new IllegalArgumentException(
              "input '"
                  + path
                  + "' is a "
                  + literal.getValueCase()
                  + " literal, which"
                  + " flytekit-java 0.4.35 cannot represent");
    };
  }

  private static Scalar fromScalar(String path, Literals.Scalar scalar) {
    return switch (scalar.getValueCase()) {
      case PRIMITIVE -> Scalar.ofPrimitive(fromPrimitive(path, scalar.getPrimitive()));
      case GENERIC -> Scalar.ofGeneric(Structs.toFlyte(scalar.getGeneric()));
      case BLOB ->
          Scalar.ofBlob(
              Blob.builder()
                  .uri(scalar.getBlob().getUri())
                  .metadata(
                      BlobMetadata.builder()
                          .type(
                              BlobType.builder()
                                  .format(scalar.getBlob().getMetadata().getType().getFormat())
                                  .dimensionality(
                                      BlobType.BlobDimensionality.valueOf(
                                          scalar
                                              .getBlob()
                                              .getMetadata()
                                              .getType()
                                              .getDimensionality()
                                              .name()))
                                  .build())
                          .build())
                  .build());
      default ->
          throw new IllegalArgumentException(
              "input '"
                  + path
                  + "' is a "
                  + scalar.getValueCase()
                  + " scalar, which"
                  + " flytekit-java 0.4.35 cannot represent");
    };
  }

  private static Primitive fromPrimitive(String path, Literals.Primitive primitive) {
    return switch (primitive.getValueCase()) {
      case INTEGER -> Primitive.ofIntegerValue(primitive.getInteger());
      case FLOAT_VALUE -> Primitive.ofFloatValue(primitive.getFloatValue());
      case STRING_VALUE -> Primitive.ofStringValue(primitive.getStringValue());
      case BOOLEAN -> Primitive.ofBooleanValue(primitive.getBoolean());
      case DATETIME ->
          Primitive.ofDatetime(
              Instant.ofEpochSecond(
                  primitive.getDatetime().getSeconds(), primitive.getDatetime().getNanos()));
      case DURATION ->
          Primitive.ofDuration(
              Duration.ofSeconds(
                  primitive.getDuration().getSeconds(), primitive.getDuration().getNanos()));
      case VALUE_NOT_SET ->
          throw new IllegalArgumentException("input '" + path + "' is an empty primitive");
    };
  }
}
