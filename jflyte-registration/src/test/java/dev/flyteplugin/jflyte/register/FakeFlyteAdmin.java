package dev.flyteplugin.jflyte.register;

import com.google.protobuf.Message;
import flyteidl.admin.Common;
import flyteidl.admin.LaunchPlanOuterClass;
import flyteidl.admin.TaskOuterClass;
import flyteidl.admin.WorkflowOuterClass;
import flyteidl.core.IdentifierOuterClass.Identifier;
import flyteidl.core.IdentifierOuterClass.ResourceType;
import flyteidl.core.Workflow;
import flyteidl.service.AdminServiceGrpc;
import flyteidl.service.Auth;
import flyteidl.service.AuthMetadataServiceGrpc;
import io.grpc.BindableService;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A FlyteAdmin that keeps entities in memory and checks what the real one checks (flyteadmin
 * v1.16.8, pkg/manager/impl): identifiers complete (validation.ValidateIdentifier); a second create
 * is ALREADY_EXISTS for an identical payload and INVALID_ARGUMENT for a different one
 * (NewTaskExistsDifferentStructureError...); CreateWorkflow compiles against the tasks and launch
 * plans it references, which must exist (workflow_manager.go getCompiledWorkflow: INVALID_ARGUMENT
 * "failed to compile workflow"), and its sub-workflows must be in the spec; CreateLaunchPlan needs
 * its workflow (launch_plan_manager.go: util.GetWorkflowModel -> NOT_FOUND); List* need a limit > 0
 * (validation.ValidateResourceListRequest) and honour sort_by created_at; UpdateLaunchPlan needs
 * the launch plan. It can be scripted to fail calls for an entity name, and to require a bearer
 * token (AuthMetadataService stays anonymous, as in flyteadmin).
 */
final class FakeFlyteAdmin extends AdminServiceGrpc.AdminServiceImplBase {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private record Stored(Message payload, long createdAt) {}

  final List<String> calls = new CopyOnWriteArrayList<>();
  final List<String> authorizations = new CopyOnWriteArrayList<>();
  final Set<Identifier> stored = ConcurrentHashMap.newKeySet();
  final Map<Identifier, LaunchPlanOuterClass.LaunchPlanState> launchPlanStates =
      new ConcurrentHashMap<>();
  private final Map<Identifier, Stored> tasks = new ConcurrentHashMap<>();
  private final Map<Identifier, Stored> workflows = new ConcurrentHashMap<>();
  private final Map<Identifier, Stored> launchPlans = new ConcurrentHashMap<>();
  private final Map<String, Deque<Status>> script = new ConcurrentHashMap<>();
  private final AtomicLong clock = new AtomicLong(1_700_000_000L);
  volatile String tokenEndpoint = "";
  volatile List<String> publicClientScopes = List.of();
  volatile String authorizationEndpoint = "";
  volatile String publicClientId = "";
  volatile String redirectUri = "";

  /** The next calls for {@code name} fail with these statuses, in order. */
  void failNext(String name, Status... statuses) {
    script.computeIfAbsent(name, n -> new ArrayDeque<>()).addAll(List.of(statuses));
  }

  /** The stored spec of the task named {@code name} (one version expected). */
  TaskOuterClass.TaskSpec taskSpec(String name) {
    return tasks.entrySet().stream()
        .filter(entry -> entry.getKey().getName().equals(name))
        .map(entry -> (TaskOuterClass.TaskSpec) entry.getValue().payload())
        .findFirst()
        .orElseThrow();
  }

  /** Pre-registers a task (as another project's registration would). */
  void seedTask(Identifier id) {
    seedTask(id, flyteidl.core.Tasks.TaskTemplate.newBuilder().setId(id).build());
  }

  /** Pre-registers a task with this template. */
  void seedTask(Identifier id, flyteidl.core.Tasks.TaskTemplate template) {
    tasks.put(
        id,
        new Stored(
            TaskOuterClass.TaskSpec.newBuilder().setTemplate(template).build(),
            clock.incrementAndGet()));
  }

