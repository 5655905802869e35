// Generated from the route table (CreditFlowsApp.MapCreditFlowsApi) by scripts/http-functions.sh; do not edit.
// One HTTP function per API route: the host routes api/{route} here, ApiDispatcher runs the app's pipeline and endpoint.
using CreditFlows.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CreditFlows.Functions.Functions.Http;

public sealed class TasksFunctions(ApiDispatcher api)
{
    [Function("Tasks_Get")]
    public Task<IResult> Tasks_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "tasks")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Tasks_Get", req, durable);
}
