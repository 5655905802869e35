// Generated from the route table (CreditFlowsApp.MapCreditFlowsApi) by scripts/http-functions.sh; do not edit.
// One HTTP function per API route: the host routes api/{route} here, ApiDispatcher runs the app's pipeline and endpoint.
using CreditFlows.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CreditFlows.Functions.Functions.Http;

public sealed class MailFunctions(ApiDispatcher api)
{
    [Function("Mail_Failures_Get")]
    public Task<IResult> Mail_Failures_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "mail/failures")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Mail_Failures_Get", req, durable);
}