  @Override
  public void getTask(
      Common.ObjectGetRequest request, StreamObserver<TaskOuterClass.Task> response) {
    calls.add("GetTask " + request.getId().getName() + "@" + request.getId().getVersion());
    Stored stored = tasks.get(request.getId());
    if (stored == null) {
      response.onError(Status.NOT_FOUND.withDescription("entry not found").asRuntimeException());
      return;
    }
    response.onNext(
        TaskOuterClass.Task.newBuilder()
            .setId(request.getId())
            .setClosure(
                TaskOuterClass.TaskClosure.newBuilder()
                    .setCompiledTask(
                        flyteidl.core.Compiler.CompiledTask.newBuilder()
                            .setTemplate(
                                ((TaskOuterClass.TaskSpec) stored.payload()).getTemplate())))
            .build());
    response.onCompleted();
  }

  /** Pre-registers a launch plan (and its workflow is not checked: it is another project's). */
  void seedLaunchPlan(Identifier id) {
    launchPlans.put(
        id,
        new Stored(
            LaunchPlanOuterClass.LaunchPlanSpec.getDefaultInstance(), clock.incrementAndGet()));
  }

  ServerInterceptor authorizationRecorder() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String value = headers.get(AUTHORIZATION);
        authorizations.add(value == null ? "" : value);
        return next.startCall(call, headers);
      }
    };
  }

  /**
   * The admin service that answers UNAUTHENTICATED unless {@code authorization} passes {@code
   * accepted}, plus the anonymous AuthMetadataService.
   */
  List<ServerServiceDefinition> withRequiredToken(Predicate<String> accepted) {
    ServerInterceptor check =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            String value = headers.get(AUTHORIZATION);
            authorizations.add(value == null ? "" : value);
            if (value == null || !accepted.test(value)) {
              call.close(
                  Status.UNAUTHENTICATED.withDescription("token is invalid or expired"),
                  new Metadata());
              return new ServerCall.Listener<>() {};
            }
            return next.startCall(call, headers);
          }
        };
    return List.of(ServerInterceptors.intercept(this, check), authMetadata().bindService());
  }

  BindableService authMetadata() {
    return new AuthMetadataServiceGrpc.AuthMetadataServiceImplBase() {
      @Override
      public void getOAuth2Metadata(
          Auth.OAuth2MetadataRequest request,
          StreamObserver<Auth.OAuth2MetadataResponse> response) {
        calls.add("GetOAuth2Metadata");
        response.onNext(
            Auth.OAuth2MetadataResponse.newBuilder()
                .setTokenEndpoint(tokenEndpoint)
                .setAuthorizationEndpoint(authorizationEndpoint)
                .build());
        response.onCompleted();
      }

      @Override
      public void getPublicClientConfig(
          Auth.PublicClientAuthConfigRequest request,
          StreamObserver<Auth.PublicClientAuthConfigResponse> response) {
        calls.add("GetPublicClientConfig");
        response.onNext(
            Auth.PublicClientAuthConfigResponse.newBuilder()
                .addAllScopes(publicClientScopes)
                .setClientId(publicClientId)
                .setRedirectUri(redirectUri)
                .build());
        response.onCompleted();
      }
    };
  }

  @Override
  public void createTask(
      TaskOuterClass.TaskCreateRequest request,
      StreamObserver<TaskOuterClass.TaskCreateResponse> response) {
    create(
        "CreateTask",
        request.getId(),
        request.getSpec(),
        tasks,
        () -> null,
        response,
        TaskOuterClass.TaskCreateResponse.getDefaultInstance());
  }

  @Override
  public void createWorkflow(
      WorkflowOuterClass.WorkflowCreateRequest request,
      StreamObserver<WorkflowOuterClass.WorkflowCreateResponse> response) {
    create(
        "CreateWorkflow",
        request.getId(),
        request.getSpec(),
        workflows,
        () -> compile(request),
        response,
        WorkflowOuterClass.WorkflowCreateResponse.getDefaultInstance());
  }

  @Override
  public void createLaunchPlan(
      LaunchPlanOuterClass.LaunchPlanCreateRequest request,
      StreamObserver<LaunchPlanOuterClass.LaunchPlanCreateResponse> response) {
    create(
        "CreateLaunchPlan",
        request.getId(),
        request.getSpec(),
        launchPlans,
        () -> {
          Identifier workflow = request.getSpec().getWorkflowId();
          return workflows.containsKey(workflow)
              ? null
              : Status.NOT_FOUND.withDescription(
                  "entry not found: workflow " + workflow.getName() + " " + workflow.getVersion());
        },
        response,
        LaunchPlanOuterClass.LaunchPlanCreateResponse.getDefaultInstance());
  }

  @Override
  public void updateLaunchPlan(
      LaunchPlanOuterClass.LaunchPlanUpdateRequest request,
      StreamObserver<LaunchPlanOuterClass.LaunchPlanUpdateResponse> response) {
    calls.add("UpdateLaunchPlan " + request.getId().getName() + " " + request.getState());
    if (!launchPlans.containsKey(request.getId())) {
      response.onError(Status.NOT_FOUND.withDescription("no launch plan").asRuntimeException());
      return;
    }
    launchPlanStates.put(request.getId(), request.getState());
    response.onNext(LaunchPlanOuterClass.LaunchPlanUpdateResponse.getDefaultInstance());
    response.onCompleted();
  }

  @Override
  public void listTasks(
      Common.ResourceListRequest request, StreamObserver<TaskOuterClass.TaskList> response) {
    List<Identifier> ids = list("ListTasks", request, tasks, response);
    if (ids != null) {
      TaskOuterClass.TaskList.Builder list = TaskOuterClass.TaskList.newBuilder();
      ids.forEach(id -> list.addTasks(TaskOuterClass.Task.newBuilder().setId(id)));
      response.onNext(list.build());
      response.onCompleted();
    }
  }

  @Override
  public void listWorkflows(
      Common.ResourceListRequest request,
      StreamObserver<WorkflowOuterClass.WorkflowList> response) {
    List<Identifier> ids = list("ListWorkflows", request, workflows, response);
    if (ids != null) {
      WorkflowOuterClass.WorkflowList.Builder list = WorkflowOuterClass.WorkflowList.newBuilder();
      ids.forEach(id -> list.addWorkflows(WorkflowOuterClass.Workflow.newBuilder().setId(id)));
      response.onNext(list.build());
      response.onCompleted();
    }
  }

  @Override
  public void listLaunchPlans(
      Common.ResourceListRequest request,
      StreamObserver<LaunchPlanOuterClass.LaunchPlanList> response) {
    List<Identifier> ids = list("ListLaunchPlans", request, launchPlans, response);
    if (ids != null) {
      LaunchPlanOuterClass.LaunchPlanList.Builder list =
          LaunchPlanOuterClass.LaunchPlanList.newBuilder();
      ids.forEach(
          id -> list.addLaunchPlans(LaunchPlanOuterClass.LaunchPlan.newBuilder().setId(id)));
      response.onNext(list.build());
      response.onCompleted();
    }
  }

  private List<Identifier> list(
      String method,
      Common.ResourceListRequest request,
      Map<Identifier, Stored> store,
      StreamObserver<?> response) {
    Common.NamedEntityIdentifier id = request.getId();
    calls.add(method + " " + id.getProject() + "/" + id.getDomain() + "/" + id.getName());
    if (request.getLimit() <= 0) {
      response.onError(
          Status.INVALID_ARGUMENT.withDescription("invalid value for limit").asRuntimeException());
      return null;
    }
    if (id.getProject().isEmpty() || id.getDomain().isEmpty()) {
      response.onError(
          Status.INVALID_ARGUMENT
              .withDescription("missing project or domain")
              .asRuntimeException());
      return null;
    }
    Comparator<Map.Entry<Identifier, Stored>> order =
        Comparator.comparingLong(entry -> entry.getValue().createdAt());
    if (request.getSortBy().getKey().equals("created_at")
        && request.getSortBy().getDirection() == Common.Sort.Direction.DESCENDING) {
      order = order.reversed();
    }
    return store.entrySet().stream()
        .filter(
            entry ->
                entry.getKey().getProject().equals(id.getProject())
                    && entry.getKey().getDomain().equals(id.getDomain())
                    && (id.getName().isEmpty() || entry.getKey().getName().equals(id.getName())))
        .sorted(order)
        .limit(request.getLimit())
        .map(Map.Entry::getKey)
        .toList();
  }

  /** What CreateWorkflow's compilation needs: tasks, launch plans and sub-workflows. */
  private Status compile(WorkflowOuterClass.WorkflowCreateRequest request) {
    WorkflowOuterClass.WorkflowSpec spec = request.getSpec();
    List<Workflow.WorkflowTemplate> templates = new ArrayList<>(spec.getSubWorkflowsList());
    templates.add(spec.getTemplate());
    Set<Identifier> subWorkflows = ConcurrentHashMap.newKeySet();
    spec.getSubWorkflowsList().forEach(sub -> subWorkflows.add(sub.getId()));
    for (Workflow.WorkflowTemplate template : templates) {
      Deque<Workflow.Node> nodes = new ArrayDeque<>(template.getNodesList());
      while (!nodes.isEmpty()) {
        Workflow.Node node = nodes.poll();
        if (node.hasBranchNode()) {
          Workflow.IfElseBlock ifElse = node.getBranchNode().getIfElse();
          nodes.add(ifElse.getCase().getThenNode());
          ifElse.getOtherList().forEach(other -> nodes.add(other.getThenNode()));
          if (ifElse.hasElseNode()) {
            nodes.add(ifElse.getElseNode());
          }
        }
        String missing = null;
        if (node.hasTaskNode() && !tasks.containsKey(node.getTaskNode().getReferenceId())) {
          missing = "task " + describe(node.getTaskNode().getReferenceId());
        } else if (node.hasWorkflowNode()
            && node.getWorkflowNode().hasLaunchplanRef()
            && !launchPlans.containsKey(node.getWorkflowNode().getLaunchplanRef())) {
          missing = "launch plan " + describe(node.getWorkflowNode().getLaunchplanRef());
        } else if (node.hasWorkflowNode()
            && node.getWorkflowNode().hasSubWorkflowRef()
            && !subWorkflows.contains(node.getWorkflowNode().getSubWorkflowRef())) {
          missing = "sub-workflow " + describe(node.getWorkflowNode().getSubWorkflowRef());
        }
        if (missing != null) {
          return Status.INVALID_ARGUMENT.withDescription(
              "failed to compile workflow for ["
                  + request.getId().getName()
                  + "] with err: missing "
                  + missing);
        }
      }
    }
    return null;
  }

  private static String describe(Identifier id) {
    return id.getProject() + "/" + id.getDomain() + "/" + id.getName() + "@" + id.getVersion();
  }

  private <T> void create(
      String method,
      Identifier id,
      Message payload,
      Map<Identifier, Stored> store,
      java.util.function.Supplier<Status> check,
      StreamObserver<T> response,
      T ok) {
    calls.add(method + " " + id.getName());
    Deque<Status> failures = script.get(id.getName());
    Status failure = failures == null ? null : failures.poll();
    if (failure != null) {
      response.onError(failure.asRuntimeException());
      return;
    }
    if (id.getProject().isEmpty()
        || id.getDomain().isEmpty()
        || id.getName().isEmpty()
        || id.getVersion().isEmpty()) {
      response.onError(
          Status.INVALID_ARGUMENT
              .withDescription("missing project, domain, name or version in " + id)
              .asRuntimeException());
      return;
    }
    Stored existing = store.get(id);
    if (existing != null) {
      response.onError(
          (existing.payload().equals(payload)
                  ? Status.ALREADY_EXISTS.withDescription("entity already exists")
                  : Status.INVALID_ARGUMENT.withDescription(
                      id.getName() + " already exists with a different structure"))
              .asRuntimeException());
      return;
    }
    Status problem = check.get();
    if (problem != null) {
      response.onError(problem.asRuntimeException());
      return;
    }
    store.put(id, new Stored(payload, clock.incrementAndGet()));
    stored.add(id);
    response.onNext(ok);
    response.onCompleted();
  }

  static Identifier id(ResourceType type, String project, String name, String version) {
    return Identifier.newBuilder()
        .setResourceType(type)
        .setProject(project)
        .setDomain("development")
        .setName(name)
        .setVersion(version)
        .build();
  }
}
