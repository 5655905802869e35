// Generated from the route table (CreditFlowsApp.MapCreditFlowsApi) by scripts/http-functions.sh; do not edit.
// One HTTP function per API route: the host routes api/{route} here, ApiDispatcher runs the app's pipeline and endpoint.
using CreditFlows.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CreditFlows.Functions.Functions.Http;

public sealed class HealthFunctions(ApiDispatcher api)
{
    [Function("Health_Get")]
    public Task<IResult> Health_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Health_Get", req, durable);
}
