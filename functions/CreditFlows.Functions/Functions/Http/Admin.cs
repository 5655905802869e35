// Generated from the route table (CreditFlowsApp.MapCreditFlowsApi) by scripts/http-functions.sh; do not edit.
// One HTTP function per API route: the host routes api/{route} here, ApiDispatcher runs the app's pipeline and endpoint.
using CreditFlows.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CreditFlows.Functions.Functions.Http;

public sealed class AdminFunctions(ApiDispatcher api)
{
    [Function("Admin_Functions_Name_Post")]
    public Task<IResult> Admin_Functions_Name_Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "admin/functions/{name}")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Admin_Functions_Name_Post", req, durable);
}
