package dev.flyteplugin.backend.agent;

import dev.flyteplugin.backend.runtime.TaskCategory;
import dev.flyteplugin.backend.runtime.TaskRuntime;
import flyteidl.admin.AgentOuterClass.Agent;
import flyteidl.admin.AgentOuterClass.GetAgentRequest;
import flyteidl.admin.AgentOuterClass.GetAgentResponse;
import flyteidl.admin.AgentOuterClass.ListAgentsRequest;
import flyteidl.admin.AgentOuterClass.ListAgentsResponse;
import flyteidl.service.AgentMetadataServiceGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * {@code flyteidl.service.AgentMetadataService}: one agent, named by configuration, serving the
 * task categories of every registered plugin. Propeller polls ListAgents and routes each category
 * to this agent by itself.
 */
public final class AgentMetadataService
    extends AgentMetadataServiceGrpc.AgentMetadataServiceImplBase {
  private final String agentName;
  private final TaskRuntime runtime;

  public AgentMetadataService(String agentName, TaskRuntime runtime) {
    this.agentName = agentName;
    this.runtime = runtime;
  }

  @Override
  public void listAgents(ListAgentsRequest request, StreamObserver<ListAgentsResponse> response) {
    try {
      response.onNext(ListAgentsResponse.newBuilder().addAgents(agent()).build());
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(GrpcErrors.toStatus(e));
    }
  }

  @Override
  public void getAgent(GetAgentRequest request, StreamObserver<GetAgentResponse> response) {
    if (!agentName.equals(request.getName())) {
      response.onError(
          Status.NOT_FOUND
              .withDescription(
                  "no agent named '" + request.getName() + "'; this server is '" + agentName + "'")
              .asException());
      return;
    }
    try {
      response.onNext(GetAgentResponse.newBuilder().setAgent(agent()).build());
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(GrpcErrors.toStatus(e));
    }
  }

  private Agent agent() {
    Agent.Builder agent = Agent.newBuilder().setName(agentName).setIsSync(false);
    for (TaskCategory category : runtime.taskCategories()) {
      agent.addSupportedTaskCategories(
          flyteidl.admin.AgentOuterClass.TaskCategory.newBuilder()
              .setName(category.name())
              .setVersion(category.version()));
      agent.addSupportedTaskTypes(category.name());
    }
    return agent.build();
  }
}
