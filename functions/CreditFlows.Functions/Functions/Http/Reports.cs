// Generated from the route table (CreditFlowsApp.MapCreditFlowsApi) by scripts/http-functions.sh; do not edit.
// One HTTP function per API route: the host routes api/{route} here, ApiDispatcher runs the app's pipeline and endpoint.
using CreditFlows.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CreditFlows.Functions.Functions.Http;

public sealed class ReportsFunctions(ApiDispatcher api)
{
    [Function("Reports_Recipients_Email_Delete")]
    public Task<IResult> Reports_Recipients_Email_Delete([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "reports/recipients/{email}")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Reports_Recipients_Email_Delete", req, durable);

    [Function("Reports_Recipients_Email_Put")]
    public Task<IResult> Reports_Recipients_Email_Put([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "reports/recipients/{email}")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Reports_Recipients_Email_Put", req, durable);

    [Function("Reports_Recipients_Get")]
    public Task<IResult> Reports_Recipients_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "reports/recipients")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Reports_Recipients_Get", req, durable);

    [Function("Reports_Weekly_Files_File_Get")]
    public Task<IResult> Reports_Weekly_Files_File_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "reports/weekly/files/{file}")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Reports_Weekly_Files_File_Get", req, durable);

    [Function("Reports_Weekly_Get")]
    public Task<IResult> Reports_Weekly_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "reports/weekly")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Reports_Weekly_Get", req, durable);

    [Function("Reports_Weekly_Post")]
    public Task<IResult> Reports_Weekly_Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "reports/weekly")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Reports_Weekly_Post", req, durable);
}
