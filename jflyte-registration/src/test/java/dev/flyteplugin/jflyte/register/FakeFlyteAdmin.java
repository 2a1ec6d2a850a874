package dev.flyteplugin.jflyte.register;

import flyteidl.admin.LaunchPlanOuterClass;
import flyteidl.admin.TaskOuterClass;
import flyteidl.admin.WorkflowOuterClass;
import flyteidl.core.IdentifierOuterClass.Identifier;
import flyteidl.service.AdminServiceGrpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A FlyteAdmin that keeps created entities in memory (ALREADY_EXISTS on a second create, as the
 * real one does for an identical payload) and can be scripted to fail calls for an entity name.
 */
final class FakeFlyteAdmin extends AdminServiceGrpc.AdminServiceImplBase {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  final List<String> calls = new CopyOnWriteArrayList<>();
  final List<String> authorizations = new CopyOnWriteArrayList<>();
  final Set<Identifier> stored = ConcurrentHashMap.newKeySet();
  private final Map<String, Deque<Status>> script = new ConcurrentHashMap<>();

  /** The next calls for {@code name} fail with these statuses, in order. */
  void failNext(String name, Status... statuses) {
    script.computeIfAbsent(name, n -> new ArrayDeque<>()).addAll(List.of(statuses));
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

  @Override
  public void createTask(
      TaskOuterClass.TaskCreateRequest request,
      StreamObserver<TaskOuterClass.TaskCreateResponse> response) {
    handle(
        "CreateTask",
        request.getId(),
        response,
        TaskOuterClass.TaskCreateResponse.getDefaultInstance());
  }

  @Override
  public void createWorkflow(
      WorkflowOuterClass.WorkflowCreateRequest request,
      StreamObserver<WorkflowOuterClass.WorkflowCreateResponse> response) {
    handle(
        "CreateWorkflow",
        request.getId(),
        response,
        WorkflowOuterClass.WorkflowCreateResponse.getDefaultInstance());
  }

  @Override
  public void createLaunchPlan(
      LaunchPlanOuterClass.LaunchPlanCreateRequest request,
      StreamObserver<LaunchPlanOuterClass.LaunchPlanCreateResponse> response) {
    handle(
        "CreateLaunchPlan",
        request.getId(),
        response,
        LaunchPlanOuterClass.LaunchPlanCreateResponse.getDefaultInstance());
  }

  private <T> void handle(String method, Identifier id, StreamObserver<T> response, T ok) {
    calls.add(method + " " + id.getName());
    Deque<Status> failures = script.get(id.getName());
    Status failure = failures == null ? null : failures.poll();
    if (failure != null) {
      response.onError(failure.asRuntimeException());
    } else if (!stored.add(id)) {
      response.onError(
          Status.ALREADY_EXISTS.withDescription("entity already exists").asRuntimeException());
    } else {
      response.onNext(ok);
      response.onCompleted();
    }
  }
}
