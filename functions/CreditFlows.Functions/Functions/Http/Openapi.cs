// Generated from the route table (CreditFlowsApp.MapCreditFlowsApi) by scripts/http-functions.sh; do not edit.
// One HTTP function per API route: the host routes api/{route} here, ApiDispatcher runs the app's pipeline and endpoint.
using CreditFlows.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CreditFlows.Functions.Functions.Http;

public sealed class OpenapiFunctions(ApiDispatcher api)
{
    [Function("Openapi_V1Json_Get")]
    public Task<IResult> Openapi_V1Json_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi/v1.json")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Openapi_V1Json_Get", req, durable);
}
