package dev.flyteplugin.proto.flyteidl;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import flyteidl.admin.AgentOuterClass.GetTaskRequest;
import flyteidl.admin.AgentOuterClass.GetTaskResponse;
import flyteidl.admin.AgentOuterClass.Resource;
import flyteidl.core.Execution.TaskExecution;
import flyteidl.core.IdentifierOuterClass.Identifier;
import flyteidl.core.IdentifierOuterClass.ResourceType;
import flyteidl.core.Literals.Literal;
import flyteidl.core.Literals.LiteralMap;
import flyteidl.core.Literals.Primitive;
import flyteidl.core.Literals.Scalar;
import flyteidl.core.Tasks.TaskTemplate;
import flyteidl.service.AdminServiceGrpc;
import flyteidl.service.AgentMetadataServiceGrpc;
import flyteidl.service.AsyncAgentServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServiceDescriptor;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FlyteIdlBindingsTest {

  @Test
  void taskTemplateWithCustomStructAndLiteralMapSurviveBytesRoundTrip() throws Exception {
    TaskTemplate template =
        TaskTemplate.newBuilder()
            .setId(
                Identifier.newBuilder()
                    .setResourceType(ResourceType.TASK)
                    .setProject("flytesnacks")
                    .setDomain("development")
                    .setName("com.example.CountWords")
                    .setVersion("v1"))
            .setType("example_plugin")
            .setCustom(
                Struct.newBuilder()
                    .putFields("sparkVersion", Value.newBuilder().setStringValue("3.5.1").build())
                    .putFields(
                        "executor",
                        Value.newBuilder()
                            .setStructValue(
                                Struct.newBuilder()
                                    .putFields(
                                        "instances", Value.newBuilder().setNumberValue(4).build()))
                            .build()))
            .build();
    LiteralMap inputs =
        LiteralMap.newBuilder()
            .putLiterals(
                "text",
                Literal.newBuilder()
                    .setScalar(
                        Scalar.newBuilder()
                            .setPrimitive(Primitive.newBuilder().setStringValue("to be or not")))
                    .build())
            .putLiterals(
                "n",
                Literal.newBuilder()
                    .setScalar(
                        Scalar.newBuilder().setPrimitive(Primitive.newBuilder().setInteger(7)))
                    .build())
            .build();

    TaskTemplate templateBack = TaskTemplate.parseFrom(template.toByteArray());
    LiteralMap inputsBack = LiteralMap.parseFrom(inputs.toByteArray());

    assertThat(templateBack).isEqualTo(template);
    assertThat(templateBack.getCustom().getFieldsOrThrow("executor").getStructValue())
        .isEqualTo(template.getCustom().getFieldsOrThrow("executor").getStructValue());
    assertThat(inputsBack.getLiteralsOrThrow("n").getScalar().getPrimitive().getInteger())
        .isEqualTo(7);
    assertThat(inputsBack).isEqualTo(inputs);
  }

  @Test
  void agentServicesHaveTheMethodsPropellerCalls() {
    assertThat(methodNames(AsyncAgentServiceGrpc.getServiceDescriptor()))
        .containsExactlyInAnyOrder(
            "flyteidl.service.AsyncAgentService/CreateTask",
            "flyteidl.service.AsyncAgentService/GetTask",
            "flyteidl.service.AsyncAgentService/DeleteTask",
            "flyteidl.service.AsyncAgentService/GetTaskMetrics",
            "flyteidl.service.AsyncAgentService/GetTaskLogs");
    assertThat(methodNames(AgentMetadataServiceGrpc.getServiceDescriptor()))
        .containsExactlyInAnyOrder(
            "flyteidl.service.AgentMetadataService/GetAgent",
            "flyteidl.service.AgentMetadataService/ListAgents");
    assertThat(AsyncAgentServiceGrpc.getGetTaskLogsMethod().getType())
        .isEqualTo(MethodDescriptor.MethodType.SERVER_STREAMING);
  }

  @Test
  void adminServiceHasTheRegistrationMethods() {
    assertThat(methodNames(AdminServiceGrpc.getServiceDescriptor()))
        .contains(
            "flyteidl.service.AdminService/CreateTask",
            "flyteidl.service.AdminService/CreateWorkflow",
            "flyteidl.service.AdminService/CreateLaunchPlan",
            "flyteidl.service.AdminService/CreateExecution");
  }

  @Test
  void generatedStubsTalkOverARealInProcessChannel() throws Exception {
    String name = InProcessServerBuilder.generateName();
    Server server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(
                new AsyncAgentServiceGrpc.AsyncAgentServiceImplBase() {
                  @Override
                  public void getTask(
                      GetTaskRequest request, StreamObserver<GetTaskResponse> response) {
                    response.onNext(
                        GetTaskResponse.newBuilder()
                            .setResource(
                                Resource.newBuilder()
                                    .setPhase(TaskExecution.Phase.RUNNING)
                                    .setMessage(request.getResourceMeta().toStringUtf8()))
                            .build());
                    response.onCompleted();
                  }
                })
            .build()
            .start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    try {
      GetTaskResponse response =
          AsyncAgentServiceGrpc.newBlockingStub(channel)
              .getTask(
                  GetTaskRequest.newBuilder()
                      .setResourceMeta(com.google.protobuf.ByteString.copyFromUtf8("meta-1"))
                      .build());

      assertThat(response.getResource().getPhase()).isEqualTo(TaskExecution.Phase.RUNNING);
      assertThat(response.getResource().getMessage()).isEqualTo("meta-1");
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static List<String> methodNames(ServiceDescriptor service) {
    return service.getMethods().stream().map(MethodDescriptor::getFullMethodName).toList();
  }
}
