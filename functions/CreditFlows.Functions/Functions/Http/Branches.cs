// Generated from the route table (CreditFlowsApp.MapCreditFlowsApi) by scripts/http-functions.sh; do not edit.
// One HTTP function per API route: the host routes api/{route} here, ApiDispatcher runs the app's pipeline and endpoint.
using CreditFlows.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CreditFlows.Functions.Functions.Http;

public sealed class BranchesFunctions(ApiDispatcher api)
{
    [Function("Branches_Get")]
    public Task<IResult> Branches_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "branches")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Branches_Get", req, durable);

    [Function("Branches_Id_Get")]
    public Task<IResult> Branches_Id_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "branches/{id}")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Branches_Id_Get", req, durable);
}
